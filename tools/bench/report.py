#!/usr/bin/python3
"""Parse the logs of tools/bench/run.sh and print the results table.

  report.py --logs DIR [--warmup N] [--scenarios a,b,...] [--json FILE]

DIR holds, per scenario S and round R:
  S.testpmd.R.log    dpdk-testpmd stdout+stderr (--stats-period 1)
  S.rampartd.R.err   rampartd stderr: one JSON stats line per second
  S.rampartd.R.out   rampartd stdout: the JSON summary
  S.rampartd.R.rc    rampartd's exit status

Rates: testpmd prints, every second, each port's Rx-pps and Tx-pps over the
last period. rampartd's stats lines carry cumulative counters; the rate of an
interval is the counter's difference divided by the time between the lines.
The first --warmup samples of every run are dropped. A run's rate is the
median of its remaining samples; a scenario's figure is the median over its
rounds, and the ratio is rampartd's median over testpmd's median.

"in" is what the program took off port 0, "out" what it put on port 1.
testpmd forwards everything (in == out). rampartd's "in" counts every packet
it processed, forwarded or dropped; the ratio column compares rampartd's
processed rate with testpmd's forwarding rate (for the scenarios where
rampartd forwards everything, they are the same).
"""

import argparse
import glob
import json
import os
import re
import statistics
import sys

PORT_RE = re.compile(r"NIC statistics for port (\d+)")
PPS_RE = re.compile(r"(Rx|Tx)-pps:\s+(\d+)")


def median(xs):
    return statistics.median(xs) if xs else None


# --- testpmd -----------------------------------------------------------------

def testpmd_samples(path):
    """[(rx_pps, tx_pps)] summed over ports, one per stats period."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    samples = []
    for block in text.split("Port statistics ====")[1:]:
        rx = tx = 0
        seen = False
        for m in PPS_RE.finditer(block):
            seen = True
            if m.group(1) == "Rx":
                rx += int(m.group(2))
            else:
                tx += int(m.group(2))
        if seen:
            samples.append((rx, tx))
    return samples


# --- rampartd ----------------------------------------------------------------

TIME_KEYS = ("uptime_s", "elapsed_s", "elapsed", "uptime", "time_s", "ts",
             "time", "timestamp", "t")


def find_number(obj, names):
    """First numeric value under one of `names`, at the top level or one level
    down (e.g. {"totals": {"packets_in": ...}})."""
    if not isinstance(obj, dict):
        return None
    for n in names:
        v = obj.get(n)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return v
    for v in obj.values():
        if isinstance(v, dict):
            for n in names:
                w = v.get(n)
                if isinstance(w, (int, float)) and not isinstance(w, bool):
                    return w
    return None


def parse_time(v):
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        from datetime import datetime
        try:
            return datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def rampartd_lines(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("{"):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and find_number(obj, ("packets_in",)) is not None:
                out.append(obj)
    return out


def rampartd_samples(path, interval=1.0):
    """[(in_pps, out_pps)] from consecutive cumulative stats lines. The first
    sample is the first line against zero at an unknown start time, so it is
    only an approximation; it falls in the warm-up anyway."""
    lines = rampartd_lines(path)
    samples = []
    prev_in = prev_out = 0
    prev_t = None
    for i, obj in enumerate(lines):
        pin = find_number(obj, ("packets_in",))
        pout = find_number(obj, ("packets_out",)) or 0
        t = None
        for k in TIME_KEYS:
            if k in obj:
                t = parse_time(obj[k])
                if t is not None:
                    break
        if t is not None and prev_t is not None and t > prev_t:
            dt = t - prev_t
        else:
            dt = interval
        samples.append(((pin - prev_in) / dt, (pout - prev_out) / dt))
        prev_in, prev_out, prev_t = pin, pout, t
    return samples


def read_json(path):
    """The JSON summary rampartd printed on stdout (pretty-printed in live
    mode, one line in offline mode): the first object that parses."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    dec = json.JSONDecoder()
    pos = 0
    while True:
        start = text.find("{", pos)
        if start < 0:
            return None
        if start == 0 or text[start - 1] == "\n":
            try:
                obj, _ = dec.raw_decode(text, start)
                if isinstance(obj, dict) and "packets_in" in obj:
                    return obj
            except ValueError:
                pass
        pos = start + 1


# --- report ------------------------------------------------------------------

def run_rate(samples, warmup, col):
    steady = [s[col] for s in samples[warmup:]]
    return median(steady), len(steady)


