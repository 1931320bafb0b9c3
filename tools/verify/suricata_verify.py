#!/usr/bin/python3
"""Runs the suricata-verify cases in ../shared/data/pcaps/suricata-verify
through rampartd offline and compares the alerts with Suricata's.

For every case folder (one with a test.yaml): rampartd --pcap PCAP --rules
test.rules --hs-cache "" --eve EVE, then each `filter` check with
`event_type: alert` is compared with the EVE alerts rampartd wrote (same
count of records matching alert.signature_id and the other match keys).

A case is
  pass     every alert expectation is met,
  fail     at least one alert expectation that rampart can be judged on is
           not met (or rampartd crashed / timed out),
  skipped  nothing to judge, with the reason: no alert expectations, an
           expected sid whose rule rampart does not load (unsupported
           keyword), rules not loadable (rampartd rejects test.rules: its
           first error line), a capture rampartd cannot read, a required
           Suricata feature or version, a match key rampart's EVE does not
           have.

Every link type rampartd reads offline (Ethernet, raw IP, IPv4, IPv6,
NULL/loopback, PPP, Linux SLL/SLL2) is run; the capture is refused only for
another one.

Suricata-verify's version gates (`requires: min-version / lt-version`, per
case and per check) are evaluated for Suricata TARGET_VERSION. Of Suricata's
`args` only `-k none` is applied (as rampartd --checksum-validation no);
per-case suricata.yaml is not (rampartd has its own defaults: midstream
pickup on, IPv4 header checksums checked).

Usage: tools/verify/suricata_verify.py [--rampartd PATH] [--data DIR]
           [--jobs N] [--only SUBSTRING] [--markdown FILE] [--verbose]
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import strict_yaml  # noqa: E402  (duplicate keys, merges, second documents are errors)
TARGET_VERSION = (8, 0, 6)
FAMILIES = ["http-evader", "http", "stream", "tcp", "defrag", "dns", "tls"]
# LINKTYPE_*: Ethernet, NULL, PPP, PPP serial, raw IP (and its old DLT
# values), loopback, Linux SLL, IPv4, IPv6, Linux SLL2.
READABLE_LINKTYPES = {1, 0, 9, 50, 101, 12, 14, 108, 113, 228, 229, 276}
TIMEOUT = 60


def parse_version(v):
    parts = [int(x) for x in re.findall(r"\d+", str(v))][:3]
    return tuple(parts + [0] * (3 - len(parts)))


def version_ok(req):
    """Evaluates a requires: block's version gates; returns None if met or
    the reason it is not."""
    if not req:
        return None
    if "min-version" in req and TARGET_VERSION < parse_version(req["min-version"]):
        return f"requires Suricata >= {req['min-version']}"
    if "lt-version" in req and TARGET_VERSION >= parse_version(req["lt-version"]):
        return f"requires Suricata < {req['lt-version']}"
    if "version" in req:
        want = parse_version(req["version"])
        n = len(re.findall(r"\d+", str(req["version"])))
        if TARGET_VERSION[:n] != want[:n]:
            return f"requires Suricata {req['version']}"
    return None


def family(rel):
    for comp in rel.split("/"):
        for f in FAMILIES:
            if comp == f or comp.startswith(f + "-"):
                return f
    return "other"


def pcap_linktype(path):
    """Returns (linktype, None) or (None, reason)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
    except OSError as e:
        return None, f"pcap unreadable: {e.strerror}"
    if len(head) < 24:
        return None, "pcap truncated header"
    magic = head[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return struct.unpack("<I", head[20:24])[0], None
    if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return struct.unpack(">I", head[20:24])[0], None
    if magic == b"\x0a\x0d\x0d\x0a":
        bom = head[8:12]
        end = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
        off = 0
        while off + 12 <= len(head):
            btype, blen = struct.unpack(end + "II", head[off:off + 8])
            if btype == 1:
                return struct.unpack(end + "H", head[off + 8:off + 10])[0], None
            if blen < 12:
                break
            off += blen
        return None, "pcapng without interface block in its first 64 KiB"
    return None, "not a pcap/pcapng file"


def rule_lines(path):
    """Maps first physical line number -> sid (None if no sid) for every rule
    of a rules file, joining '\\' continuations like the parser does."""
    out = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().split("\n")
    i = 0
    while i < len(lines):
        first = i + 1
        rule = ""
        while i < len(lines):
            line = lines[i].rstrip("\r")
            i += 1
            if line.endswith("\\"):
                rule += line[:-1]
                continue
            rule += line
            break
        t = rule.strip()
        if not t or t.startswith("#"):
            continue
        m = re.search(r"(?:^|[;(\s])sid\s*:\s*(\d+)\s*;", t)
        out[first] = int(m.group(1)) if m else None
    return out


def get_path(rec, dotted):
    """Looks up a suricata-verify match key (a.b[0].c) in an EVE record;
    returns (found, value)."""
    cur = rec
    for part in dotted.split("."):
        m = re.fullmatch(r"([^\[]+)((?:\[\d+\])*)", part)
        if not m or not isinstance(cur, dict) or m.group(1) not in cur:
            return False, None
        cur = cur[m.group(1)]
        for idx in re.findall(r"\[(\d+)\]", m.group(2)):
            if not isinstance(cur, list) or int(idx) >= len(cur):
                return False, None
            cur = cur[int(idx)]
    return True, cur


def values_equal(want, got):
    if isinstance(want, bool) or isinstance(got, bool):
        return want == got
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return want == got
    return str(want) == str(got)


def find_pcap(case_dir, spec):
    if spec:
        p = os.path.normpath(os.path.join(case_dir, spec))
        return (p, None) if os.path.isfile(p) else (None, f"pcap {spec} not in the data set")
    pcaps = sorted(f for f in os.listdir(case_dir) if f.endswith((".pcap", ".pcapng", ".cap")))
    if not pcaps:
        return None, "no pcap"
    if len(pcaps) > 1:
        return None, f"{len(pcaps)} pcaps in the folder"
    return os.path.join(case_dir, pcaps[0]), None


def run_case(case_dir, rel, rampartd):
    res = {"case": rel, "family": family(rel), "result": "skipped", "reason": "", "details": []}

    def skip(reason):
        res["reason"] = reason
        return res

    try:
        spec = strict_yaml.load_file(os.path.join(case_dir, "test.yaml")) or {}
    except (OSError, strict_yaml.yaml.YAMLError) as e:
        return skip(f"test.yaml unreadable: {e}")
    req = spec.get("requires") or {}
    if req.get("features"):
        return skip("requires Suricata feature " + ",".join(map(str, req["features"])))
    why = version_ok(req)
    if why:
        return skip(why)
    if spec.get("pcap") is False:
        return skip("no pcap (pcap: false)")

    expectations = []
    for check in spec.get("checks") or []:
        f = check.get("filter") if isinstance(check, dict) else None
        if not f:
            continue
        m = f.get("match") or {}
        if m.get("event_type") != "alert":
            continue
        if version_ok(f.get("requires")) or (f.get("requires") or {}).get("features"):
            continue
        if "count" not in f:
            continue
        expectations.append((m, int(f["count"])))
    if not expectations:
        return skip("no alert expectations")

    rules = os.path.join(case_dir, "test.rules")
    if not os.path.isfile(rules):
        return skip("alerts expected but no test.rules (rules come from args/suricata.yaml)")
    pcap, why = find_pcap(case_dir, spec.get("pcap"))
    if not pcap:
        return skip(why)
    lt, why = pcap_linktype(pcap)
    if lt is None:
        return skip(why)
    if lt not in READABLE_LINKTYPES:
        return skip(f"pcap of link type {lt}, which rampartd does not read")

    # Which rules load: --validate lists every rule that does not.
    by_line = rule_lines(rules)
    try:
        v = subprocess.run([rampartd, "--validate", "--rules", rules, "--hs-cache", ""],
                           capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        res["result"] = "fail"
        return skip("rampartd --validate timed out")
    not_loaded = {}  # sid -> reason
    first_error = None
    for line in (v.stdout + v.stderr).splitlines():
        m = re.match(r"^(.*?):(\d+): (error|unsupported): (.*)$", line)
        if not m or os.path.basename(m.group(1)) != "test.rules":
            continue
        sid = by_line.get(int(m.group(2)))
        if m.group(3) == "error" and first_error is None:
            first_error = line.replace(case_dir + "/", "")
        reason = re.sub(r" \(sid \d+\)$", "", m.group(4))
        if sid is not None:
            not_loaded[sid] = f"{m.group(3)}: {reason}"
    if first_error:
        return skip("rules not loadable: " + first_error)
    all_sids = {s for s in by_line.values() if s is not None}
    all_loaded = not not_loaded and None not in by_line.values()

    # Expectations rampart can be judged on.
    judged, unjudgeable = [], []
    for m, count in expectations:
        sid = m.get("alert.signature_id")
        if sid is None:
            if not all_loaded:
                unjudgeable.append(f"alert count without sid needs every rule loaded")
                continue
        elif sid in not_loaded:
            unjudgeable.append(f"sid {sid} {not_loaded[sid]}")
            continue
        elif sid not in all_sids:
            unjudgeable.append(f"sid {sid} not in test.rules")
            continue
        judged.append((m, count))
    if not judged:
        return skip("unsupported rules: " + "; ".join(sorted(set(unjudgeable))))

    tmp = tempfile.mkdtemp(prefix="sv-")
    try:
        eve = os.path.join(tmp, "eve.json")
        try:
            extra = []
            args = " ".join(str(a) for a in (spec.get("args") or [])).split()
            if any(args[i] == "-k" and args[i + 1] == "none" for i in range(len(args) - 1)):
                extra = ["--checksum-validation", "no"]
            r = subprocess.run([rampartd, "--pcap", pcap, "--rules", rules, "--hs-cache", "", "--eve", eve] + extra,
                               capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp)
        except subprocess.TimeoutExpired:
            res["result"] = "fail"
            res["reason"] = f"rampartd timed out after {TIMEOUT}s"
            return res
        if r.returncode != 0:
            err = [l for l in r.stderr.splitlines() if l.strip()]
            if any("link type" in l or "Ethernet" in l for l in err):
                return skip("pcap refused: " + err[-1])
            if any("signatures rejected" in l for l in err):
                return skip("rules not loadable: " + err[0])
            res["result"] = "fail"
            res["reason"] = f"rampartd exit {r.returncode}: " + (err[-1] if err else "")
            return res
        alerts = []
        if os.path.exists(eve):
            with open(eve, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue
                    if rec.get("event_type") == "alert":
                        alerts.append(rec)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    failed = []
    for m, count in judged:
        base = [a for a in alerts if "alert.signature_id" not in m
                or values_equal(m["alert.signature_id"], get_path(a, "alert.signature_id")[1])]
        extra = [k for k in m if k not in ("event_type", "alert.signature_id")]
        missing = sorted({k for k in extra for a in base if not get_path(a, k)[0]})
        if missing:
            unjudgeable.append("EVE field " + ",".join(missing) + " not produced by rampart")
            continue
        got = sum(1 for a in base if all(values_equal(m[k], get_path(a, k)[1]) for k in extra))
        label = f"sid {m['alert.signature_id']}" if "alert.signature_id" in m else "alerts"
        if extra:
            label += " (" + ", ".join(f"{k}={m[k]}" for k in extra[:2]) + (", ..." if len(extra) > 2 else "") + ")"
        if got != count:
            failed.append(f"{label}: expected {count}, got {got}")
    res["details"] = failed
    if failed:
        res["result"] = "fail"
        res["reason"] = "; ".join(failed)
    elif unjudgeable:
        res["result"] = "skipped"
        res["reason"] = "partly unsupported (judged ones met): " + "; ".join(sorted(set(unjudgeable)))
    else:
        res["result"] = "pass"
        res["reason"] = f"{len(judged)} alert expectation(s) met"
    return res


def find_cases(data):
    cases = []
    for dirpath, dirnames, filenames in os.walk(data):
        dirnames.sort()
        if "test.yaml" in filenames:
            cases.append((dirpath, os.path.relpath(dirpath, data)))
    return sorted(cases, key=lambda c: c[1])


def esc(s):
    return s.replace("|", "\\|")


def render(results, cmd):
    lines = []
    fams = FAMILIES + ["other"]
    total = {"pass": 0, "fail": 0, "skipped": 0}
    lines.append("| family | cases | pass | fail | skipped |")
    lines.append("|---|---:|---:|---:|---:|")
    for f in fams:
        rs = [r for r in results if r["family"] == f]
        if not rs:
            continue
        c = {k: sum(1 for r in rs if r["result"] == k) for k in total}
        for k in total:
            total[k] += c[k]
        lines.append(f"| {f} | {len(rs)} | {c['pass']} | {c['fail']} | {c['skipped']} |")
    lines.append(f"| **all** | {len(results)} | {total['pass']} | {total['fail']} | {total['skipped']} |")
    lines.append("")
    for f in fams:
        rs = [r for r in results if r["family"] == f]
        if not rs:
            continue
        lines.append(f"### {f}")
        lines.append("")
        lines.append("| case | result | reason |")
        lines.append("|---|---|---|")
        for r in rs:
            if r["result"] != "skipped":
                lines.append(f"| {r['case']} | {r['result']} | {esc(r['reason'])} |")
        skipped = {}
        for r in rs:
            if r["result"] == "skipped":
                skipped.setdefault(r["reason"], []).append(r["case"])
        for reason, names in sorted(skipped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            shown = ", ".join(names[:3]) + (f", ... ({len(names)} cases)" if len(names) > 3 else "")
            lines.append(f"| {shown} | skipped | {esc(reason)} |")
        lines.append("")
    summary = f"{total['pass']} passed, {total['fail']} failed, {total['skipped']} skipped"
    return "\n".join(lines), summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rampartd", default=os.path.join(ROOT, "build", "rampartd"))
    ap.add_argument("--data", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "pcaps",
                                                                    "suricata-verify")))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", default="", help="run only cases whose path contains this")
    ap.add_argument("--markdown", help="also write the tables (markdown) to this file")
    ap.add_argument("--json", help="write every case's result as JSON to this file")
    ap.add_argument("--verbose", action="store_true", help="print every case")
    args = ap.parse_args()
    if not os.access(args.rampartd, os.X_OK):
        sys.exit(f"suricata_verify: {args.rampartd} is not executable")
    cases = [c for c in find_cases(args.data) if args.only in c[1]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        results = list(ex.map(lambda c: run_case(c[0], c[1], args.rampartd), cases))
    if args.verbose:
        for r in results:
            print(f"{r['result']:8} {r['case']}: {r['reason']}")
        print()
    table, summary = render(results, sys.argv)
    print(table)
    print(summary)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(table + "\n\n" + summary + "\n")


if __name__ == "__main__":
    main()
