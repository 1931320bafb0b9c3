#!/usr/bin/python3
"""A standalone policy file (rampartd --policy, no --rules) with a group in
monitor mode and a signature set: the set's drop signature blocks a request
to a server outside the group and only alerts for the monitored server;
the rules' deny is reported, not enforced, for the monitored server.

flow A 198.18.0.10:40000 -> 198.18.1.20:8080  GET /etc/passwd: server in group 'watched' (monitor):
           alert (allowed, not enforced), every packet forwarded
flow B 198.18.0.10:40001 -> 198.18.1.53:8080  GET /etc/passwd: no group (protect): the request
           packet is dropped (l7_signature) and reset; the retransmission is rejected (policy_reject)
flow C 198.18.0.10:40002 -> 198.18.1.20:9999  denied by rule 'no-9999' but monitored: forwarded,
           one drop event with "enforced": false
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

req = b"GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: shop.test\r\n\r\n"
a = tcp_session(C4, S4, 40000, 8080, data_c=req, data_s=b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
b = tcp_session(C4, S4B, 40001, 8080, data_c=req, close=False)
b = b[:4] + [b[3].copy()]  # the server never answers the request; the client retransmits it
c = tcp_session(C4, S4, 40002, 9999, data_c=b"hello")
pkts = [at(p, 0.001 * i) for i, p in enumerate(a + b + c)]
main_write(pkts)
