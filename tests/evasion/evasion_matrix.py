#!/usr/bin/python3
"""The evasion matrix: an attacker's choice of delivery never changes a
verdict.

Every conversation of the L7 attack pcap cases (tests/pcap/cases/l7_*, those
without a policy file, with their own signatures) and, when ../shared/data
is there, a fixed sample of OWASP CRS regression requests (attacks and the
ones described as benign) plus ordinary synthetic requests (bundled
signatures), each in its own TCP session, is delivered seven ways:

  plain     each message in 1400-byte segments, in order
  seg1      1-byte segments
  seg8      8-byte segments
  ooo       8-byte segments, each message's segments in reverse order
  frag64    1400-byte segments, each sent as 64-byte IPv4 fragments
  ipv6      plain, over IPv6
  chunked   plain, HTTP request bodies re-sent with chunked transfer coding
            (the body split in 16-byte chunks)

rampartd runs offline over each variant's capture; for every conversation
the set of signature ids that alerted and whether the flow was blocked must
be exactly those of the plain delivery. UDP conversations (DNS) take part in
plain, frag64 and ipv6 (segmenting does not apply to them).

usage: evasion_matrix.py [--rampartd PATH] [--crs-sample N] [--keep DIR] [--verbose]
Exit 0 when every variant matches plain, 1 otherwise.
"""

import argparse
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import wire  # noqa: E402

PCAP_CASES = os.path.join(ROOT, "tests", "pcap", "cases")
CASES = ["l7_http_signature_block", "l7_raw_stream", "l7_http_headers_first", "l7_offline_bundled",
         "l7_tls_sni", "l7_dns_query", "l7_dns_tcp_tls_anomalies", "l7_fragmented_attacks"]
VARIANTS = ["plain", "seg1", "seg8", "ooo", "frag64", "ipv6", "chunked"]
SEGMENT = {"plain": 1400, "seg1": 1, "seg8": 8, "ooo": 8, "frag64": 1400, "ipv6": 1400, "chunked": 1400}

C4, S4 = wire.addr("198.18.0.10"), wire.addr("198.18.1.20")
C6, S6 = wire.addr("2001:db8::10"), wire.addr("2001:db8:1::20")


class Conversation:
    def __init__(self, cid, proto, dport, messages, label=""):
        self.cid = cid            # unique: also its client port
        self.proto = proto        # "tcp" | "udp"
        self.dport = dport
        self.messages = messages  # [(to_server, bytes)]
        self.label = label


# ---------------------------------------------------------------- sources

def conversations_from_case(case, first_id):
    """Reconstructs the TCP and UDP conversations of a pcap case's capture."""
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.all import IP, IPv6, TCP, UDP, IPv6ExtHdrFragment, defragment, rdpcap
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "in.pcap")
        subprocess.run(["/usr/bin/python3", os.path.join(PCAP_CASES, case, "make_pcap.py"), pcap], check=True)
        pkts = rdpcap(pcap)
    # Fragments first: the conversation is what the hosts exchanged.
    v4 = list(defragment([p for p in pkts if IP in p]))
    v6, frags6 = [], collections.OrderedDict()
    for p in pkts:
        if IP in p or IPv6 not in p:
            continue
        if IPv6ExtHdrFragment in p:
            fh = p[IPv6ExtHdrFragment]
            frags6.setdefault((p[IPv6].src, p[IPv6].dst, fh.id), []).append((fh.offset * 8, fh.nh, bytes(fh.payload)))
        else:
            v6.append(p)
    for (src, dst, _), parts in frags6.items():
        parts.sort()
        data = b"".join(part for _, _, part in parts)
        l4 = TCP(data) if parts[0][1] == 6 else UDP(data)
        v6.append(IPv6(src=src, dst=dst) / l4)
    pkts = v4 + v6
    convs = collections.OrderedDict()
    seen = set()
    for p in pkts:
        ip = p[IP] if IP in p else p[IPv6] if IPv6 in p else None
        if ip is None:
            continue
        if TCP in p:
            l4, proto = p[TCP], "tcp"
        elif UDP in p:
            l4, proto = p[UDP], "udp"
        else:
            continue
        a, b = (ip.src, l4.sport), (ip.dst, l4.dport)
        key = (proto,) + tuple(sorted([a, b]))
        if key not in convs:
            if proto == "tcp" and not (l4.flags & 0x02 and not l4.flags & 0x10):
                continue  # starts with a SYN from its client
            convs[key] = {"client": a, "dport": l4.dport, "messages": []}
        c = convs[key]
        payload = bytes(l4.payload)
        if proto == "tcp" and l4.payload.name == "Padding":
            payload = b""
        if not payload:
            continue
        to_server = a == c["client"]
        if proto == "tcp":
            mark = (key, to_server, l4.seq)
            if mark in seen:
                continue  # a retransmission
            seen.add(mark)
        msgs = c["messages"]
        if msgs and msgs[-1][0] == to_server and proto == "tcp":
            msgs[-1] = (to_server, msgs[-1][1] + payload)
        else:
            msgs.append((to_server, payload))
    out = []
    for i, (key, c) in enumerate(convs.items()):
        if c["messages"]:
            out.append(Conversation(first_id + len(out), key[0], c["dport"], c["messages"], "%s#%d" % (case, i)))
    return out


