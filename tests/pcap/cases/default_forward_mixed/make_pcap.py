#!/usr/bin/python3
"""Embedded default policy (allow, non_ip allow): every packet is forwarded.

Mixed IPv4 + IPv6 traffic: ARP who-has/is-at, a TCP handshake, a UDP
query/answer, an ICMP echo and the same three over IPv6.  Six flows (ARP is
not IP and makes none).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

pkts = [
    # 0-1 ARP request and reply (non-IP)
    Ether(src=MAC_C, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=MAC_C, psrc=C4, pdst=S4),
    Ether(src=MAC_S, dst=MAC_C) / ARP(op=2, hwsrc=MAC_S, psrc=S4, hwdst=MAC_C, pdst=C4),
]
# 2-4 TCP v4 handshake (flow 1)
pkts += tcp_session(C4, S4, 40000, 80, close=False)
# 5-6 UDP v4 (flow 2)
pkts += [
    c2s4() / UDP(sport=40001, dport=53) / Raw(b"q" * 30),
    s2c4() / UDP(sport=53, dport=40001) / Raw(b"a" * 60),
]
# 7-8 ICMP echo v4 (flow 3)
pkts += [
    c2s4() / ICMP(type=8, id=0x1234, seq=1) / Raw(b"ping" * 8),
    s2c4() / ICMP(type=0, id=0x1234, seq=1) / Raw(b"ping" * 8),
]
# 9-11 TCP v6 handshake (flow 4)
pkts += tcp_session(C6, S6, 40002, 443, close=False, v6=True)
# 12-13 UDP v6 (flow 5)
pkts += [
    c2s6() / UDP(sport=40003, dport=53) / Raw(b"q" * 30),
    s2c6() / UDP(sport=53, dport=40003) / Raw(b"a" * 60),
]
# 14-15 ICMPv6 echo (flow 6)
pkts += [
    c2s6() / ICMPv6EchoRequest(id=0x4321, seq=1, data=b"ping6"),
    s2c6() / ICMPv6EchoReply(id=0x4321, seq=1, data=b"ping6"),
]

main_write(pkts)
