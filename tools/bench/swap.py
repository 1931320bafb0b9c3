#!/usr/bin/python3
"""Policy swap benchmark: how long an ApplyPolicy takes to reach enforcement
and what it costs the worker, with traffic flowing.

rampartd runs with one worker lcore, net_pcap replaying 10,000 established
TCP flows in a loop (infinite_rx) into net_null, and its appliance API on a
unix socket. For each policy size (--rules, default 1000,100000) the
benchmark applies --swaps policies of that size in turn (two alternating
rule sets, so every swap changes the rules and every flow re-classifies)
through the appliance API and records, per apply:

  rpc_ms         the ApplyPolicy call, client side: check + rule set build
                 (rte_acl) + RCU publish + grace period, i.e. from the
                 request to "every worker enforces the new policy"
  build_ms       check + build, on rampartd's gRPC thread (off the worker)
  publish_ms     publish until every worker passed a quiescent state
  max_loop_us    the longest worker loop iteration from the publish to the
                 end of the grace period (the worker never waits on the
                 swap; this is what re-classifying flows and touching the
                 new ACL tables costs it, plus any time slice the OS took)
  p99_loop_us    the 99th percentile of the iterations in that window
                 (power-of-two buckets: an upper bound)

and the same distribution over --baseline seconds of traffic without any
swap (from the workers' loop histogram, GetCounters), so that OS noise on a
shared machine can be told from the swap's cost; and the packets
accounted during the swaps (received = forwarded + dropped; the policies
allow the replayed flows, so nothing may be dropped).

With rampart-controller and rampartctl built, --controller also times
`rampartctl apply -f FILE` to the appliance reporting the new version (see
docs/performance.md).

With --signature-swaps N, rampartd also runs with --l7 (no Hyperscan
cache) and N policies that replace the signature set are applied, two
variants of --signatures (default: the bundled set) in turn, recording the
same figures plus signature_build_ms (parse + Hyperscan compile + every
worker's scratch and raw-stream state, off the workers) and rpc_ms up to
every worker running the new set; `--rules ""` skips the rule-set swaps.

usage: tools/bench/swap.py [--rules 1000,100000] [--swaps 10] [--rampartd PATH]
                           [--signature-swaps N [--signatures FILE]]

Run as root (DPDK); with /usr/bin/python3 (scapy, grpcio from Debian).
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "lab"))
from appliance_api import appliance_pb2, unary  # noqa: E402


class Appliance:
    def __init__(self, pb, address):
        import grpc
        self.pb = pb
        self.grpc = grpc
        opts = [("grpc.max_send_message_length", 256 << 20), ("grpc.max_receive_message_length", 256 << 20)]
        self.ch = grpc.insecure_channel(address, options=opts)

    def call(self, name, req, resp_type, timeout=120):
        return unary(self.ch, name, resp_type)(req, timeout=timeout)

    def wait_ready(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                return self.call("GetStatus", self.pb.GetStatusRequest(), self.pb.GetStatusResponse, timeout=1)
            except self.grpc.RpcError:
                time.sleep(0.2)
        raise SystemExit("swap.py: rampartd's appliance API did not come up")

    def counters(self):
        r = self.call("GetCounters", self.pb.GetCountersRequest(), self.pb.GetCountersResponse)
        return {c.name: c.value for c in r.counters}


def stop_process(proc, sig, timeout=20):
    """Signals a process we started, waits; kills it after `timeout` s."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def make_policy(pb, n, version, variant):
    """n rules: n-1 deny rules on addresses the traffic never uses (a
    different set per variant), then one allow rule for the replayed
    flows (198.18.0.0/16 -> 198.19.0.0/16 tcp/80); default deny."""
    p = pb.Policy(version=version, default_action=pb.ACTION_DENY, non_ip_action=pb.ACTION_ALLOW,
                  origin="swap-bench-%d-%s" % (n, variant))
    base = 10 if variant == "a" else 100
    for i in range(n - 1):
        r = p.rules.add(name="deny-%d" % i, action=pb.ACTION_DENY, protocol=6)
        r.dst.add(prefix="%d.%d.%d.%d/32" % (base + (i >> 16) % 50, (i >> 8) & 255, i & 255, 1 + (i % 7)))
        r.dst_ports.add(first=1000 + i % 5000, last=1000 + i % 5000)
    a = p.rules.add(name="allow-bench", action=pb.ACTION_ALLOW, protocol=6)
    a.src.add(prefix="198.18.0.0/16")
    a.dst.add(prefix="198.19.0.0/16")
    a.dst_ports.add(first=80, last=80)
    return p


