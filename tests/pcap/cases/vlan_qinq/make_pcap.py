#!/usr/bin/python3
"""802.1Q and QinQ (802.1ad outer 0x88a8 and double 0x8100) tagged traffic.

0 802.1Q vlan 100 / IPv4 / TCP 40000 -> 23 SYN                    denied
1 802.1ad 200 / 802.1Q 100 / IPv4 / TCP 40001 -> 23 SYN           denied
2 802.1Q 300 / 802.1Q 100 / IPv4 / TCP 40002 -> 23 SYN            denied
3 802.1Q vlan 100 / IPv4 / TCP 40003 -> 80 SYN                    allowed
4 802.1Q vlan 100 / IPv4 / TCP 80 -> 40003 SYN/ACK                allowed
5 802.1ad 200 / 802.1Q 100 / IPv6 / TCP 40004 -> 80 SYN           allowed
6 802.1ad 200 / 802.1Q 100 / IPv6 / TCP 40005 -> 23 SYN           denied
7 802.1Q vlan 100 / ARP                                           allowed (non-IP)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403


def q(vid):
    return Ether(src=MAC_C, dst=MAC_S) / Dot1Q(vlan=vid)


def qinq(outer, inner):
    return Ether(src=MAC_C, dst=MAC_S, type=0x88A8) / Dot1AD(vlan=outer) / Dot1Q(vlan=inner)


def qq(outer, inner):
    return Ether(src=MAC_C, dst=MAC_S) / Dot1Q(vlan=outer) / Dot1Q(vlan=inner)


def syn(sport, dport):
    return TCP(sport=sport, dport=dport, flags="S", seq=1, window=65535)


pkts = [
    q(100) / IP(src=C4, dst=S4) / syn(40000, 23),
    qinq(200, 100) / IP(src=C4, dst=S4) / syn(40001, 23),
    qq(300, 100) / IP(src=C4, dst=S4) / syn(40002, 23),
    q(100) / IP(src=C4, dst=S4) / syn(40003, 80),
    Ether(src=MAC_S, dst=MAC_C) / Dot1Q(vlan=100) / IP(src=S4, dst=C4)
    / TCP(sport=80, dport=40003, flags="SA", seq=50, ack=2, window=65535),
    qinq(200, 100) / IPv6(src=C6, dst=S6) / syn(40004, 80),
    qinq(200, 100) / IPv6(src=C6, dst=S6) / syn(40005, 23),
    Ether(src=MAC_C, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=100) / ARP(op=1, hwsrc=MAC_C, psrc=C4, pdst=S4),
]
main_write(pkts)
