#!/usr/bin/python3
"""ICMP echo request/reply pairs are one flow per identifier.

0-3 ICMP echo id 0x1234 seq 1, 2 from 198.18.0.10 and their replies    allowed, 1 flow
4-5 ICMPv6 echo id 0x0099 request + reply                              allowed, 1 flow
6   ICMP echo request 198.18.1.20 -> 198.18.0.10 id 0x5555 (outside)   denied
7   ICMP echo request 198.18.0.10 -> 198.18.1.20 id 0x1235 (new id)    allowed, new flow
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

data = b"abcdefghijklmnopqrstuvwabcdefghi"
pkts = [
    c2s4() / ICMP(type=8, id=0x1234, seq=1) / Raw(data),
    s2c4() / ICMP(type=0, id=0x1234, seq=1) / Raw(data),
    c2s4() / ICMP(type=8, id=0x1234, seq=2) / Raw(data),
    s2c4() / ICMP(type=0, id=0x1234, seq=2) / Raw(data),
    c2s6() / ICMPv6EchoRequest(id=0x99, seq=1, data=data),
    s2c6() / ICMPv6EchoReply(id=0x99, seq=1, data=data),
    s2c4() / ICMP(type=8, id=0x5555, seq=1) / Raw(data),
    c2s4() / ICMP(type=8, id=0x1235, seq=1) / Raw(data),
]
main_write(pkts)
