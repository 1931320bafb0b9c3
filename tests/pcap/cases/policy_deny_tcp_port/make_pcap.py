#!/usr/bin/python3
"""A deny rule on TCP dst port 23.

Flow A (sport 40000 -> 23): SYN, SYN retransmitted after 1 s and again after
3 s, then a stray ACK with data (as if the client believed it connected).
Flow B (sport 40001 -> 23, IPv6): SYN and one retransmission.
Flow C (sport 40002 -> 80): handshake, allowed by the default.

Every packet of A and B is dropped as policy_deny; the rule is hit once per
flow (2), not once per packet (6).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403


def syn4(sport, dport, seq=1000):
    return c2s4() / TCP(sport=sport, dport=dport, flags="S", seq=seq, window=65535)


def syn6(sport, dport, seq=1000):
    return c2s6() / TCP(sport=sport, dport=dport, flags="S", seq=seq, window=65535)


pkts = [
    at(syn4(40000, 23), 0.0),                                            # 0 A SYN
    at(syn6(40001, 23), 0.5),                                            # 1 B SYN (v6)
    at(syn4(40000, 23), 1.0),                                            # 2 A SYN retransmit
    at(syn6(40001, 23), 1.5),                                            # 3 B SYN retransmit
    at(syn4(40000, 23), 3.0),                                            # 4 A SYN retransmit
    at(c2s4() / TCP(sport=40000, dport=23, flags="PA", seq=1001, ack=1)
       / Raw(b"root\r\n"), 3.1),                                         # 5 A stray data
]
t = 4.0
for p in tcp_session(C4, S4, 40002, 80, close=False):                    # 6-8 C
    pkts.append(at(p, t))
    t += 0.001
main_write(pkts)
