#!/usr/bin/python3
"""One complete TCP conversation to port 80 under a default-deny policy.

SYN, SYN/ACK, ACK, request + ACK, response + ACK, FIN/ACK, FIN/ACK, ACK:
10 packets, 6 client->server, 4 server->client, one flow.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

pkts = tcp_session(C4, S4, 40000, 80,
                   data_c=b"GET / HTTP/1.1\r\nHost: rampart.test\r\n\r\n",
                   data_s=b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
assert len(pkts) == 10
main_write(pkts)
