#!/usr/bin/python3
"""Time comes from the capture: flows and fragments expire as on the wire.

t=0      0   UDP 198.18.0.10:40000 -> 198.18.1.53:53 query              allowed (allow-dns)
t=0.010  1   answer                                                     allowed (same flow)
t=0.020  2   fragment 1 of 3 (the middle) of datagram id 0x401,
             198.18.0.10:40001 -> 198.18.1.20:7001                      held, then frag_timeout (30 s)
t=600    3   198.18.1.53:53 -> 198.18.0.10:40000 ten minutes later:
             the flow timed out long ago (UDP: 120 s), so this is a
             new flow from the outside                                  denied (default)
t=700    4-6 datagram id 0x401 again, all three fragments: a new
             datagram (the old middle fragment timed out), complete     allowed (allow-frag)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

dgram = IP(src=C4, dst=S4, id=0x401) / UDP(sport=40001, dport=7001) / Raw(bytes(range(256)) * 11 + b"e" * 184)
y = [Ether(src=MAC_C, dst=MAC_S) / f for f in fragment(dgram, fragsize=1200)]
assert len(y) == 3

pkts = [
    at(Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4B) / UDP(sport=40000, dport=53) / Raw(b"Q" * 29), 0.0),
    at(Ether(src=MAC_S, dst=MAC_C) / IP(src=S4B, dst=C4) / UDP(sport=53, dport=40000) / Raw(b"A" * 45), 0.010),
    at(y[1].copy(), 0.020),
    at(Ether(src=MAC_S, dst=MAC_C) / IP(src=S4B, dst=C4) / UDP(sport=53, dport=40000) / Raw(b"A" * 45), 600.0),
    at(y[0].copy(), 700.0), at(y[1].copy(), 700.001), at(y[2].copy(), 700.002),
]
main_write(pkts)
