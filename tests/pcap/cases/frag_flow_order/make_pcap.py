#!/usr/bin/python3
"""Packets of one UDP flow, some of them fragmented, must leave in the order
they came (a bump in the wire does not reorder a flow).

0   UDP 40000 -> 7000, 100 bytes
1-3 UDP 40000 -> 7000, 3000 bytes in 3 fragments (id 0x500)
4   UDP 40000 -> 7000, 100 bytes
5   UDP 7000 -> 40000 answer
6-8 UDP 7000 -> 40000, 3000 bytes in 3 fragments (id 0x501)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403


def frags(src, dst, ident, sport, dport, mac_src, mac_dst):
    dgram = IP(src=src, dst=dst, id=ident) / UDP(sport=sport, dport=dport) / Raw(bytes(range(256)) * 11 + b"e" * 184)
    return [Ether(src=mac_src, dst=mac_dst) / f for f in fragment(dgram, fragsize=1200)]


pkts = [c2s4() / UDP(sport=40000, dport=7000) / Raw(b"a" * 100)]
pkts += frags(C4, S4, 0x500, 40000, 7000, MAC_C, MAC_S)
pkts += [c2s4() / UDP(sport=40000, dport=7000) / Raw(b"b" * 100)]
pkts += [s2c4() / UDP(sport=7000, dport=40000) / Raw(b"c" * 100)]
pkts += frags(S4, C4, 0x501, 7000, 40000, MAC_S, MAC_C)
assert len(pkts) == 9
main_write(pkts)
