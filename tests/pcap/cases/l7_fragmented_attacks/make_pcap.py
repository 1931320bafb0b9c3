#!/usr/bin/python3
"""L7 inspection of fragmented datagrams: a request that a drop signature
blocks when it arrives whole is blocked the same way however its IP packet
is fragmented. Each flow: handshake, then the request packet (as fragments),
then the server's ACK only for the benign ones.

port  delivery of the request packet                                     result
40100 whole (the reference)                                             blocked
40101 IPv4, 64-byte fragments in order                                  blocked
40102 IPv4, 64-byte fragments in reverse order                          blocked
40103 IPv4, interleaved fragment by fragment with 40104's               blocked
40104 IPv4, benign request, interleaved with 40103's                    forwarded
40105 IPv4, first fragment 8 bytes: the TCP header split across two     blocked
40106 IPv6, 64-byte fragments in order                                  blocked
40107 IPv6, 64-byte fragments in reverse order                          blocked
40108 IPv4, benign request in 64-byte fragments                         forwarded

Blocked: every fragment of the request is dropped (l7_signature), the client
gets a RST and the server a RST continuing the client's direction, one alert
with action blocked.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

ATTACK = b"GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: shop.test\r\nAccept: */*\r\n\r\n"
BENIGN = b"GET /static/css/site.css HTTP/1.1\r\nHost: shop.test\r\nAccept: text/css\r\n\r\n"


def session(sport, data, v6=False):
    """Handshake + the request packet; returns (handshake frames, request frame)."""
    s = tcp_session(C6 if v6 else C4, S6 if v6 else S4, sport, 80, data_c=data, close=False, v6=v6)
    return s[:3], s[3]


def frags4(frame, size, ident):
    ip = frame[IP].copy()
    ip.id = ident
    return [Ether(src=MAC_C, dst=MAC_S) / f for f in fragment(ip, fragsize=size)]


def frags6(frame, size, ident):
    ip6 = frame[IPv6].copy()
    pkt = IPv6(src=ip6.src, dst=ip6.dst) / IPv6ExtHdrFragment(id=ident) / ip6.payload
    return [Ether(src=MAC_C, dst=MAC_S) / f for f in fragment6(pkt, size + 48)]


def tiny_first4(frame, ident):
    """The TCP header split: 8 bytes in the first fragment, the rest in the second."""
    ip = frame[IP]
    l4 = raw(ip.payload)
    hdr = dict(src=ip.src, dst=ip.dst, id=ident, proto=6)
    return [Ether(src=MAC_C, dst=MAC_S) / IP(flags="MF", frag=0, **hdr) / Raw(l4[:8]),
            Ether(src=MAC_C, dst=MAC_S) / IP(flags=0, frag=1, **hdr) / Raw(l4[8:])]


pkts = []
hs, req = session(40100, ATTACK)
pkts += hs + [req]
hs, req = session(40101, ATTACK)
pkts += hs + frags4(req, 64, 0x501)
hs, req = session(40102, ATTACK)
pkts += hs + list(reversed(frags4(req, 64, 0x502)))
hs3, req3 = session(40103, ATTACK)
hs4, req4 = session(40104, BENIGN)
f3, f4 = frags4(req3, 64, 0x503), frags4(req4, 64, 0x504)
pkts += hs3 + hs4
for i in range(max(len(f3), len(f4))):
    pkts += f3[i:i + 1] + f4[i:i + 1]
hs, req = session(40105, ATTACK)
pkts += hs + tiny_first4(req, 0x505)
hs, req = session(40106, ATTACK, v6=True)
pkts += hs + frags6(req, 64, 0x506)
hs, req = session(40107, ATTACK, v6=True)
pkts += hs + list(reversed(frags6(req, 64, 0x507)))
hs, req = session(40108, BENIGN)
pkts += hs + frags4(req, 64, 0x508)

main_write([at(p, 0.001 * i) for i, p in enumerate(pkts)])
