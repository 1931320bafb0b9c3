#!/usr/bin/python3
"""Overlapping IPv4 fragments (a classic evasion) are dropped as frag_overlap.

0 id 0x300 offset 0,  40 bytes (UDP header + 32), MF      \\ overlap: bytes 24-39
1 id 0x300 offset 24, 40 bytes, last                      /  sent twice, different data
2-3 id 0x301: a clean two-fragment datagram               allowed
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

dgram = raw(UDP(sport=40000, dport=7000, len=8 + 56) / Raw(b"A" * 56))  # 64 bytes, checksum 0 not needed
udp_hdr = dgram[:8]
pkts = [
    Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4, id=0x300, flags="MF", frag=0, proto=17)
    / Raw(udp_hdr + b"A" * 32),
    Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4, id=0x300, flags=0, frag=3, proto=17)
    / Raw(b"B" * 40),
]
clean = IP(src=C4, dst=S4, id=0x301) / UDP(sport=40001, dport=7000) / Raw(b"C" * 1600)
pkts += [Ether(src=MAC_C, dst=MAC_S) / f for f in fragment(clean, fragsize=1200)]
assert len(pkts) == 4
main_write(pkts)
