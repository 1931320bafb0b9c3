#!/usr/bin/python3
"""Real-traffic false-alarm measurement for the bundled web signatures.

eval.py measures false positives on synthetic benign requests; this script
measures them on real captures: it runs rampartd offline over every Ethernet
capture under ../shared/data/pcaps/zeek and ../shared/data/pcaps/tcpdump
(public Zeek and tcpdump test captures, read in place, never copied), reads
the EVE alerts and reports

- HTTP requests inspected (`l7.http_requests` of rampartd's JSON summary),
- alerts by sid with file/host/url examples,
- the real-traffic false-alarm rate: alerted requests / HTTP requests.

Alerts that are real attacks in the captures are counted apart, and only by
the explicit allow-list TRUE_POSITIVES below: (file, sid) pairs, each with
its reason. Everything else is a false alarm.

    tools/detect/real_traffic.py --rampartd build/rampartd --rules rules/rampart-web.rules
    tools/detect/real_traffic.py ... --write-doc   # also update docs/detection.md

--write-doc replaces the section between the REAL_TRAFFIC markers in
docs/detection.md (eval.py --write-doc keeps that section when it rewrites
the file).

rampartd needs root in offline mode (DPDK runtime directory). The rules are
compiled once first (`rampartd --validate --rules R --hs-cache C`), then each
capture runs in its own temporary directory with the compiled cache.
"""

import argparse
import collections
import datetime
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "tests", "pcap"))
import rampart_run  # noqa: E402  (the summary parser the capture tests use)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PCAPS = os.path.abspath(os.path.join(ROOT, "..", "shared", "data", "pcaps"))
CAPTURE_DIRS = ["zeek", "tcpdump"]
DOC = os.path.join(ROOT, "docs", "detection.md")
BEGIN = "<!-- REAL_TRAFFIC:BEGIN (written by tools/detect/real_traffic.py --write-doc) -->"
END = "<!-- REAL_TRAFFIC:END -->"

# Alerts that are real attacks in the public captures: (file relative to the pcaps directory,
# sid) -> reason. Only these pairs are counted as true positives; every other alert is a false
# alarm. Add a pair only with a reason a reader can check in the capture.
_TFO = ("a real path traversal: GET //index.php?page=../../../etc/passwd (the TCP Fast Open test "
        "capture carries an LFI probe as its SYN payload)")
TRUE_POSITIVES = {
    ("zeek/tcp/tcp-fast-open.pcap", 9100303): _TFO,   # dot-dot-slash in query (uri)
    ("zeek/tcp/tcp-fast-open.pcap", 9100304): _TFO,   # encoded dot-dot-slash (raw)
    ("zeek/tcp/tcp-fast-open.pcap", 9100305): _TFO,   # encoded dot-dot-slash (uri)
    ("zeek/tcp/tcp-fast-open.pcap", 9100308): _TFO,   # sensitive Unix file (uri)
    ("zeek/tcp/tcp-fast-open.pcap", 9100312): _TFO,   # sensitive file name behind any separator (uri)
    ("zeek/tcp/tcp-fast-open.pcap", 9100316): _TFO,   # sensitive file name behind any separator (raw)
}
_DVWA = ("real SQL injections against DVWA's SQL injection lab (/dvwa/vulnerabilities/sqli/): "
         "id=1' OR '1'='1, id=1' UNION SELECT NULL, version() #, id=2' OR '2'='2; the (header) "
         "variants match the Referer, which repeats the previous injected URL")
for _sid in (9100000, 9100003, 9100004, 9100007, 9100008, 9100011, 9100012, 9100015, 9100023, 9100026,
             9100055, 9100058, 9101100, 9101157, 9101160):  # SQLI sids seen on that capture
    TRUE_POSITIVES[("zeek/http/cooper-grill-dvwa.pcapng", _sid)] = _DVWA

LINKTYPE_ETHERNET = 1


