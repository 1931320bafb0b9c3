#!/usr/bin/python3
"""Update-under-load helpers for tests/e2e/policy_swap_test.sh.

  swap_load.py receive PORT... --out FILE --seconds S
      (in the server namespace) counts datagrams per port and the sequence
      numbers seen; writes JSON {port: {"count": n, "seqs": [...]}} when S
      seconds passed with no datagram after the first one, or at SIGTERM.
  swap_load.py send DST PORT... --rate PPS --seconds S --out FILE
      (in the client namespace) sends datagrams round-robin over the ports
      at a constant rate, each carrying "port:seq"; writes JSON
      {port: sent}.
  swap_load.py swaps SOCKET --count N --port-a P --port-b Q --out FILE
      applies N policies through rampartd's appliance API (unix socket),
      alternating A (allow everything) and B (deny UDP to port Q); writes
      JSON with the applies (version, rpc ms, build/publish ms) and the
      number that failed.
"""

import argparse
import json
import os
import signal
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "lab"))
from appliance_api import appliance_pb2, unary  # noqa: E402


def cmd_receive(a):
    socks = []
    for p in a.ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind(("0.0.0.0", p))
        s.setblocking(False)
        socks.append((p, s))
    got = {p: set() for p in a.ports}
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    import select
    first = None
    last = time.monotonic()
    with open(a.out + ".ready", "w") as f:
        f.write("ready\n")
    while not stop[0]:
        r, _, _ = select.select([s for _, s in socks], [], [], 0.2)
        now = time.monotonic()
        for p, s in socks:
            if s not in r:
                continue
            while True:
                try:
                    data = s.recv(2048)
                except BlockingIOError:
                    break
                port, seq = data.decode().split(":")
                got[p].add(int(seq))
                first = first or now
                last = now
        if first is not None and now - last > a.seconds:
            break
    with open(a.out, "w") as f:
        json.dump({str(p): {"count": len(v), "seqs": sorted(v)} for p, v in got.items()}, f)


def cmd_send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = {p: 0 for p in a.ports}
    interval = 1.0 / a.rate
    t0 = time.monotonic()
    n = 0
    end = t0 + a.seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = t0 + n * interval
        if due > now:
            time.sleep(due - now)
        p = a.ports[n % len(a.ports)]
        s.sendto(("%d:%d" % (p, sent[p])).encode(), (a.dst, p))
        sent[p] += 1
        n += 1
    with open(a.out, "w") as f:
        json.dump({str(p): c for p, c in sent.items()}, f)


def cmd_swaps(a):
    import grpc
    pb = appliance_pb2()
    ch = grpc.insecure_channel("unix:" + a.socket)
    apply = unary(ch, "ApplyPolicy", pb.ApplyPolicyResponse)
    status = unary(ch, "GetStatus", pb.GetStatusResponse)
    version = status(pb.GetStatusRequest(), timeout=10).applied_version + 1
    rows, failed = [], 0
    for i in range(a.count):
        p = pb.Policy(version=version, default_action=pb.ACTION_ALLOW, non_ip_action=pb.ACTION_ALLOW,
                      origin="swap-%d-%s" % (i, "ab"[i % 2]))
        # Both policies carry the same rules except the deny for port B, so
        # every swap changes the verdict of port B's flow and only that.
        r = p.rules.add(name="allow-a", action=pb.ACTION_ALLOW, protocol=17)
        r.dst_ports.add(first=a.port_a, last=a.port_a)
        if i % 2 == 1:
            r = p.rules.add(name="deny-b", action=pb.ACTION_DENY, protocol=17)
            r.dst_ports.add(first=a.port_b, last=a.port_b)
        t0 = time.monotonic()
        try:
            resp = apply(pb.ApplyPolicyRequest(policy=p), timeout=30)
            rows.append({"version": version, "rpc_ms": (time.monotonic() - t0) * 1e3,
                         "build_ms": resp.build_seconds * 1e3, "publish_ms": resp.publish_seconds * 1e3,
                         "p99_loop_us": resp.p99_worker_loop_ns / 1e3})
        except grpc.RpcError as e:
            failed += 1
            rows.append({"version": version, "error": "%s: %s" % (e.code(), e.details())})
        version += 1
        time.sleep(a.pause)
    final = status(pb.GetStatusRequest(), timeout=10)
    with open(a.out, "w") as f:
        json.dump({"applies": rows, "failed": failed, "last_version": version - 1,
                   "status_applied_version": final.applied_version, "status_origin": final.policy_origin}, f)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("receive")
    r.add_argument("ports", type=int, nargs="+")
    r.add_argument("--out", required=True)
    r.add_argument("--seconds", type=float, default=3.0)
    s = sub.add_parser("send")
    s.add_argument("dst")
    s.add_argument("ports", type=int, nargs="+")
    s.add_argument("--rate", type=float, default=2000)
    s.add_argument("--seconds", type=float, default=15)
    s.add_argument("--out", required=True)
    w = sub.add_parser("swaps")
    w.add_argument("socket")
    w.add_argument("--count", type=int, default=100)
    w.add_argument("--port-a", type=int, required=True)
    w.add_argument("--port-b", type=int, required=True)
    w.add_argument("--pause", type=float, default=0.02)
    w.add_argument("--out", required=True)
    a = ap.parse_args()
    {"receive": cmd_receive, "send": cmd_send, "swaps": cmd_swaps}[a.cmd](a)


if __name__ == "__main__":
    main()
