#!/usr/bin/python3
"""L7: raw-stream signatures (no sticky buffer) match across TCP segment
boundaries with Hyperscan streaming mode, honour the ports and protocol in
their header, and raw UDP payload signatures match datagrams.

flow A 198.18.0.10:40100 -> 198.18.1.20:4444  client sends "hello MAG" | "IC-TOKEN and th" | "e end\\n":
           drop sig 9000301 (content "MAGIC-TOKEN", then "end") matches only with the third
           segment: that segment is dropped (l7_signature), resets both ways
flow B 198.18.0.10:40101 -> 198.18.1.20:4445  the same bytes: the signature's port is 4444, no alert
flow C 198.18.0.10:40102 -> 198.18.1.20:80    an HTTP request carrying "X-Raw-Marker" in a header split
           over two segments: alert sig 9000302 (`http`, raw content) fires; sig 9000303
           (`tls`, same content) does not: the flow is HTTP
flow D 198.18.0.10:40103 -> 198.18.1.20:9999  UDP datagram with "UDPMAGIC": alert sig 9000304; the
           server's answer carries "REPLYMAGIC": alert sig 9000307 (`udp any 9999 -> any any`)
flow E 198.18.0.10:40104 -> 198.18.1.20:4446  the server's reply carries "SECRET-LEAK": alert sig 9000305
           (flow:to_client) with the server as src; sig 9000306 (same content, flow:to_server) does not fire
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403


raw = [b"hello MAG", b"IC-TOKEN and th", b"e end\n"]
a = tcp_client_segments(C4, S4, 40100, 4444, raw)
# a: SYN SA ACK | d1 A | d2 A | d3 A | FA FA A. The third data segment is
# dropped; stop the capture after it (the client is reset).
a = a[:9]
b = tcp_client_segments(C4, S4, 40101, 4445, raw)
http = [b"GET /x HTTP/1.1\r\nHost: shop.test\r\nX-Raw-Mar", b"ker: 1\r\n\r\n"]
c = tcp_client_segments(C4, S4, 40102, 80, http)
d = [Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4) / UDP(sport=40103, dport=9999) / Raw(b"xxUDPMAGICxx"),
     Ether(src=MAC_S, dst=MAC_C) / IP(src=S4, dst=C4) / UDP(sport=9999, dport=40103) / Raw(b"--REPLYMAGIC--")]
e = tcp_session(C4, S4, 40104, 4446, data_c=b"GET-REPORT\n", data_s=b"report: SECRET-LEAK of 3 rows\n")
pkts = [at(p, 0.001 * i) for i, p in enumerate(a + b + c + d + e)]
main_write(pkts)
