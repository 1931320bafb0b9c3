#!/usr/bin/python3
"""Replay the public pcap corpus through rampartd's offline mode.

usage: replay_corpus.py [--rampartd PATH] [--data DIR] [--jobs N] [--timeout S] [--only SUBSTR]

Every capture under <data>/tcpdump, <data>/zeek and <data>/suricata-verify
(recursively; <data> defaults to <repo>/../shared/data/pcaps) is run as

    rampartd --pcap FILE --pcap-out TMP/out.pcap --eve TMP/eve.json --hs-cache CACHE

each in its own temp dir, at most --jobs (default 2) at a time. No --rules:
offline mode's default, the bundled signature set, so the real captures go
through L7 inspection too (stream reassembly, HTTP/TLS/DNS dissectors,
signatures); CACHE is filled once before the runs. --no-rules replays L3/L4
only.

A file passes when rampartd exits 0 (or 3 for a capture it could not read
to the end), prints a JSON summary on stdout with
packets_in == packets_out + dropped == packets_out + sum(drop_reasons), in
which "capture.truncated" is true exactly when the file cannot be read to
its end (judged here by reading it independently) and packets_in is the
number of packets that can be read, and writes an EVE file whose every line
is a JSON object. Every link type in the corpus is read (non-Ethernet ones
as Ethernet frames), so a refusal is a failure: the corpus replays with
zero refusals.
It also fails on a crash (killed by a signal), a sanitizer report, a
timeout, or a broken summary.

The last line is 'N passed, N failed'. Exit code 0 if nothing failed, 1
otherwise, 77 (skip) if the corpus folder is missing.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rampart_run import parse_summary, run as run_rampartd, sanitizer_report  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data", "pcaps"))
SUBDIRS = ("tcpdump", "zeek", "suricata-verify")
EXTENSIONS = (".pcap", ".pcapng", ".cap", ".dmp", ".pcap0")
PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",  # microseconds
    b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">",  # nanoseconds
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
def inspect_capture(path):
    """(format, linktypes, packets, readable, why) from reading the file ourselves.

    readable is False when the file header is not a capture header or a
    record runs past the end of the file (a truncated capture).
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return "?", set(), 0, False, str(e)
    magic = data[:4]
    if magic in PCAP_MAGICS:
        e = PCAP_MAGICS[magic]
        if len(data) < 24:
            return "pcap", set(), 0, False, "short file header"
        linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
        off, n = 24, 0
        while off < len(data):
            if off + 16 > len(data):
                return "pcap", {linktype}, n, False, "truncated record header"
            caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
            if caplen > 0x40000 or off + 16 + caplen > len(data):
                return "pcap", {linktype}, n, False, "truncated or oversized record"
            off += 16 + caplen
            n += 1
        return "pcap", {linktype}, n, True, ""
    if magic == PCAPNG_MAGIC:
        if len(data) < 12:
            return "pcapng", set(), 0, False, "short section header"
        bom = data[8:12]
        e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">" if bom == b"\x1a\x2b\x3c\x4d" else None
        if e is None:
            return "pcapng", set(), 0, False, "bad byte-order magic"
        off, n, links = 0, 0, set()
        while off < len(data):
            if off + 12 > len(data):
                return "pcapng", links, n, False, "truncated block"
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if blen < 12 or blen % 4 or off + blen > len(data):
                return "pcapng", links, n, False, "truncated or bad block length"
            if btype == 1 and blen >= 16:
                links.add(struct.unpack(e + "H", data[off + 8:off + 10])[0])
            elif btype in (2, 3, 6):
                n += 1
            off += blen
        return "pcapng", links, n, True, ""
    return "unknown", set(), 0, False, "not a pcap/pcapng header"


def collect(data_dir):
    files = []
    for sub in SUBDIRS:
        root = os.path.join(data_dir, sub)
        if not os.path.isdir(root):
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for fn in sorted(filenames):
                p = os.path.join(dirpath, fn)
                if fn.lower().endswith(EXTENSIONS):
                    files.append(p)
                    continue
                try:
                    with open(p, "rb") as f:
                        head = f.read(4)
                except OSError:
                    continue
                if head in PCAP_MAGICS or head == PCAPNG_MAGIC:
                    files.append(p)
    return files


class Result:
    def __init__(self, path, rel):
        self.path, self.rel = path, rel
        self.status = "FAIL"  # PASS | FAIL
        self.detail = ""
        self.notes = []
        self.seconds = 0.0
        self.summary = None
        self.left_runtime_dir = None


