#!/usr/bin/python3
"""Jumbo frames: 9000-byte IPv4 packets (9014-byte frames), larger than one
mbuf, so they arrive and leave as multi-segment mbufs.

0-2 handshake 40000 -> 8080
3   client -> server PSH/ACK, IP total length 9000
4   ACK
5   server -> client PSH/ACK, IP total length 9000
6   ACK
7   IPv6 UDP 40001 -> 9000, IPv6 payload length 8960 (a 9014-byte frame)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

payload_c = bytes((i * 7 + 3) & 0xFF for i in range(9000 - 40))
payload_s = bytes((i * 13 + 5) & 0xFF for i in range(9000 - 40))
pkts = tcp_session(C4, S4, 40000, 8080, close=False)
pkts += [
    c2s4() / TCP(sport=40000, dport=8080, flags="PA", seq=1001, ack=5001, window=65535) / Raw(payload_c),
    s2c4() / TCP(sport=8080, dport=40000, flags="A", seq=5001, ack=1001 + len(payload_c), window=65535),
    s2c4() / TCP(sport=8080, dport=40000, flags="PA", seq=5001, ack=1001 + len(payload_c), window=65535) / Raw(payload_s),
    c2s4() / TCP(sport=40000, dport=8080, flags="A", seq=1001 + len(payload_c), ack=5001 + len(payload_s), window=65535),
    c2s6() / UDP(sport=40001, dport=9000) / Raw(bytes((i * 11) & 0xFF for i in range(9000 - 48))),
]
assert len(pkts[3]) == 9014 and len(pkts[5]) == 9014 and len(pkts[7]) == 9014, [len(p) for p in pkts]
main_write(pkts)
