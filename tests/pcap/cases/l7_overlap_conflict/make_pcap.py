#!/usr/bin/python3
"""Overlapping TCP segments with different data, both orders: inline, the
server can only get bytes that were inspected (a drop signature blocks
/etc/passwd in the URI).

The request "GET /files/<PATH> HTTP/1.1 ..." is sent in two segments; the
second is sent twice with different bytes, before the first (so both copies
are out of order; Linux would keep the newer one in its out-of-order queue).

flow A 40200: second segment benign ("index.html"), then evil
       ("etc/passwd"): the evil copy contradicts what was inspected and is
       dropped (stream_conflict); the request inspected and delivered is the
       benign one: forwarded.
flow B 40201: second segment evil, then benign: the benign copy is dropped
       (stream_conflict); the request inspected is the evil one: blocked
       (l7_signature) when the first segment completes it.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

part1 = b"GET /files/"
tail_benign = b"index.html HTTP/1.1\r\nHost: shop.test\r\n\r\n"
tail_evil = b"etc/passwd HTTP/1.1\r\nHost: shop.test\r\n\r\n"
assert len(tail_benign) == len(tail_evil)


def seg(sport, seq, payload):
    return Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4) / TCP(
        sport=sport, dport=80, flags="PA", seq=seq, ack=5001, window=65535) / Raw(payload)


pkts = []
for sport, first, second in ((40200, tail_benign, tail_evil), (40201, tail_evil, tail_benign)):
    hs = tcp_session(C4, S4, sport, 80, close=False)  # SYN, SYN/ACK, ACK; client ISN 1000
    pkts += hs + [seg(sport, 1001 + len(part1), first), seg(sport, 1001 + len(part1), second),
                  seg(sport, 1001, part1)]
main_write([at(p, 0.001 * i) for i, p in enumerate(pkts)])
