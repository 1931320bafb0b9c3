#!/usr/bin/python3
"""reject answers: TCP gets a RST, UDP an ICMP / ICMPv6 port unreachable.

0 TCP  198.18.0.10:40000 -> 198.18.1.20:23 SYN          reject (RST)
1 UDP  198.18.0.10:40001 -> 198.18.1.20:69 (tftp)       reject (ICMP 3/3)
2 TCP  2001:db8::10:40002 -> 2001:db8:1::20:23 SYN      reject (RST)
3 UDP  2001:db8::10:40003 -> 2001:db8:1::20:69          reject (ICMPv6 1/4)
4 UDP  198.18.0.10:40004 -> 198.18.1.20:53              allowed
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

pkts = [
    c2s4() / TCP(sport=40000, dport=23, flags="S", seq=1000, window=65535),
    c2s4() / UDP(sport=40001, dport=69) / Raw(b"\x00\x01file\x00octet\x00"),
    c2s6() / TCP(sport=40002, dport=23, flags="S", seq=2000, window=65535),
    c2s6() / UDP(sport=40003, dport=69) / Raw(b"\x00\x01file\x00octet\x00"),
    c2s4() / UDP(sport=40004, dport=53) / Raw(b"Q" * 29),
]
main_write(pkts)
