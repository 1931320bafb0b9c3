#!/usr/bin/python3
"""L7: TLS identified by its ClientHello on a nonstandard port, matched on
tls.sni. The ClientHello is a real one, produced by Python's ssl module
(TLS 1.3 capable, SNI set), split over two TCP segments.

flow A 198.18.0.10:40020 -> 198.18.1.20:8443  SNI shop.example: allowed, no alert
flow B 198.18.0.10:40021 -> 198.18.1.20:9443  SNI c2.evil.example: drop signature
       9000101 blocks it (the second segment completes the hello: dropped with a
       reset; the next client packet is rejected by the blocked flow)
"""
import os
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403


def client_hello(sni):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    s = ctx.wrap_bio(inc, out, server_hostname=sni)
    try:
        s.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def seg(sport, dport, seq, ack, payload=b"", flags="PA"):
    p = Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4) / TCP(
        sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=65535)
    return p / Raw(payload) if payload else p


pkts = []
for sport, dport, sni in ((40020, 8443, "shop.example"), (40021, 9443, "c2.evil.example")):
    hello = client_hello(sni)
    half = len(hello) // 2
    hs = tcp_session(C4, S4, sport, dport, close=False)  # SYN, SYN/ACK, ACK (client ISN 1000)
    pkts += hs
    pkts.append(seg(sport, dport, 1001, 5001, hello[:half]))
    pkts.append(seg(sport, dport, 1001 + half, 5001, hello[half:]))
    pkts.append(seg(sport, dport, 1001 + len(hello), 5001, flags="A"))
main_write([at(p, 0.001 * i) for i, p in enumerate(pkts)])
