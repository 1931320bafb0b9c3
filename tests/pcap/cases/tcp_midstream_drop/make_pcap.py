#!/usr/bin/python3
"""--tcp-midstream drop: TCP segments without SYN that belong to no flow are
dropped as tcp_no_flow; a connection that starts with a SYN passes.

0-1 ACK + data of a connection whose handshake was never seen        tcp_no_flow
2   RST with no flow                                                  tcp_no_flow
3-10 a full conversation 40001 -> 80 (3-way, data + ACK, FIN x2, ACK) allowed
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

pkts = [
    c2s4() / TCP(sport=40000, dport=80, flags="A", seq=100, ack=200, window=65535),
    s2c4() / TCP(sport=80, dport=40000, flags="PA", seq=200, ack=100, window=65535) / Raw(b"midstream"),
    c2s4() / TCP(sport=40002, dport=80, flags="R", seq=5, window=0),
]
pkts += tcp_session(C4, S4, 40001, 80, data_c=b"hello")
assert len(pkts) == 3 + 8
main_write(pkts)
