#!/usr/bin/python3
"""IPv6 with extension headers is classified by the transport ports behind them.

0 IPv6 / Hop-by-Hop / Destination Options / UDP 40000 -> 5000     denied (deny-udp-5000)
1 IPv6 / Hop-by-Hop / Destination Options / TCP 40001 -> 23 SYN  denied (deny-telnet)
2 IPv6 / Destination Options / UDP 40002 -> 5001                 allowed (default)
3 IPv6 / Hop-by-Hop / Destination Options / TCP 40003 -> 80 SYN  allowed
4 reply to 3: IPv6 / TCP 80 -> 40003 SYN/ACK (no ext headers)    allowed (same flow)
5 IPv6 / Hop-by-Hop / Routing (type 0, segleft 0) / Destination Options / UDP 40004 -> 5000  denied
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403


def hbh():
    return IPv6ExtHdrHopByHop()  # one PadN option, 8 bytes


def dst():
    return IPv6ExtHdrDestOpt()


pkts = [
    c2s6() / hbh() / dst() / UDP(sport=40000, dport=5000) / Raw(b"x" * 20),
    c2s6() / hbh() / dst() / TCP(sport=40001, dport=23, flags="S", seq=1, window=65535),
    c2s6() / dst() / UDP(sport=40002, dport=5001) / Raw(b"y" * 20),
    c2s6() / hbh() / dst() / TCP(sport=40003, dport=80, flags="S", seq=100, window=65535),
    s2c6() / TCP(sport=80, dport=40003, flags="SA", seq=900, ack=101, window=65535),
    c2s6() / hbh() / IPv6ExtHdrRouting(type=0, segleft=0, addresses=[]) / dst()
    / UDP(sport=40004, dport=5000) / Raw(b"z" * 20),
]
main_write(pkts)
