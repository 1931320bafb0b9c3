#!/usr/bin/python3
"""L7 anomalies become EVE "anomaly" events (inspection needs --rules):

flow A 198.18.0.10:40010 -> 198.18.1.20:80: a request with both Content-Length
       and Transfer-Encoding (the request-smuggling shape) -> applayer cl_and_te
flow B 198.18.0.10:40011 -> 198.18.1.20:80: the request's second segment is sent
       twice, the retransmission with different bytes (an evasion attempt) ->
       stream.reassembly_overlap_different_data; the first data wins, so the
       request that is inspected is the first one, and the contradicting
       retransmission is dropped (stream_conflict)
Nothing matches a signature; everything else is forwarded.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

smuggle = (b"POST /upload HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 4\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
a = tcp_session(C4, S4, 40010, 80, data_c=smuggle)


def seg(sport, seq, ack, payload, flags="PA"):
    return Ether(src=MAC_C, dst=MAC_S) / IP(src=C4, dst=S4) / TCP(
        sport=sport, dport=80, flags=flags, seq=seq, ack=ack, window=65535) / Raw(payload)


part1 = b"GET /index.html HTTP/1.1\r\n"
part2 = b"Host: shop.test\r\n\r\n"
evil2 = b"Host: evil.test\r\n\r\n"
hs = tcp_session(C4, S4, 40011, 80, close=False)  # SYN, SYN/ACK, ACK
isn = 1001
b = hs + [seg(40011, isn, 5001, part1), seg(40011, isn + len(part1), 5001, part2),
          seg(40011, isn + len(part1), 5001, evil2)]
pkts = [at(p, 0.001 * i) for i, p in enumerate(a + b)]
main_write(pkts)
