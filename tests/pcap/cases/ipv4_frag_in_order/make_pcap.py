#!/usr/bin/python3
"""IPv4 fragments arriving in order.

0-2 UDP 40000 -> 7000, 3000-byte payload in 3 fragments (id 0x100)   allowed
3-5 UDP 40001 -> 9999, 3000-byte payload in 3 fragments (id 0x101)   denied
6   UDP 7000 -> 40000 answer, unfragmented                           allowed (flow of 0-2)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403


def frags(ident, sport, dport):
    dgram = IP(src=C4, dst=S4, id=ident) / UDP(sport=sport, dport=dport) / Raw(bytes(range(256)) * 11 + b"e" * 184)
    fr = fragment(dgram, fragsize=1200)
    assert len(fr) == 3, len(fr)
    return [Ether(src=MAC_C, dst=MAC_S) / f for f in fr]


pkts = frags(0x100, 40000, 7000) + frags(0x101, 40001, 9999)
pkts.append(s2c4() / UDP(sport=7000, dport=40000) / Raw(b"ok"))
main_write(pkts)
