#!/usr/bin/python3
"""non_ip: deny drops ARP and LLDP (and other non-IP frames) while IP passes.

0 ARP request   1 ARP reply   2 LLDP frame   3 UDP v4   4 UDP v6   5 802.1Q-tagged ARP
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

# Minimal LLDPDU: chassis id, port id, TTL, end.
lldp = bytes.fromhex("0207" "04020000000001" "0403" "0531" "0602" "0078" "0000")
pkts = [
    Ether(src=MAC_C, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=MAC_C, psrc=C4, pdst=S4),
    Ether(src=MAC_S, dst=MAC_C) / ARP(op=2, hwsrc=MAC_S, psrc=S4, hwdst=MAC_C, pdst=C4),
    Ether(src=MAC_C, dst="01:80:c2:00:00:0e", type=0x88CC) / Raw(lldp),
    c2s4() / UDP(sport=40000, dport=53) / Raw(b"Q" * 20),
    c2s6() / UDP(sport=40001, dport=53) / Raw(b"Q" * 20),
    Ether(src=MAC_C, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=7) / ARP(op=1, hwsrc=MAC_C, psrc=C4, pdst=S4),
]
main_write(pkts)
