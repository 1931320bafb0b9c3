#!/usr/bin/python3
"""Inspection slots come back, whatever way a flow's packets arrived, and
never run out silently. rampartd runs with 4 slots (--l7-flows 4) and
--l7-evict-idle 5.

A (t=0)     12 benign sessions one after another, every other one with its
            request in IPv4 fragments, each closed with FIN; then an attack:
            blocked. Slots come back at every close: none is ever exhausted.
B (t=1)     4 keep-alive sessions send one benign request each and stay open
            (between two requests: parkable). A 5th takes a slot: the least
            recently active parkable flow (B1) is parked. B1 then sends an
            attack: it resumes at the byte where it stopped (parking B2) and
            is blocked.
C (t=2)     4 sessions send a segment past a hole (out of order: not
            parkable); C1 takes the free slot, C2-C4 park B3-B5. At t=3 a
            5th session's request finds no slot free and none idle for 5 s:
            dropped (l7_exhausted), not passed uninspected. At t=9 its
            retransmission takes C1's slot (idle 7 s: evicted); C1 can no
            longer be inspected, so its next segment resets it
            (l7_state_lost).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

ATTACK = b"GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: shop.test\r\n\r\n"


def benign(i):
    return b"GET /page/%d HTTP/1.1\r\nHost: shop.test\r\nAccept: text/html\r\n\r\n" % i


ISN_C, ISN_S = 1000, 5000


def c(sport, flags, seq, payload=b"", ack=ISN_S + 1):
    p = Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4, id=sport) / TCP(
        sport=sport, dport=80, flags=flags, seq=seq, ack=ack, window=65535)
    return p / Raw(payload) if payload else p


def s(sport, flags, seq, ack):
    return Ether(src=MAC_S, dst=MAC_C) / IP(src=S4, dst=C4) / TCP(
        sport=80, dport=sport, flags=flags, seq=seq, ack=ack, window=65535)


def handshake(sport):
    return [c(sport, "S", ISN_C, ack=0), s(sport, "SA", ISN_S, ISN_C + 1), c(sport, "A", ISN_C + 1)]


timed = []


def put(t, pkts):
    for p in pkts:
        timed.append(at(p, t))
        t += 0.0001
    return t


# A: sequential sessions, closed.
t = 0.0
for i in range(12):
    sp = 41000 + i
    req = c(sp, "PA", ISN_C + 1, benign(i))
    body = [Ether(src=MAC_C, dst=MAC_S) / f for f in fragment(req[IP], fragsize=32)] if i % 2 else [req]
    n = ISN_C + 1 + len(benign(i))
    t = put(t, handshake(sp) + body + [s(sp, "A", ISN_S + 1, n), c(sp, "FA", n), s(sp, "FA", ISN_S + 1, n + 1),
                                      c(sp, "A", n + 1, ack=ISN_S + 2)])
t = put(t, handshake(41100) + [c(41100, "PA", ISN_C + 1, ATTACK)])

# B: keep-alive sessions.
t = 1.0
for i in range(1, 6):
    sp = 42000 + i
    t = put(t, handshake(sp) + [c(sp, "PA", ISN_C + 1, benign(i)),
                                s(sp, "A", ISN_S + 1, ISN_C + 1 + len(benign(i)))])
t = put(t, [c(42001, "PA", ISN_C + 1 + len(benign(1)), ATTACK)])

# C: flows with a hole, then one that finds no slot.
t = 2.0
for i in range(1, 5):
    sp = 43000 + i
    t = put(t, handshake(sp) + [c(sp, "PA", ISN_C + 1 + 16, b"X" * 16)])
late = handshake(43005) + [c(43005, "PA", ISN_C + 1, benign(5))]
put(3.0, late)
put(9.0, [c(43005, "PA", ISN_C + 1, benign(5))])            # the retransmission: evicts C1
put(9.5, [c(43001, "PA", ISN_C + 1, b"GET /page/x HTTP")])  # C1 fills its hole: reset

main_write(sorted(timed, key=lambda p: p.time))
