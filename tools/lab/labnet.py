#!/usr/bin/python3
"""Small network helpers for the Rampart namespace lab (tools/lab/lab.sh).

Only the Python standard library is used, so the lab needs nothing beyond
iproute2, ethtool, curl, netcat-openbsd and python3.

Subcommands (run them inside a namespace with `ip netns exec`):

  ping ADDR [-c N] [-W SECS]        ICMP/ICMPv6 echo; exit 0 on the first reply
  http-serve DIR PORT [PORT...]     dual-stack HTTP file server on every PORT
  udp-echo PORT [PORT...]           dual-stack UDP echo server on every PORT
  tcp-probe ADDR PORT [-W SECS]     connect once; prints "connected|refused|timeout|error MS"
  udp-probe ADDR PORT [-W SECS]     send one datagram on a connected socket and wait
                                    for the echo; prints "reply|refused|timeout|error MS"
  summary FILE                      print the last JSON summary object found in a
                                    rampartd stdout capture (one compact line)
  eve-count FILE [filters]          count EVE records that match every filter
  eve-show FILE [filters] [-n N] [--brief]
                                    print up to N matching EVE records
"""

import argparse
import http.server
import ipaddress
import json
import os
import select
import socket
import struct
import sys
import threading
import time


def family_of(addr):
    return socket.AF_INET6 if ipaddress.ip_address(addr).version == 6 else socket.AF_INET


# ---------------------------------------------------------------- ping

def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def cmd_ping(args):
    fam = family_of(args.addr)
    proto = socket.IPPROTO_ICMPV6 if fam == socket.AF_INET6 else socket.IPPROTO_ICMP
    echo_req, echo_rep = (128, 129) if fam == socket.AF_INET6 else (8, 0)
    sock = socket.socket(fam, socket.SOCK_RAW, proto)
    ident = os.getpid() & 0xFFFF
    for seq in range(1, args.count + 1):
        payload = b"rampart-lab" + struct.pack("!d", time.time())
        hdr = struct.pack("!BBHHH", echo_req, 0, 0, ident, seq)
        if fam == socket.AF_INET:  # the kernel fills the ICMPv6 checksum itself
            hdr = struct.pack("!BBHHH", echo_req, 0, inet_checksum(hdr + payload), ident, seq)
        t0 = time.monotonic()
        try:
            sock.sendto(hdr + payload, (args.addr, 0))
        except OSError as e:  # e.g. no neighbour yet, network unreachable
            print("send failed: %s" % e, file=sys.stderr)
            time.sleep(args.timeout)
            continue
        deadline = t0 + args.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([sock], [], [], left)
            if not r:
                break
            data, src = sock.recvfrom(65535)
            if fam == socket.AF_INET:
                data = data[(data[0] & 0x0F) * 4:]  # raw IPv4 sockets include the IP header
            if len(data) < 8:
                continue
            typ, _, _, rid, rseq = struct.unpack("!BBHHH", data[:8])
            if typ == echo_rep and rid == ident and rseq == seq:
                if not args.quiet:
                    print("reply from %s seq=%d time=%.1f ms"
                          % (src[0], seq, (time.monotonic() - t0) * 1000))
                return 0
    if not args.quiet:
        print("no reply from %s" % args.addr)
    return 1


# ---------------------------------------------------------------- servers

