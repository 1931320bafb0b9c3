#!/usr/bin/python3
"""A spoofed SYN flood fills a small flow table (--flows 256) and ordinary
connections keep working through it: a full table ends its oldest
unanswered (half-open) flow to make room for the new one, instead of
refusing every new connection until the flood's flows time out (30 s).

4,000 SYNs from 198.18.2.0/24 and 198.18.3.0/24 to 198.18.1.20:80, 20 us
apart; after every 400th, a complete legitimate session from 198.18.0.10
(handshake, a request, the answer, FIN/FIN/ACK): 10 sessions, every packet
of which must be forwarded.
"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

rng = random.Random(7)
pkts = []
t = 0.0
for i in range(4000):
    src = "198.18.%d.%d" % (2 + i % 2, 1 + rng.randrange(254))
    pkts.append(at(Ether(src=MAC_C, dst=MAC_S) / IP(src=src, dst=S4) /
                   TCP(sport=1024 + rng.randrange(60000), dport=80, flags="S", seq=rng.randrange(2**32)), t))
    t += 0.00002
    if i % 400 == 399:
        for p in tcp_session(C4, S4, 40000 + i // 400, 80, data_c=b"GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n",
                             data_s=b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"):
            pkts.append(at(p, t))
            t += 0.00002
main_write(pkts)
