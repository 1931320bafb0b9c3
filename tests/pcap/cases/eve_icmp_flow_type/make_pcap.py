#!/usr/bin/python3
"""ICMP flows in EVE carry the ICMP type and code of the packet that opened them.

0-1 ICMP echo request / reply (id 0x1234)          flow: icmp_type 8, icmp_code 0
2-3 ICMPv6 echo request / reply (id 0x0099)        flow: icmp_type 128, icmp_code 0
4   ICMP timestamp request (type 13, id 0x2222)    flow: icmp_type 13
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

data = b"abcdefghijklmnopqrstuvwabcdefghi"
pkts = [
    c2s4() / ICMP(type=8, id=0x1234, seq=1) / Raw(data),
    s2c4() / ICMP(type=0, id=0x1234, seq=1) / Raw(data),
    c2s6() / ICMPv6EchoRequest(id=0x99, seq=1, data=data),
    s2c6() / ICMPv6EchoReply(id=0x99, seq=1, data=data),
    c2s4() / ICMP(type=13, id=0x2222, seq=1),
]
main_write(pkts)
