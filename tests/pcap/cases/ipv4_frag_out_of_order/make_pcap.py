#!/usr/bin/python3
"""IPv4 fragments of two datagrams, out of order and interleaved.

Datagram A (id 0x200, UDP 40000 -> 7000, allowed) arrives last fragment first;
datagram B (id 0x201, UDP 40001 -> 9999, denied) arrives with its first
fragment (the one with the ports) last.

0 A[2]  1 B[1]  2 A[0]  3 B[2]  4 A[1]  5 B[0]
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


a = frags(0x200, 40000, 7000)
b = frags(0x201, 40001, 9999)
pkts = [a[2], b[1], a[0], b[2], a[1], b[0]]
main_write(pkts)
