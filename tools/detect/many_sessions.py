#!/usr/bin/python3
"""Many sessions, one capture: the shape of the evaluation behind issue 9
(14,398 sessions, each its own TCP connection) to check that inspection
keeps up whatever the delivery: every request parsed, no slot exhausted, no
alert lost.

Writes N sessions (default 15,000, 500 a second) of one HTTP request that
the bundled signatures alert on, delivered as one of the evasion matrix's
variants (tests/evasion/evasion_matrix.py), runs rampartd offline with the
bundled set and prints the L7 counters.

usage: tools/detect/many_sessions.py [--rampartd PATH] [--sessions N] [--delivery plain|frag64|seg8|...]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "evasion"))
import evasion_matrix as em  # noqa: E402
import wire  # noqa: E402

REQUEST = (b"GET /search?q=%27%20OR%201%3D1-- HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: Mozilla/5.0\r\n"
           b"Accept: */*\r\n\r\n")
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rampartd", default=os.path.join(ROOT, "build", "rampartd"))
    ap.add_argument("--sessions", type=int, default=15000)
    ap.add_argument("--delivery", default="frag64", choices=em.VARIANTS)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "sessions.pcap")
        w = wire.PcapWriter(pcap)
        ident, t = 0, 1700000000.0
        for i in range(a.sessions):
            conv = em.Conversation(20000 + i % 40000, "tcp", 80, [(True, REQUEST), (False, RESPONSE)])
            w.t = t
            ident = em.deliver(conv, a.delivery, w, ident)
            t += 0.002
        w.close()
        r = subprocess.run([a.rampartd, "--pcap", pcap, "--hs-cache", os.path.join(tmp, "hs")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("rampartd exit %d: %s" % (r.returncode, r.stderr[-500:]))
        s = json.loads(r.stdout.strip().splitlines()[-1])
    l7 = s.get("l7", {})
    out = {"sessions": a.sessions, "delivery": a.delivery, "packets_in": s["packets_in"],
           "frag_datagrams": s["counters"].get("frag_datagrams", 0)}
    for k in ("flows_inspected", "slots_exhausted", "http_requests", "alerts", "alerts_lost"):
        out[k] = l7.get(k)
    out["drop_reasons"] = s["drop_reasons"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
