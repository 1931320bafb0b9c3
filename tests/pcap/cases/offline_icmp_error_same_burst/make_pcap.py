#!/usr/bin/python3
"""icmp_error_related without the filler: each ICMP error comes 1 ms after
the query it quotes, so offline mode reads both in the same burst. On the
wire the query has long been handled when the error arrives; the replay must
give the same verdicts.

0 UDP 198.18.0.10:40000 -> 198.18.1.53:53 query               allowed (allow-dns)
1 ICMP 3/3 198.18.1.53 -> 198.18.0.10 quoting 0                allowed (related)
2 UDP 2001:db8::10:40002 -> 2001:db8:1::20:53 query           allowed (allow-dns)
3 ICMPv6 1/4 2001:db8:1::20 -> 2001:db8::10 quoting 2          allowed (related)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403
from scapy.layers.inet6 import IPerror6  # noqa: E402

q4 = IP(src=C4, dst=S4B, id=42) / UDP(sport=40000, dport=53) / Raw(b"Q" * 29)
q6 = IPv6(src=C6, dst=S6) / UDP(sport=40002, dport=53) / Raw(b"Q" * 29)
pkts = [
    Ether(src=MAC_C, dst=MAC_S) / q4,
    Ether(src=MAC_S, dst=MAC_C) / IP(src=S4B, dst=C4) / ICMP(type=3, code=3) / IPerror(raw(q4)[:28]),
    Ether(src=MAC_C, dst=MAC_S) / q6,
    Ether(src=MAC_S, dst=MAC_C) / IPv6(src=S6, dst=C6) / ICMPv6DestUnreach(code=4) / IPerror6(raw(q6)[:48]),
]
main_write(pkts)