def policy_yaml(n, variant):
    """The same policies as make_policy(), as a policy v0 document."""
    base = 10 if variant == "a" else 100
    lines = ["default_action: deny", "rules:"]
    for i in range(n - 1):
        lines += ["  - name: deny-%d" % i, "    action: deny", "    protocol: tcp",
                  "    dst: %d.%d.%d.%d/32" % (base + (i >> 16) % 50, (i >> 8) & 255, i & 255, 1 + (i % 7)),
                  "    dst_ports: %d" % (1000 + i % 5000)]
    lines += ["  - name: allow-bench", "    action: allow", "    protocol: tcp", "    src: 198.18.0.0/16",
              "    dst: 198.19.0.0/16", "    dst_ports: 80"]
    return "\n".join(lines) + "\n"


def ctl_bench(a, pb, app, tmp, sock):
    """`rampartctl apply -f FILE` through rampart-controller until the
    appliance reports the new version (polled every millisecond)."""
    pdir = os.path.join(tmp, "policies")
    os.makedirs(pdir)
    csock = os.path.join(tmp, "controller.sock")
    log = open(os.path.join(tmp, "controller.log"), "w")
    ctl = subprocess.Popen([a.controller, "--policy-dir", pdir, "--grpc-socket", csock, "--appliance", "unix:" + sock],
                           stdout=log, stderr=subprocess.STDOUT)
    out = {}
    try:
        for _ in range(100):
            if os.path.exists(csock):
                break
            time.sleep(0.1)
        time.sleep(1.0)  # first sync: the controller pushes its (empty) desired state
        for n in [int(x) for x in a.rules.split(",") if x]:
            rows = []
            for k in range(a.ctl_applies):
                doc = os.path.join(tmp, "bench.yaml")
                with open(doc, "w") as f:
                    f.write(policy_yaml(n, "ab"[k % 2]))
                before = app.call("GetStatus", pb.GetStatusRequest(), pb.GetStatusResponse).applied_version
                t0 = time.monotonic()
                r = subprocess.run([a.rampartctl, "--server", "unix:" + csock, "--timeout", "300", "apply", "-f", doc],
                                   capture_output=True, text=True)
                t_ctl = time.monotonic() - t0
                if r.returncode != 0:
                    raise SystemExit("swap.py: rampartctl apply failed: " + r.stderr.strip())
                while True:
                    st = app.call("GetStatus", pb.GetStatusRequest(), pb.GetStatusResponse)
                    if st.applied_version > before:
                        break
                    if time.monotonic() - t0 > 600:
                        raise SystemExit("swap.py: the appliance never got the new version")
                    time.sleep(0.001)
                rows.append({"ctl_ms": t_ctl * 1e3, "to_enforcement_ms": (time.monotonic() - t0) * 1e3})
            out[n] = {k: summarize([r[k] for r in rows]) for k in ("ctl_ms", "to_enforcement_ms")}
            print("rules %7d: rampartctl apply -> enforced on the appliance: %.0f ms median (max %.0f; "
                  "rampartctl itself returned after %.0f ms)" % (
                      n, out[n]["to_enforcement_ms"]["median"], out[n]["to_enforcement_ms"]["max"],
                      out[n]["ctl_ms"]["median"]))
            sys.stdout.flush()
    finally:
        ctl.send_signal(signal.SIGTERM)
        try:
            ctl.wait(10)
        except subprocess.TimeoutExpired:
            ctl.kill()
    return out