def fmt_mpps(x):
    return "   n/a" if x is None else f"{x / 1e6:6.2f}"


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", required=True)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--scenarios", default="")
    ap.add_argument("--json")
    a = ap.parse_args(argv)

    scenarios = [s for s in a.scenarios.split(",") if s]
    if not scenarios:
        scenarios = sorted({os.path.basename(p).split(".")[0]
                            for p in glob.glob(os.path.join(a.logs, "*.testpmd.*.log"))})
    meta = {}
    mp = os.path.join(a.logs, "meta.txt")
    if os.path.exists(mp):
        for line in open(mp):
            k, _, v = line.partition(":")
            meta[k.strip()] = v.strip()

    results = []
    notes = []
    for s in scenarios:
        tp_runs, rd_in_runs, rd_out_runs = [], [], []
        summaries = []
        rounds = sorted({int(p.rsplit(".", 2)[-2])
                         for p in glob.glob(os.path.join(a.logs, f"{s}.*.*.*"))
                         if p.rsplit(".", 2)[-2].isdigit()})
        for r in rounds:
            tp = testpmd_samples(os.path.join(a.logs, f"{s}.testpmd.{r}.log"))
            rate, n = run_rate(tp, a.warmup, 1)
            if rate is None:
                notes.append(f"{s} round {r}: testpmd printed no steady-state sample")
            else:
                tp_runs.append(rate)
            base = os.path.join(a.logs, f"{s}.rampartd.{r}")
            rd = rampartd_samples(base + ".err")
            rin, n = run_rate(rd, a.warmup, 0)
            rout, _ = run_rate(rd, a.warmup, 1)
            if rin is None:
                notes.append(f"{s} round {r}: rampartd printed {len(rd)} stats "
                             f"line(s), none after the warm-up")
            else:
                rd_in_runs.append(rin)
                rd_out_runs.append(rout)
            rc = open(base + ".rc").read().strip() if os.path.exists(base + ".rc") else "?"
            if rc != "0":
                notes.append(f"{s} round {r}: rampartd exit status {rc}")
            summ = read_json(base + ".out")
            if summ is None:
                notes.append(f"{s} round {r}: rampartd printed no JSON summary")
            else:
                summaries.append(summ)
                pi, po, dr = (summ.get("packets_in"), summ.get("packets_out"),
                              summ.get("dropped"))
                if None not in (pi, po, dr) and pi != po + dr:
                    notes.append(f"{s} round {r}: summary packets_in {pi} != "
                                 f"packets_out {po} + dropped {dr}")
        tp_med, rd_med, rd_out_med = median(tp_runs), median(rd_in_runs), median(rd_out_runs)
        ratio = rd_med / tp_med if tp_med and rd_med is not None else None
        drops = {}
        for summ in summaries:
            for k, v in (summ.get("drop_reasons") or {}).items():
                drops[k] = drops.get(k, 0) + v
        results.append({
            "scenario": s,
            "rampartd_args": meta.get(f"args.{s}", ""),
            "testpmd_mpps": tp_med and tp_med / 1e6,
            "rampartd_in_mpps": rd_med and rd_med / 1e6,
            "rampartd_out_mpps": rd_out_med and rd_out_med / 1e6,
            "ratio": ratio,
            "testpmd_runs_mpps": [x / 1e6 for x in tp_runs],
            "rampartd_runs_mpps": [x / 1e6 for x in rd_in_runs],
            "rampartd_summaries": [{k: v for k, v in x.items()
                                    if k in ("packets_in", "packets_out", "dropped",
                                             "drop_reasons", "flows")}
                                   for x in summaries],
            "drop_reasons_total": drops,
        })

    print()
    for k in ("date", "nproc", "cpu", "rampartd", "testpmd", "duration", "rounds"):
        if k in meta:
            print(f"{k + ':':<10}{meta[k]}")
    hdr = f"{'scenario':<16} {'testpmd Mpps':>12} {'rampartd Mpps':>13} {'(out)':>7} {'ratio':>6}   runs testpmd | rampartd"
    print()
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        runs = (" ".join(f"{x:.2f}" for x in r["testpmd_runs_mpps"]) + " | " +
                " ".join(f"{x:.2f}" for x in r["rampartd_runs_mpps"]))
        ratio = "  n/a" if r["ratio"] is None else f"{r['ratio']:5.2f}"
        tp = None if r["testpmd_mpps"] is None else r["testpmd_mpps"] * 1e6
        ri = None if r["rampartd_in_mpps"] is None else r["rampartd_in_mpps"] * 1e6
        ro = None if r["rampartd_out_mpps"] is None else r["rampartd_out_mpps"] * 1e6
        print(f"{r['scenario']:<16} {fmt_mpps(tp):>12} {fmt_mpps(ri):>13} "
              f"{fmt_mpps(ro):>7} {ratio:>6}   {runs}")
    print()
    print("Mpps: median over rounds of each run's median 1-second rate after "
          f"{a.warmup} warm-up sample(s). rampartd Mpps = packets processed "
          "(in), (out) = forwarded; ratio = rampartd in / testpmd.")
    for r in results:
        if r["drop_reasons_total"]:
            print(f"{r['scenario']}: rampartd drop reasons (all rounds): "
                  + ", ".join(f"{k}={v}" for k, v in sorted(r["drop_reasons_total"].items())))
    for n in notes:
        print("note:", n)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"meta": meta, "warmup": a.warmup, "results": results},
                      f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