def link_type(path):
    """Link type of a pcap or pcapng file (first interface), or None."""
    try:
        with open(path, "rb") as fh:
            b = fh.read(64)
    except OSError:
        return None
    if len(b) < 24:
        return None
    if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return struct.unpack("<I", b[20:24])[0] & 0x0fffffff
    if b[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return struct.unpack(">I", b[20:24])[0] & 0x0fffffff
    if b[:4] == b"\x0a\x0d\x0d\x0a":  # pcapng: section header, then the first IDB
        bo = "<" if b[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        shb_len = struct.unpack(bo + "I", b[4:8])[0]
        with open(path, "rb") as fh:
            fh.seek(shb_len)
            idb = fh.read(12)
        if len(idb) == 12 and struct.unpack(bo + "I", idb[:4])[0] == 1:
            return struct.unpack(bo + "H", idb[8:10])[0]
    return None


def captures():
    out, skipped = [], []
    for d in CAPTURE_DIRS:
        for r, _, fs in os.walk(os.path.join(PCAPS, d)):
            for f in sorted(fs):
                p = os.path.join(r, f)
                rel = os.path.relpath(p, PCAPS)
                lt = link_type(p)
                if lt is None:
                    continue  # not a capture (COPYING, LICENSE)
                if lt != LINKTYPE_ETHERNET:
                    skipped.append((rel, f"link type {lt}, not Ethernet"))
                    continue
                out.append(rel)
    return sorted(out), skipped


def run_one(args, rel):
    tmp = tempfile.mkdtemp(prefix="rampart-rt-", dir=args.tmp)
    eve = os.path.join(tmp, "eve.json")
    cmd = [args.rampartd, "--pcap", os.path.join(PCAPS, rel), "--rules", args.rules,
           "--hs-cache", args.hs_cache, "--eve", eve]
    if args.checksum_validation:
        cmd += ["--checksum-validation", args.checksum_validation]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="replace", timeout=args.timeout, cwd=tmp)
        rc, so, se = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        rc, so, se = "timeout", "", ""
    summary, _ = rampart_run.parse_summary(so)
    alerts = []
    if os.path.exists(eve):
        with open(eve, errors="replace") as fh:
            for line in fh:
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                if ev.get("event_type") == "alert":
                    alerts.append(ev)
    shutil.rmtree(tmp, ignore_errors=True)
    err = "" if rc == 0 else (se.strip().splitlines() or [""])[-1][:160]
    return rel, rc, summary, alerts, err


def request_key(rel, ev):
    """One HTTP request: the file, the flow, the packet time and the request line. (Two pipelined
    requests with the same method and URL in one packet count once.)"""
    h = ev.get("http") or {}
    return (rel, ev.get("flow_id"), ev.get("timestamp"), h.get("http_method"), h.get("url"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rampartd", default=os.path.join(ROOT, "build", "rampartd"))
    ap.add_argument("--rules", required=True, help="signature file (explicit: offline mode would "
                    "otherwise load the bundled set)")
    ap.add_argument("--hs-cache", default=os.path.join(tempfile.gettempdir(), "rampart-rt-hs-cache"))
    ap.add_argument("--jobs", type=int, default=1, help="rampartd processes at a time (at most 2)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds per capture")
    ap.add_argument("--checksum-validation", choices=["yes", "no"],
                    help="passed to rampartd (default: rampartd's own default)")
    ap.add_argument("--tmp", default=tempfile.gettempdir(), help="parent of the per-capture temp dirs")
    ap.add_argument("--examples", type=int, default=3, help="examples per sid")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results here")
    ap.add_argument("--write-doc", action="store_true", help="update the real-traffic section of "
                    "docs/detection.md")
    args = ap.parse_args()
    args.jobs = max(1, min(2, args.jobs))
    args.rules = os.path.abspath(args.rules)
    args.rampartd = os.path.abspath(args.rampartd)
    os.makedirs(args.hs_cache, exist_ok=True)

    t0 = time.time()
    p = subprocess.run([args.rampartd, "--validate", "--rules", args.rules, "--hs-cache", args.hs_cache],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        raise SystemExit(f"rampartd --validate exited {p.returncode}")
    files, skipped = captures()
    t1 = time.time()
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        results = list(ex.map(lambda f: run_one(args, f), files))
    t2 = time.time()

    http_total = 0
    ran = []
    refused = []
    by_sid = collections.defaultdict(lambda: {"n": 0, "msg": "", "files": collections.Counter(), "ex": []})
    tp_by_pair = collections.Counter()
    fp_requests = set()
    tp_requests = set()
    alerts_total = 0
    for rel, rc, summary, alerts, err in results:
        if rc != 0 or summary is None:
            refused.append((rel, f"rampartd exit {rc}: {err}"))
            continue
        ran.append(rel)
        http_total += (summary.get("l7") or {}).get("http_requests", 0)
        for ev in alerts:
            a = ev.get("alert") or {}
            sid = a.get("signature_id")
            alerts_total += 1
            key = request_key(rel, ev)
            if (rel, sid) in TRUE_POSITIVES:
                tp_by_pair[(rel, sid)] += 1
                tp_requests.add(key)
                continue
            fp_requests.add(key)
            s = by_sid[sid]
            s["n"] += 1
            s["msg"] = a.get("signature", "")
            s["files"][rel] += 1
            h = ev.get("http") or {}
            exm = (rel, h.get("hostname", ""), (h.get("url") or "")[:100])
            if len(s["ex"]) < args.examples and exm not in s["ex"]:
                s["ex"].append(exm)
    # A request with a false alarm and an allow-listed true positive counts as a false alarm.
    tp_only = tp_requests - fp_requests

    def pct(a, b):
        return f"{100.0 * a / b:.2f}%" if b else "-"

    def cell(s):
        s = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(s))  # "\t" stays visible
        return s.replace("|", "\\|").replace("`", "'")

    table = ["| sid | signature | alerts | files | examples (file, host, url) |", "|---|---|---|---|---|"]
    for sid in sorted(by_sid, key=lambda s: (-by_sid[s]["n"], s)):
        s = by_sid[sid]
        ex = "<br>".join(f"`{cell(f)}` {cell(h) or '-'} `{cell(u)}`" for f, h, u in s["ex"])
        table.append(f"| {sid} | {cell(s['msg'])} | {s['n']} | {len(s['files'])} | {ex} |")
    if not by_sid:
        table.append("| - | no false alarm | 0 | 0 | |")
    tp_table = ["| file | allow-listed sids (alerts) | reason |", "|---|---|---|"]
    groups = collections.defaultdict(list)
    for (rel, sid), reason in sorted(TRUE_POSITIVES.items()):
        groups[(rel, reason)].append(sid)
    for (rel, reason), sids in sorted(groups.items()):
        tp_table.append(f"| `{rel}` | " + ", ".join(f"{sid} ({tp_by_pair[(rel, sid)]})" for sid in sids)
                        + f" | {cell(reason)} |")
    summary_lines = [
        f"- captures: {len(ran)} run (Ethernet link type), {len(skipped)} skipped (not Ethernet), "
        f"{len(refused)} refused by rampartd",
        f"- HTTP requests inspected (`l7.http_requests`): {http_total}",
        f"- alerts: {alerts_total} in all, {sum(tp_by_pair.values())} of them allow-listed true positives "
        f"({len(tp_only)} requests)",
        f"- **real-traffic false-alarm rate: {len(fp_requests)} alerted requests / {http_total} HTTP "
        f"requests ({pct(len(fp_requests), http_total)})**, {sum(s['n'] for s in by_sid.values())} "
        f"false-alarm alerts from {len(by_sid)} sids",
    ]
    print("\n".join(summary_lines))
    print("\nFalse alarms by sid:")
    print("\n".join(table))
    print("\nAllow-listed true positives:")
    print("\n".join(tp_table))
    if skipped or refused:
        print("\nSkipped / refused:")
        for rel, why in skipped + refused:
            print(f"  {rel}: {why}")
    print(f"\nvalidate+compile {t1 - t0:.0f}s, {len(files)} captures {t2 - t1:.0f}s (jobs {args.jobs})")

    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"http_requests": http_total, "fp_requests": len(fp_requests),
                       "tp_requests": len(tp_only), "ran": ran, "skipped": skipped, "refused": refused,
                       "by_sid": {str(k): {"n": v["n"], "msg": v["msg"], "files": dict(v["files"]),
                                           "examples": v["ex"]} for k, v in by_sid.items()},
                       "tp": {f"{k[0]} {k[1]}": n for k, n in tp_by_pair.items()}}, fh, indent=1)
    if args.write_doc:
        write_doc(args, summary_lines, table, tp_table, skipped, refused, t2 - t0)


def section(args, summary_lines, table, tp_table, skipped, refused, secs):
    skip_txt = "; ".join(f"`{r}` ({w})" for r, w in skipped + refused) or "none"
    return f"""{BEGIN}
## False alarms on real traffic

`rules/rampart-web.rules` run by rampartd offline over the public Zeek and
tcpdump test captures in `../shared/data/pcaps/zeek` and
`../shared/data/pcaps/tcpdump` (read in place), produced on
{datetime.date.today().isoformat()} from the project root with

```sh
tools/detect/real_traffic.py --rampartd build/rampartd --rules rules/rampart-web.rules --write-doc
```

({secs:.0f} s.) Each Ethernet capture is run on its own
(`rampartd --pcap FILE --rules RULES --hs-cache CACHE --eve EVE`); the HTTP
request count is `l7.http_requests` of rampartd's JSON summary. These
captures are mostly protocol test cases and ordinary browsing: every
alert is a false alarm unless its (file, sid) pair is on the explicit
allow-list `TRUE_POSITIVES` in `tools/detect/real_traffic.py`, with the
reason below. An alerted request is one (file, flow, packet time, method,
URL).

{chr(10).join(summary_lines)}

False alarms by sid:

{chr(10).join(table)}

Allow-listed true positives:

{chr(10).join(tp_table)}

Skipped or refused captures: {skip_txt}.
{END}"""


def write_doc(args, summary_lines, table, tp_table, skipped, refused, secs):
    text = open(DOC).read() if os.path.exists(DOC) else ""
    sec = section(args, summary_lines, table, tp_table, skipped, refused, secs)
    if BEGIN in text and END in text:
        a = text.index(BEGIN)
        b = text.index(END) + len(END)
        text = text[:a] + sec + text[b:]
    else:
        # After the measurement section, before "## How the corpus is built".
        anchor = "\n## How the corpus is built"
        if anchor in text:
            i = text.index(anchor)
            text = text[:i] + "\n" + sec + "\n" + text[i:]
        else:
            text = text.rstrip("\n") + "\n\n" + sec + "\n"
    with open(DOC, "w") as fh:
        fh.write(text)
    print("updated the real-traffic section of docs/detection.md")


if __name__ == "__main__":
    main()
