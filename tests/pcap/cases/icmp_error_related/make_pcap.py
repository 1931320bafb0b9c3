#!/usr/bin/python3
"""ICMP errors that quote an existing, allowed flow are allowed as related
traffic under default deny; errors quoting no known flow are not.

0      UDP 198.18.0.10:40000 -> 198.18.1.53:53 query                     allowed (allow-dns)
1      UDP 2001:db8::10:40002 -> 2001:db8:1::20:53 query                 allowed (allow-dns)
2-65   ARP fillers, so that the errors are read in a later burst than the
       queries (offline_icmp_error_same_burst covers the same burst)
66     ICMP 3/3 port unreachable 198.18.1.53 -> 198.18.0.10 quoting 0     allowed (related)
67     ICMP 11/0 time exceeded from a router 198.18.0.1 quoting 0         allowed (related)
68     ICMP 3/3 198.18.1.53 -> 198.18.0.10 quoting 40001 -> 53 (no flow)  denied
69     ICMPv6 1/4 port unreachable quoting 1                              allowed (related)
70     ICMPv6 1/4 quoting 40003 -> 53 (no flow)                           denied
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403
from scapy.layers.inet6 import IPerror6  # noqa: E402

ROUTER4 = "198.18.0.1"
q4 = IP(src=C4, dst=S4B, id=42) / UDP(sport=40000, dport=53) / Raw(b"Q" * 29)
q4_unknown = IP(src=C4, dst=S4B, id=43) / UDP(sport=40001, dport=53) / Raw(b"Q" * 29)
q6 = IPv6(src=C6, dst=S6) / UDP(sport=40002, dport=53) / Raw(b"Q" * 29)
q6_unknown = IPv6(src=C6, dst=S6) / UDP(sport=40003, dport=53) / Raw(b"Q" * 29)


def quote4(p):
    """The first 28 bytes of p as an ICMP error would carry them (IP header + 8)."""
    return IPerror(raw(p)[:28])


def quote6(p):
    return IPerror6(raw(p)[:48])


pkts = [
    Ether(src=MAC_C, dst=MAC_S) / q4,
    Ether(src=MAC_C, dst=MAC_S) / q6,
]
pkts += arp_fillers(BURST_GAP)
pkts += [
    Ether(src=MAC_S, dst=MAC_C) / IP(src=S4B, dst=C4) / ICMP(type=3, code=3) / quote4(q4),
    Ether(src=MAC_S, dst=MAC_C) / IP(src=ROUTER4, dst=C4) / ICMP(type=11, code=0) / quote4(q4),
    Ether(src=MAC_S, dst=MAC_C) / IP(src=S4B, dst=C4) / ICMP(type=3, code=3) / quote4(q4_unknown),
    Ether(src=MAC_S, dst=MAC_C) / IPv6(src=S6, dst=C6) / ICMPv6DestUnreach(code=4) / quote6(q6),
    Ether(src=MAC_S, dst=MAC_C) / IPv6(src=S6, dst=C6) / ICMPv6DestUnreach(code=4) / quote6(q6_unknown),
]
assert len(pkts) == 71
main_write(pkts)
