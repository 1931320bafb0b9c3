#!/usr/bin/python3
"""L7: DNS queries over UDP, found by content (also on a nonstandard port),
matched on dns.query.

0 198.18.0.10:40030 -> 198.18.1.53:53    query shop.example           allowed
1 198.18.1.53:53 -> 198.18.0.10:40030    its answer                   allowed (return traffic)
2 198.18.0.10:40031 -> 198.18.1.53:53    query x1.c2.evil.example     drop sig: dropped, ICMP unreachable
3 198.18.0.10:40031 -> 198.18.1.53:53    the same query again         rejected (the flow stays blocked)
4 198.18.0.10:40032 -> 198.18.1.53:5353  query beacon.evil.example    drop sig on a nonstandard port
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403
from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402


def q(sport, dport, name, qid):
    return Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4B) / UDP(sport=sport, dport=dport) / DNS(
        id=qid, rd=1, qd=DNSQR(qname=name))


ans = Ether(src=MAC_S, dst=MAC_C) / IP(src=S4B, dst=C4) / UDP(sport=53, dport=40030) / DNS(
    id=1, qr=1, rd=1, ra=1, qd=DNSQR(qname="shop.example"), an=DNSRR(rrname="shop.example", rdata="198.18.1.80"))
pkts = [q(40030, 53, "shop.example", 1), ans, q(40031, 53, "x1.c2.evil.example", 2),
        q(40031, 53, "x1.c2.evil.example", 2), q(40032, 5353, "beacon.evil.example", 3)]
main_write([at(p, 0.001 * i) for i, p in enumerate(pkts)])
