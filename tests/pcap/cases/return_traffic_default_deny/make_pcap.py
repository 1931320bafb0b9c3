#!/usr/bin/python3
"""Default deny; only inside (198.18.0.0/24) -> outside tcp/80 and udp/53 are allowed.

0-9   TCP 198.18.0.10:40000 -> 198.18.1.20:80 full conversation: passes both ways
10-11 UDP 198.18.0.10:40001 -> 198.18.1.53:53 query and answer: passes both ways
12-13 TCP 198.18.1.20:55000 -> 198.18.0.10:22 unsolicited SYN + retransmit: denied
14    TCP 198.18.1.20:80 -> 198.18.0.10:40005 SYN (looks like "return" traffic
      of port 80 but no such flow exists): denied
15    UDP 198.18.1.53:53 -> 198.18.0.10:40009 answer nobody asked for: denied
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

pkts = tcp_session(C4, S4, 40000, 80, data_c=b"GET / HTTP/1.0\r\n\r\n", data_s=b"HTTP/1.0 204 No Content\r\n\r\n")
pkts += [
    Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4B) / UDP(sport=40001, dport=53) / Raw(b"Q" * 29),
    Ether(src=MAC_S, dst=MAC_C) / IP(src=S4B, dst=C4) / UDP(sport=53, dport=40001) / Raw(b"A" * 45),
    s2c4() / TCP(sport=55000, dport=22, flags="S", seq=777, window=65535),
    s2c4() / TCP(sport=55000, dport=22, flags="S", seq=777, window=65535),
    s2c4() / TCP(sport=80, dport=40005, flags="S", seq=888, window=65535),
    Ether(src=MAC_S, dst=MAC_C) / IP(src=S4B, dst=C4) / UDP(sport=53, dport=40009) / Raw(b"A" * 45),
]
assert len(pkts) == 16
main_write(pkts)