def tsc_hz():
    # rampartd's TSC rate is the CPU's constant TSC; Linux reports it.
    try:
        out = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if "tsc: Refined TSC clocksource calibration:" in line or "tsc: Detected" in line:
                mhz = float(line.split(":")[-1].strip().split()[0])
                return mhz * 1e6
    except (OSError, ValueError):
        pass
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                return float(line.split(":")[1]) * 1e6
    return 1e9


def histogram_delta(c0, c1):
    """workers.*.loop_log2_cycles.B between two GetCounters reads."""
    h = {}
    for k, v in c1.items():
        if ".loop_log2_cycles." in k:
            b = int(k.rsplit(".", 1)[1])
            h[b] = h.get(b, 0) + v - c0.get(k, 0)
    return h


def percentile_us(h, q, hz):
    total = sum(h.values())
    if total == 0:
        return 0.0
    seen = 0
    for b in sorted(h):
        seen += h[b]
        if seen >= q * total:
            return (2 << b) / hz * 1e6
    return 0.0


def summarize(xs):
    xs = sorted(xs)
    return {"median": statistics.median(xs), "max": xs[-1], "min": xs[0]}


def signature_bench(a, pb, app, version):
    with open(a.signatures) as f:
        text = f.read()
    # Two variants, so that every apply replaces the set.
    variants = [text, text + '\nalert http any any -> any any (msg:"bench variant"; http.uri; '
                'content:"rampart-bench-b"; sid:9199999; rev:1;)\n']
    rows = []
    start = app.counters()
    for s in range(a.signature_swaps):
        pol = make_policy(pb, 10, version, "ab"[s % 2])
        pol.signatures.sets.add(name="bench", rules=variants[s % 2])
        t0 = time.monotonic()
        r = app.call("ApplyPolicy", pb.ApplyPolicyRequest(policy=pol), pb.ApplyPolicyResponse)
        rpc = time.monotonic() - t0
        rows.append({"rpc_ms": rpc * 1e3, "signature_build_ms": r.signature_build_seconds * 1e3,
                     "max_loop_us": r.max_worker_loop_ns / 1e3, "p99_loop_us": r.p99_worker_loop_ns / 1e3,
                     "signatures": r.signatures})
        version += 1
    end = app.counters()
    z = {"applies": len(rows), "signatures": rows[-1]["signatures"],
         **{k: summarize([r[k] for r in rows]) for k in ("rpc_ms", "signature_build_ms", "max_loop_us", "p99_loop_us")},
         "packets_in": end["packets_in"] - start["packets_in"], "packets_out": end["packets_out"] - start["packets_out"],
         "dropped": end["dropped"] - start["dropped"]}
    print("signature sets (%d signatures): %d applies; ApplyPolicy %.0f ms median (max %.0f; signature build %.0f ms); "
          "worker loop during a swap: p99 %.0f us (median over applies), longest %.0f us median / %.0f us max; "
          "traffic meanwhile: %d in, %d out, %d dropped" % (
              z["signatures"], len(rows), z["rpc_ms"]["median"], z["rpc_ms"]["max"],
              z["signature_build_ms"]["median"], z["p99_loop_us"]["median"], z["max_loop_us"]["median"],
              z["max_loop_us"]["max"], z["packets_in"], z["packets_out"], z["dropped"]))
    sys.stdout.flush()
    return z


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rules", default="1000,100000")
    ap.add_argument("--swaps", type=int, default=10)
    ap.add_argument("--baseline", type=float, default=5.0, help="seconds of traffic before the first apply")
    ap.add_argument("--rampartd", default=os.path.join(ROOT, "build", "rampartd"))
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--controller", default=os.path.join(ROOT, "build", "controlplane", "controller",
                                                         "rampart-controller"))
    ap.add_argument("--rampartctl", default=os.path.join(ROOT, "build", "controlplane", "ctl", "rampartctl"))
    ap.add_argument("--ctl-applies", type=int, default=3, help="rampartctl applies per size (0: skip)")
    ap.add_argument("--signature-swaps", type=int, default=0, help="signature set replacements (0: none)")
    ap.add_argument("--signatures", default=os.path.join(ROOT, "rules", "rampart-web.rules"))
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="rampart-swap-")
    proc = None
    try:
        pb = appliance_pb2()
        pcap = os.path.join(tmp, "est.pcap")
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_traffic.py"), "established", "--flows", "10000",
                        "--out", pcap], check=True, stdout=subprocess.DEVNULL)
        sock = os.path.join(tmp, "rampartd.sock")
        prefix = "rswap-%d" % os.getpid()
        cmd = [a.rampartd, "-l", "0,1", "--no-huge", "-m", "2048", "--file-prefix", prefix, "--no-pci",
               "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "--vdev", "net_null0,no-rx=1", "--",
               "--grpc-socket", sock, "--mbufs", "65536", "--summary"]
        if a.signature_swaps > 0:
            cmd += ["--l7", "--hs-cache", ""]
        log = open(os.path.join(tmp, "rampartd.log"), "w")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        app = Appliance(pb, "unix:" + sock)
        app.wait_ready(60)
        time.sleep(1.0)
        h0 = app.counters()
        time.sleep(a.baseline)
        h1 = app.counters()
        hz = tsc_hz()
        base = histogram_delta(h0, h1)
        results = {"baseline": {"loops": sum(base.values()), "p99_loop_us": percentile_us(base, 0.99, hz),
                                "p999_loop_us": percentile_us(base, 0.999, hz),
                                "max_loop_us_bound": percentile_us(base, 1.0, hz)}, "sizes": {}}
        version = 1
        for n in [int(x) for x in a.rules.split(",") if x]:
            rows = []
            start = app.counters()
            for s in range(a.swaps):
                pol = make_policy(pb, n, version, "ab"[s % 2])
                t0 = time.monotonic()
                r = app.call("ApplyPolicy", pb.ApplyPolicyRequest(policy=pol), pb.ApplyPolicyResponse)
                rpc = time.monotonic() - t0
                rows.append({"rpc_ms": rpc * 1e3, "build_ms": r.build_seconds * 1e3,
                             "publish_ms": r.publish_seconds * 1e3, "max_loop_us": r.max_worker_loop_ns / 1e3,
                             "p99_loop_us": r.p99_worker_loop_ns / 1e3})
                version += 1
            end = app.counters()
            rx = end["packets_in"] - start["packets_in"]
            tx = end["packets_out"] - start["packets_out"]
            dropped = end["dropped"] - start["dropped"]
            results["sizes"][n] = {
                "applies": len(rows),
                **{k: summarize([r[k] for r in rows])
                   for k in ("rpc_ms", "build_ms", "publish_ms", "max_loop_us", "p99_loop_us")},
                "packets_in": rx, "packets_out": tx, "dropped": dropped,
            }
            z = results["sizes"][n]
            print("rules %7d: %d applies; ApplyPolicy %.1f ms median (max %.1f; build %.1f, publish %.2f); "
                  "worker loop during a swap: p99 %.0f us (median over applies), longest %.0f us median / %.0f us max; "
                  "traffic meanwhile: %d in, %d out, %d dropped" % (
                      n, len(rows), z["rpc_ms"]["median"], z["rpc_ms"]["max"], z["build_ms"]["median"],
                      z["publish_ms"]["median"], z["p99_loop_us"]["median"], z["max_loop_us"]["median"],
                      z["max_loop_us"]["max"], rx, tx, dropped))
            sys.stdout.flush()
        if a.signature_swaps > 0:
            results["signatures"] = signature_bench(a, pb, app, version)
        if a.ctl_applies > 0 and a.rules and os.access(a.controller, os.X_OK) and os.access(a.rampartctl, os.X_OK):
            results["rampartctl"] = ctl_bench(a, pb, app, tmp, sock)
        b = results["baseline"]
        print("worker loop without a swap (baseline, %.0f s, %d iterations): p99 %.1f us, p99.9 %.1f us, "
              "longest < %.0f us" % (a.baseline, b["loops"], b["p99_loop_us"], b["p999_loop_us"],
                                     b["max_loop_us_bound"]))
        if a.json:
            with open(a.json, "w") as f:
                json.dump(results, f, indent=2)
    finally:
        if proc is not None:
            stop_process(proc, signal.SIGINT)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
