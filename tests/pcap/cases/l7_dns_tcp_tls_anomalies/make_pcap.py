#!/usr/bin/python3
"""L7: DNS over TCP is identified by content on any port and its queries are
matched on dns.query; DNS and TLS protocol anomalies become EVE anomaly
events.

flow A 198.18.0.10:40400 -> 198.18.1.20:53    TCP: length prefix and header in one segment, the rest
           of a query for c2.evil.test in the next: drop sig 9000501 blocks that segment
flow B 198.18.0.10:40401 -> 198.18.1.20:5300  TCP: a query for www.example.test, then a second
           message with QDCOUNT 2 (anomaly multiple_questions); no signature matches
flow C 198.18.0.10:40402 -> 198.18.1.20:8443  TLS ClientHello whose SNI extension names two hosts
           (anomaly sni_multiple_names); its first name is matched on tls.sni: no alert
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403


def qname(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def dns_query(txid, names):
    body = struct.pack("!HHHHHH", txid, 0x0100, len(names), 0, 0, 0)
    for n in names:
        body += qname(n) + struct.pack("!HH", 1, 1)
    return struct.pack("!H", len(body)) + body


def client_hello(names):
    sni_list = b"".join(b"\0" + struct.pack("!H", len(n)) + n.encode() for n in names)
    sni = struct.pack("!HH", 0, len(sni_list) + 2) + struct.pack("!H", len(sni_list)) + sni_list
    body = b"\x03\x03" + bytes(32) + b"\0" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00"
    body += struct.pack("!H", len(sni)) + sni
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


qa = dns_query(0x1234, ["c2.evil.test"])
a = tcp_client_segments(C4, S4, 40400, 53, [qa[:14], qa[14:]], close=False)
# a: SYN SA ACK | seg1 A | seg2 (dropped): stop there.
a = a[:7]
b = tcp_client_segments(C4, S4, 40401, 5300, [dns_query(1, ["www.example.test"]),
                                              dns_query(2, ["a.example.test", "b.example.test"])])
c = tcp_client_segments(C4, S4, 40402, 8443, [client_hello(["shop.example.test", "other.example.test"])])
pkts = [at(p, 0.001 * i) for i, p in enumerate(a + b + c)]
main_write(pkts)
