#!/usr/bin/python3
"""IPv6 fragments.

0-2 UDP 40000 -> 7000, 3000 bytes, 3 fragments in order (id 0x1000)         allowed
3-5 UDP 40001 -> 9999, 3 fragments, order last, first, middle (id 0x1001)   denied
6   UDP 7000 -> 40000 answer, unfragmented                                  allowed
7   UDP 40002 -> 9999 atomic fragment (offset 0, M=0, RFC 6946)             denied
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403


def frags(ident, sport, dport):
    dgram = IPv6(src=C6, dst=S6) / IPv6ExtHdrFragment(id=ident) / UDP(sport=sport, dport=dport) \
        / Raw(bytes(range(256)) * 11 + b"e" * 184)
    fr = fragment6(dgram, 1280)
    assert len(fr) == 3, len(fr)
    return [Ether(src=MAC_C, dst=MAC_S) / f for f in fr]


a = frags(0x1000, 40000, 7000)
b = frags(0x1001, 40001, 9999)
pkts = a + [b[2], b[0], b[1]]
pkts.append(s2c6() / UDP(sport=7000, dport=40000) / Raw(b"ok"))
pkts.append(c2s6() / IPv6ExtHdrFragment(id=0x1002, offset=0, m=0) / UDP(sport=40002, dport=9999) / Raw(b"atomic"))
main_write(pkts)
