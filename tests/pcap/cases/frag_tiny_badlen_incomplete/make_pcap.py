#!/usr/bin/python3
"""Fragments that never make a usable datagram.

0-1  X (id 0x400): fragments 0 and 1 of 3, the last never comes         frag_timeout x2 (end of capture)
2    Y (id 0x401): only its middle fragment                              frag_timeout (end of capture)
3-4  Z (id 0x402): IPv4 TCP SYN, first fragment holds 8 bytes of the TCP header:
     rebuilt and judged whole, as Linux does (RFC 1858's concern is a filter
     that decides on the first fragment alone)                          forwarded x2, one flow
5    a fragment with MF set whose length (13) is not a multiple of 8     frag_bad_length
6    an unrelated UDP packet                                             forwarded
7-8  Z6: the same SYN over IPv6: the first fragment lacks the TCP header,
     which RFC 8200 4.5 makes the receiver discard                       frag_tiny_first x2
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


x = frags(0x400, 40000, 7000)
y = frags(0x401, 40001, 7001)
tcp = raw(TCP(sport=40002, dport=80, flags="S", seq=1, window=65535) / Raw(b"t" * 32))
z = [
    Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4, id=0x402, proto=6, flags="MF", frag=0) / Raw(tcp[:8]),
    Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4, id=0x402, proto=6, flags=0, frag=1) / Raw(tcp[8:]),
]
bad = Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4, id=0x403, proto=17, flags="MF", frag=10) / Raw(b"b" * 13)
other = c2s4() / UDP(sport=40004, dport=7004) / Raw(b"tick")

tcp6 = raw(TCP(sport=40005, dport=80, flags="S", seq=1, window=65535) / Raw(b"t" * 32))
z6 = [
    Ether(src=MAC_C, dst=MAC_S) / IPv6(src=C6, dst=S6, nh=44) / IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=0x406)
    / Raw(tcp6[:8]),
    Ether(src=MAC_C, dst=MAC_S) / IPv6(src=C6, dst=S6, nh=44) / IPv6ExtHdrFragment(nh=6, offset=1, m=0, id=0x406)
    / Raw(tcp6[8:]),
]

main_write([x[0], x[1], y[1], z[0], z[1], bad, other, z6[0], z6[1]])