class DualStackThreadingHTTPServer(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def cmd_http_serve(args):
    directory = os.path.abspath(args.dir)

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def __init__(self, *a, **kw):
            super().__init__(*a, directory=directory, **kw)

        def log_message(self, fmt, *a):
            sys.stderr.write("http %s:%d %s\n" % (self.client_address[0],
                                                  self.server.server_address[1], fmt % a))
            sys.stderr.flush()

    servers = [DualStackThreadingHTTPServer(("::", p), Handler) for p in args.ports]
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("http-serve: %s on ports %s" % (directory, " ".join(map(str, args.ports))), flush=True)
    servers[0].serve_forever()
    return 0


def cmd_udp_echo(args):
    socks = []
    for p in args.ports:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", p))
        socks.append(s)
    print("udp-echo: ports %s" % " ".join(map(str, args.ports)), flush=True)
    while True:
        r, _, _ = select.select(socks, [], [])
        for s in r:
            data, peer = s.recvfrom(65535)
            s.sendto(b"echo:" + data, peer)


# ---------------------------------------------------------------- probes

def cmd_tcp_probe(args):
    s = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
    s.settimeout(args.timeout)
    t0 = time.monotonic()
    try:
        s.connect((args.addr, args.port))
        res = "connected"
    except ConnectionRefusedError:
        res = "refused"
    except (socket.timeout, TimeoutError):
        res = "timeout"
    except OSError as e:
        res = "error(%s)" % e.strerror
    ms = (time.monotonic() - t0) * 1000
    s.close()
    print("%s %d" % (res, ms))
    return 0


def cmd_udp_probe(args):
    s = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
    s.settimeout(args.timeout)
    t0 = time.monotonic()
    try:
        s.connect((args.addr, args.port))
        msg = b"rampart-lab-%d" % os.getpid()
        s.send(msg)
        data = s.recv(65535)
        res = "reply" if data == b"echo:" + msg else "bad-reply"
    except ConnectionRefusedError:
        res = "refused"
    except (socket.timeout, TimeoutError):
        res = "timeout"
    except OSError as e:
        res = "error(%s)" % e.strerror
    ms = (time.monotonic() - t0) * 1000
    s.close()
    print("%s %d" % (res, ms))
    return 0


# ---------------------------------------------------------------- rampartd output

def find_summary(text):
    """The last JSON object in TEXT that looks like a rampartd summary.

    DPDK's EAL logs to stdout on Linux, so the capture may hold log lines
    around the summary; the summary may be one line or pretty-printed."""
    dec = json.JSONDecoder()
    best = None
    pos = 0
    while True:
        i = text.find("{", pos)
        if i < 0:
            break
        if i == 0 or text[i - 1] == "\n":
            try:
                obj, end = dec.raw_decode(text, i)
            except ValueError:
                pos = i + 1
                continue
            if isinstance(obj, dict) and "packets_in" in obj:
                best = obj
            pos = end
        else:
            pos = i + 1
    return best


def cmd_summary(args):
    with open(args.file, errors="replace") as f:
        obj = find_summary(f.read())
    if obj is None:
        print("no summary found in %s" % args.file, file=sys.stderr)
        return 1
    print(json.dumps(obj, indent=2 if args.pretty else None))
    return 0


def norm_ip(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def eve_records(args):
    with open(args.file, errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if args.event and rec.get("event_type") != args.event:
                continue
            if args.proto and str(rec.get("proto", "")).upper() != args.proto.upper():
                continue
            if args.src_ip and norm_ip(rec.get("src_ip", "")) != norm_ip(args.src_ip):
                continue
            if args.dest_ip and norm_ip(rec.get("dest_ip", "")) != norm_ip(args.dest_ip):
                continue
            if args.dest_port is not None and rec.get("dest_port") != args.dest_port:
                continue
            if args.ip_version:
                a = rec.get("src_ip") or rec.get("dest_ip") or ""
                try:
                    if ipaddress.ip_address(a).version != args.ip_version:
                        continue
                except ValueError:
                    continue
            if args.contains and any(c not in line for c in args.contains):
                continue
            fl = rec.get("flow") or {}
            if args.min_bytes_toserver is not None and (fl.get("bytes_toserver") or 0) < args.min_bytes_toserver:
                continue
            if args.min_bytes_toclient is not None and (fl.get("bytes_toclient") or 0) < args.min_bytes_toclient:
                continue
            yield rec, line


def cmd_eve_count(args):
    print(sum(1 for _ in eve_records(args)))
    return 0


def brief(rec):
    """One human-readable line for an EVE record."""
    def ep(ip, port):
        ip = norm_ip(ip or "?")
        if port is None:
            return ip
        return ("[%s]:%s" if ":" in ip else "%s:%s") % (ip, port)
    rp = rec.get("rampart") or {}
    out = "%-5s %-9s %s -> %s" % (rec.get("event_type"), rec.get("proto"),
                                  ep(rec.get("src_ip"), rec.get("src_port")),
                                  ep(rec.get("dest_ip"), rec.get("dest_port")))
    verdict = rp.get("verdict") or (rec.get("flow") or {}).get("action") or ""
    out += "  %s" % verdict
    if rp.get("rule"):
        out += " by rule %s" % rp["rule"]
    if rp.get("mode"):
        out += " (%s mode: the rules said %s, enforced: %s)" % (
            rp["mode"], rp.get("policy_verdict"), "yes" if rp.get("enforced") else "no")
    fl = rec.get("flow")
    if fl:
        out += "  pkts %s/%s bytes %s/%s state %s" % (
            fl.get("pkts_toserver"), fl.get("pkts_toclient"),
            fl.get("bytes_toserver"), fl.get("bytes_toclient"), fl.get("state"))
    dr = rec.get("drop")
    if dr:
        out += "  reason %s" % dr.get("reason")
    al = rec.get("alert")
    if al:
        out += "%s sid %s: %s" % (al.get("action"), al.get("signature_id"), al.get("signature"))
    return out


def cmd_eve_show(args):
    for n, (rec, line) in enumerate(eve_records(args)):
        if n >= args.n:
            break
        print(brief(rec) if args.brief else line)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("ping")
    p.add_argument("addr")
    p.add_argument("-c", "--count", type=int, default=1)
    p.add_argument("-W", "--timeout", type=float, default=1.0)
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(fn=cmd_ping)

    p = sub.add_parser("http-serve")
    p.add_argument("dir")
    p.add_argument("ports", type=int, nargs="+")
    p.set_defaults(fn=cmd_http_serve)

    p = sub.add_parser("udp-echo")
    p.add_argument("ports", type=int, nargs="+")
    p.set_defaults(fn=cmd_udp_echo)

    for name, fn in (("tcp-probe", cmd_tcp_probe), ("udp-probe", cmd_udp_probe)):
        p = sub.add_parser(name)
        p.add_argument("addr")
        p.add_argument("port", type=int)
        p.add_argument("-W", "--timeout", type=float, default=2.0)
        p.set_defaults(fn=fn)

    p = sub.add_parser("summary")
    p.add_argument("file")
    p.add_argument("--pretty", action="store_true")
    p.set_defaults(fn=cmd_summary)

    for name, fn in (("eve-count", cmd_eve_count), ("eve-show", cmd_eve_show)):
        p = sub.add_parser(name)
        p.add_argument("file")
        p.add_argument("--event")
        p.add_argument("--proto")
        p.add_argument("--src-ip")
        p.add_argument("--dest-ip")
        p.add_argument("--dest-port", type=int)
        p.add_argument("--ip-version", type=int, choices=(4, 6))
        p.add_argument("--contains", action="append", help="a substring of the record (repeatable: all)")
        p.add_argument("--min-bytes-toserver", type=int)
        p.add_argument("--min-bytes-toclient", type=int)
        p.add_argument("-n", type=int, default=5)
        p.add_argument("--brief", action="store_true", help="one readable line per record")
        p.set_defaults(fn=fn)

    args = ap.parse_args()
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