def conversations_from_crs(sample, first_id):
    sys.path.insert(0, os.path.join(ROOT, "tools", "detect"))
    import eval as detect_eval  # noqa: E402  (tools/detect/eval.py: the corpus builders)
    if not os.path.isdir(detect_eval.CRS_TESTS):
        return []
    cases = detect_eval.crs_cases()
    rng = random.Random(20261202)  # a fixed sample, the same on every run
    attacks = [c for c in cases if c["expect"] == "attack"]
    benign = [c for c in cases if c["expect"] == "benign"]
    picked = rng.sample(attacks, min(sample, len(attacks))) + benign
    picked += detect_eval.synthetic_benign()
    out = []
    for c in picked:
        out.append(Conversation(first_id + len(out), "tcp", 80,
                                [(True, c["raw"]), (False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")],
                                c["id"]))
    return out


# ---------------------------------------------------------------- delivery

def rechunk(data):
    """HTTP requests in `data` whose body has a Content-Length are rewritten
    with Transfer-Encoding: chunked (16-byte chunks); anything else as is."""
    out = b""
    rest = data
    while rest:
        end = rest.find(b"\r\n\r\n")
        if end < 0:
            return out + rest
        head, after = rest[:end], rest[end + 4:]
        lines = head.split(b"\r\n")
        cl = None
        for ln in lines[1:]:
            name, _, value = ln.partition(b":")
            if name.strip().lower() == b"transfer-encoding":
                return out + rest
            if name.strip().lower() == b"content-length":
                if cl is not None or not value.strip().isdigit():
                    return out + rest
                cl = int(value.strip())
        if not cl or cl > len(after):
            out += head + b"\r\n\r\n"
            rest = after if cl is None or cl == 0 else after[cl:]
            if cl:
                out += after[:cl]
            continue
        body, rest = after[:cl], after[cl:]
        kept = [ln for ln in lines if ln.split(b":", 1)[0].strip().lower() != b"content-length"]
        out += b"\r\n".join(kept + [b"Transfer-Encoding: chunked"]) + b"\r\n\r\n"
        for i in range(0, len(body), 16):
            piece = body[i:i + 16]
            out += b"%x\r\n" % len(piece) + piece + b"\r\n"
        out += b"0\r\n\r\n"
    return out


def deliver(conv, variant, w, ident):
    """Writes conv as `variant` into the pcap writer; returns the next IP id."""
    v6 = variant == "ipv6"
    cli, srv = (C6, S6) if v6 else (C4, S4)
    ip = (lambda s, d, proto, l4: wire.ipv6(s, d, proto, l4)) if v6 else \
         (lambda s, d, proto, l4: wire.ipv4(s, d, proto, l4))

    def emit(to_server, proto, l4):
        nonlocal ident
        s, d = (cli, srv) if to_server else (srv, cli)
        if variant == "frag64" and len(l4) > 64:
            ident += 1
            for frag in wire.fragments_v4(s, d, proto, l4, ident, 64):
                w.write(wire.ether(frag, to_server))
        else:
            w.write(wire.ether(ip(s, d, proto, l4), to_server))

    sport, dport = conv.cid, conv.dport
    if conv.proto == "udp":
        for to_server, data in conv.messages:
            s, d = (cli, srv) if to_server else (srv, cli)
            ports = (sport, dport) if to_server else (dport, sport)
            emit(to_server, 17, wire.udp_datagram(s, d, ports[0], ports[1], data))
        return ident

    def seg(to_server, seq, ack, flags, payload=b""):
        s, d = (cli, srv) if to_server else (srv, cli)
        ports = (sport, dport) if to_server else (dport, sport)
        emit(to_server, 6, wire.tcp_segment(s, d, ports[0], ports[1], seq, ack, flags, payload))

    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    cseq, sseq = 1000, 5000
    seg(True, cseq, 0, SYN)
    seg(False, sseq, cseq + 1, SYN | ACK)
    cseq, sseq = cseq + 1, sseq + 1
    seg(True, cseq, sseq, ACK)
    size = SEGMENT[variant]
    for to_server, data in conv.messages:
        if variant == "chunked" and to_server:
            data = rechunk(data)
        base = cseq if to_server else sseq
        peer = sseq if to_server else cseq
        pieces = [(off, data[off:off + size]) for off in range(0, len(data), size)]
        if variant == "ooo":
            pieces.reverse()
        for off, part in pieces:
            seg(to_server, base + off, peer, PSH | ACK, part)
        if to_server:
            cseq += len(data)
        else:
            sseq += len(data)
        seg(not to_server, peer, cseq if to_server else sseq, ACK)
    seg(True, cseq, sseq, FIN | ACK)
    seg(False, sseq, cseq + 1, FIN | ACK)
    seg(True, cseq + 1, sseq + 1, ACK)
    return ident


# ---------------------------------------------------------------- running

def run_variant(rampartd, convs, variant, args, tmp):
    pcap = os.path.join(tmp, "%s.pcap" % variant)
    eve = os.path.join(tmp, "%s.eve.json" % variant)
    w = wire.PcapWriter(pcap)
    ident = 0
    t = 1700000000.0
    for conv in convs:
        if conv.proto == "udp" and variant not in ("plain", "frag64", "ipv6"):
            continue
        w.t = t
        ident = deliver(conv, variant, w, ident)
        t += 1.0  # each conversation a second apart: nothing shares a burst or a timeout
    w.close()
    cmd = [rampartd, "--pcap", pcap, "--eve", eve] + args
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    if r.returncode != 0:
        raise SystemExit("rampartd failed on %s (exit %d): %s" % (variant, r.returncode, r.stderr[-800:]))
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    alerts = collections.defaultdict(set)
    blocked = set()
    with open(eve) as f:
        for line in f:
            e = json.loads(line)
            # The conversation's client port (>= 20000; servers use lower
            # ones) is src_port or, for the server's bytes, dest_port.
            cid = e.get("src_port") if e.get("src_port", 0) >= 20000 else e.get("dest_port")
            if e["event_type"] == "alert":
                alerts[cid].add(e["alert"]["signature_id"])
            elif e["event_type"] == "flow" and e["flow"].get("action") != "allowed":
                blocked.add(cid)
    return alerts, blocked, summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rampartd", default=os.path.join(ROOT, "build", "rampartd"))
    ap.add_argument("--crs-sample", type=int, default=150, help="CRS attack requests in the sample (default 150)")
    ap.add_argument("--keep", help="keep captures and EVE files in this directory")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    t0 = time.monotonic()
    tmp = a.keep or tempfile.mkdtemp(prefix="rampart-evasion-")
    os.makedirs(tmp, exist_ok=True)
    groups = []  # (name, conversations, rampartd args)
    next_id = 20000
    for case in CASES:
        convs = conversations_from_case(case, next_id)
        next_id += len(convs)
        rules = os.path.join(PCAP_CASES, case, "test.rules")
        if not os.path.exists(rules):
            rules = os.path.join(PCAP_CASES, "l7_http_signature_block", "test.rules")
        if case == "l7_offline_bundled":
            args = []  # offline mode's default: the bundled set
        else:
            args = ["--rules", rules]
        groups.append((case, convs, args))
    hs_cache = os.path.join(tmp, "hs-cache")
    crs = conversations_from_crs(a.crs_sample, next_id)
    if crs:
        groups.append(("crs-sample", crs, []))
    else:
        print("evasion: note: ../shared/data not found, the CRS sample is left out")
    failures = 0
    table = collections.OrderedDict((v, [0, 0, 0, 0]) for v in VARIANTS)  # convs, alerted, blocked, mismatches
    for name, convs, args in groups:
        args = args + ["--hs-cache", hs_cache]
        gtmp = os.path.join(tmp, name)
        os.makedirs(gtmp, exist_ok=True)
        ref = None
        for variant in VARIANTS:
            alerts, blocked, summary = run_variant(a.rampartd, convs, variant, args, gtmp)
            applicable = [c for c in convs if c.proto == "tcp" or variant in ("plain", "frag64", "ipv6")]
            row = table[variant]
            row[0] += len(applicable)
            row[1] += sum(1 for c in applicable if alerts.get(c.cid))
            row[2] += sum(1 for c in applicable if c.cid in blocked)
            lost = (summary.get("l7") or {}).get("alerts_lost", 0) + summary.get("events_lost", 0)
            if lost:
                print("FAIL  %s %s: %d records lost" % (name, variant, lost))
                failures += 1
            if variant == "plain":
                ref = (alerts, blocked)
                continue
            for c in applicable:
                want = (sorted(ref[0].get(c.cid, ())), c.cid in ref[1])
                got = (sorted(alerts.get(c.cid, ())), c.cid in blocked)
                if want != got:
                    row[3] += 1
                    failures += 1
                    print("FAIL  %s %s %s (%s): plain %s, %s %s" % (name, variant, c.cid, c.label, want, variant, got))
            if a.verbose:
                print("ok    %s %s" % (name, variant))
    print()
    print("| delivery | conversations | alerted | blocked | differ from plain |")
    print("|---|---:|---:|---:|---:|")
    for v, (n, al, bl, mm) in table.items():
        print("| %s | %d | %d | %d | %d |" % (v, n, al, bl, mm))
    print()
    print("evasion: %d groups, %.0f s" % (len(groups), time.monotonic() - t0))
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
