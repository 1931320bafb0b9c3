#!/usr/bin/python3
"""L7: an HTTP request carrying a path traversal is blocked by a drop
signature, on a nonstandard port (identification does not trust the port);
an ordinary request on another flow passes and a matching alert-only
signature logs without blocking.

flow A 198.18.0.10:40000 -> 198.18.1.20:8080  GET /index.html, alert sig 9000002 (User-Agent) matches, forwarded
flow B 198.18.0.10:40001 -> 198.18.1.20:8888  GET /../../etc/passwd (percent-encoded), drop sig 9000001:
           the request packet is dropped (l7_signature) and answered with a RST; the client's
           retransmission is rejected by the flow's blocked verdict (policy_reject)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

a = tcp_session(C4, S4, 40000, 8080,
                data_c=b"GET /index.html HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: curl/8.0 demo-scanner\r\n\r\n",
                data_s=b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
attack = b"GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: shop.test\r\n\r\n"
b = tcp_session(C4, S4, 40001, 8888, data_c=attack, close=False)
# b: SYN, SYN/ACK, ACK, request, server ACK. Drop the server's ACK (it never
# saw the request) and retransmit the request once.
b = b[:4] + [b[3].copy()]
pkts = [at(p, 0.001 * i) for i, p in enumerate(a + b)]
main_write(pkts)
