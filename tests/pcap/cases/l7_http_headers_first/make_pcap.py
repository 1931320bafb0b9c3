#!/usr/bin/python3
"""L7: the request line and headers of a request are inspected as soon as
they are complete, before its body: a chunked body that never ends does not
delay (or evade) a signature on the URI; signatures on the body wait for it;
nothing is reported twice.

flow A 198.18.0.10:40200 -> 198.18.1.20:8080  POST /upload/%2e%2e/%2e%2e/etc/passwd, chunked, then one
           chunk and no last chunk: drop sig 9000401 (http.uri) blocks the header segment at once
           (l7_signature); the next chunk is rejected by the blocked flow (policy_reject)
flow B 198.18.0.10:40201 -> 198.18.1.20:8080  POST /api/run, Content-Length 14, body "cmd=whoami;id" in a
           later segment: alert sig 9000402 (http.uri "/api/") once, alert sig 9000403
           (http.request_body "whoami") once, when the body has arrived
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

head_a = (b"POST /upload/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: shop.test\r\n"
          b"Transfer-Encoding: chunked\r\n\r\n")
a = tcp_client_segments(C4, S4, 40200, 8080, [head_a, b"5\r\nhello\r\n"], close=False)
# a: SYN SA ACK | head A | chunk A. The head is dropped, so the server never
# ACKs it: leave out its ACK (index 4).
a = a[:4] + [a[5]]
head_b = b"POST /api/run HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 13\r\n\r\n"
b = tcp_client_segments(C4, S4, 40201, 8080, [head_b, b"cmd=whoami;id"])
pkts = [at(p, 0.001 * i) for i, p in enumerate(a + b)]
main_write(pkts)