def run_one(rampartd, path, rel, timeout, extra):
    res = Result(path, rel)
    fmt, links, npkts, readable, why = inspect_capture(path)
    ethernet = links == {1}
    tmp = tempfile.mkdtemp(prefix="rampart-corpus-")
    t0 = time.monotonic()
    try:
        cmd = [rampartd, "--pcap", path, "--pcap-out", os.path.join(tmp, "out.pcap"),
               "--eve", os.path.join(tmp, "eve.json")] + extra
        r = run_rampartd(cmd, timeout, cwd=tmp)
        res.seconds = time.monotonic() - t0
        res.left_runtime_dir = r.left_runtime_dir
        if r.timed_out:
            res.detail = "timeout after %ds" % timeout
            return res
        stderr_tail = " | ".join(l.strip() for l in r.stderr.strip().splitlines()[-3:])
        san = sanitizer_report(r.stderr)
        if r.returncode < 0:
            res.detail = "killed by signal %d; stderr: %s" % (-r.returncode, stderr_tail)
            return res
        if san:
            res.detail = "sanitizer report (%s), exit %d; stderr: %s" % (san, r.returncode, stderr_tail)
            return res
        if r.returncode not in (0, 3):
            res.detail = ("refused %s (%s, %d packets): exit %d; stderr: %s"
                          % (fmt, why or "readable", npkts, r.returncode, stderr_tail))
            return res
        s, _ = parse_summary(r.stdout)
        if s is None:
            res.detail = "exit 0 but no JSON summary on stdout: %r" % r.stdout[-200:]
            return res
        res.summary = s
        try:
            pin, pout, drop = int(s["packets_in"]), int(s["packets_out"]), int(s["dropped"])
            reasons = s.get("drop_reasons") or {}
            rsum = sum(int(v) for v in reasons.values())
        except (KeyError, TypeError, ValueError) as e:
            res.detail = "summary lacks counters (%s): %s" % (e, r.stdout[:200])
            return res
        if pin != pout + drop or drop != rsum:
            res.detail = ("invariant broken: packets_in=%d packets_out=%d dropped=%d sum(drop_reasons)=%d %s"
                          % (pin, pout, drop, rsum, json.dumps(reasons)))
            return res
        eve = os.path.join(tmp, "eve.json")
        if os.path.exists(eve):
            with open(eve, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        ev = json.loads(line)
                    except ValueError:
                        res.detail = "eve line %d is not JSON: %s" % (n, line.strip()[:160])
                        return res
                    if not isinstance(ev, dict):
                        res.detail = "eve line %d is not an object" % n
                        return res
        cap = s.get("capture") or {}
        truncated = bool(cap.get("truncated"))
        if (r.returncode == 3) != (truncated or bool(s.get("interrupted"))):
            res.detail = "exit %d but capture.truncated=%s" % (r.returncode, truncated)
            return res
        if readable and truncated:
            res.detail = "reports a readable %s as truncated: %s" % (fmt, cap.get("error"))
            return res
        if readable and pin != npkts:
            res.detail = "the file has %d packets, packets_in=%d" % (npkts, pin)
            return res
        if not readable and not truncated:
            res.notes.append("this script finds the file unreadable (%s); libpcap read %d packets" % (why, pin))
        res.status = "PASS"
        res.detail = "in=%d out=%d dropped=%d flows=%s" % (pin, pout, drop, s.get("flows"))
        if truncated:
            res.detail += " truncated after %d packets (%s)" % (pin, cap.get("error", ""))
        if reasons:
            res.detail += " " + json.dumps(dict(sorted(reasons.items(), key=lambda kv: -int(kv[1]))), separators=(",", ":"))
        if not ethernet:
            res.notes.append("link type %s read as Ethernet" % (cap.get("link_type") or "?"))
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description="Replay the public pcap corpus through rampartd offline mode.")
    ap.add_argument("--rampartd", default=os.path.join(REPO, "build", "rampartd"))
    ap.add_argument("--data", default=DEFAULT_DATA, help="folder holding tcpdump/ and zeek/ (default %(default)s)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel runs, at most 2 (default 2)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per file (default 300)")
    ap.add_argument("--only", default="", help="run only files whose path contains this")
    ap.add_argument("--no-rules", action="store_true", help="L3/L4 only: no signatures")
    a = ap.parse_args()

    if not any(os.path.isdir(os.path.join(a.data, s)) for s in SUBDIRS):
        print("corpus: SKIP: no %s folder under %s" % ("/".join(SUBDIRS), a.data))
        return 77
    if not os.access(a.rampartd, os.X_OK):
        print("corpus: %s is not an executable" % a.rampartd)
        print("0 passed, 1 failed")
        return 1
    rampartd = os.path.abspath(a.rampartd)
    files = [f for f in collect(a.data) if a.only in f]
    jobs = max(1, min(2, a.jobs))
    print("corpus: %d captures under %s, %d at a time, rampartd %s" % (len(files), a.data, jobs, rampartd))
    sys.stdout.flush()
    cache = tempfile.mkdtemp(prefix="rampart-corpus-hs-")
    if a.no_rules:
        extra = ["--no-rules"]
    else:
        # Compile the bundled set once; every run then loads it from the cache.
        bundled = os.path.join(REPO, "rules", "rampart-web.rules")
        r = subprocess.run([rampartd, "--validate", "--rules", bundled, "--hs-cache", cache],
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            print("corpus: the bundled signature set does not compile: %s" % r.stdout[-500:])
            print("0 passed, 1 failed")
            return 1
        print("corpus: L7 on, bundled signature set %s" % bundled)
        extra = ["--hs-cache", cache]

    lock = threading.Lock()
    results = []
    t0 = time.monotonic()

    def task(path):
        rel = os.path.relpath(path, a.data)
        try:
            res = run_one(rampartd, path, rel, a.timeout, extra)
        except Exception as e:  # noqa: BLE001  (a harness bug must not hide the other files)
            res = Result(path, rel)
            res.detail = "harness error: %r" % e
        with lock:
            results.append(res)
            line = "%-7s %s (%.1fs) %s" % (res.status, rel, res.seconds, res.detail)
            for n in res.notes:
                line += " [note: %s]" % n
            print(line)
            sys.stdout.flush()
        return res

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        list(ex.map(task, files))
    elapsed = time.monotonic() - t0

    passed = [r for r in results if r.status == "PASS"]
    truncated = [r for r in results if r.summary and (r.summary.get("capture") or {}).get("truncated")]
    failed = sorted((r for r in results if r.status == "FAIL"), key=lambda r: r.rel)
    noted = [r for r in results if r.notes]
    totals = {}
    for r in results:
        if r.summary:
            for k, v in (r.summary.get("drop_reasons") or {}).items():
                totals[k] = totals.get(k, 0) + int(v)
    pin = sum(int(r.summary["packets_in"]) for r in results if r.summary)
    pout = sum(int(r.summary["packets_out"]) for r in results if r.summary)

    print()
    print("corpus: %d files in %.0fs; %d packets in, %d out" % (len(results), elapsed, pin, pout))
    print("corpus: drop reasons over all files: %s" % json.dumps(dict(sorted(totals.items(), key=lambda kv: -kv[1]))))
    l7 = {}
    for r in results:
        for k, v in ((r.summary or {}).get("l7") or {}).items():
            l7[k] = l7.get(k, 0) + int(v)
    if l7:
        print("corpus: l7 over all files: %s" % json.dumps(l7))
    shutil.rmtree(cache, ignore_errors=True)
    links = {}
    for r in results:
        lt = ((r.summary or {}).get("capture") or {}).get("link_type")
        if lt:
            links[lt] = links.get(lt, 0) + 1
    print("corpus: link types: %s" % json.dumps(dict(sorted(links.items(), key=lambda kv: -kv[1]))))
    print("corpus: %d truncated or corrupt captures, run to where they can be read (exit 3):" % len(truncated))
    for r in sorted(truncated, key=lambda r: r.rel):
        print("  %s: %s" % (r.rel, r.detail))
    left = [r for r in results if r.left_runtime_dir]
    if left:
        print("corpus: note: %d of %d runs left their EAL runtime dir (e.g. %s) behind; removed"
              % (len(left), len(results), left[0].left_runtime_dir))
    if noted:
        print("corpus: %d notes:" % len(noted))
        for r in sorted(noted, key=lambda r: r.rel):
            print("  %s: %s" % (r.rel, "; ".join(r.notes)))
    if failed:
        print("corpus: %d FAILED:" % len(failed))
        for r in failed:
            print("  %s: %s" % (r.rel, r.detail))
    print("%d passed, %d failed" % (len(passed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
