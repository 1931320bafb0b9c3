#!/usr/bin/python3
"""Run one capture-file test case against rampartd in offline mode.

usage: run_case.py --rampartd PATH CASE_DIR [--keep]

A case directory holds:
  make_pcap.py   writes the input capture to the path given as argv[1]
  policy.yaml    optional, passed as --policy
  expect.yaml    what the run must produce:

    description: free text
    args: [--mtu, "9000"]            # extra rampartd options (optional)
    bundled_rules: true              # run with the bundled signature set (offline
                                     # mode's default); otherwise --no-rules is
                                     # added unless args give --rules/--rules-drop
    summary:                         # every key given is checked
      packets_in: 10                 # exact
      packets_out: 8
      dropped: 2
      drop_reasons: {policy_deny: 2} # exact: reasons not listed must be 0/absent
      flows: 3
      rejects_sent: 0
      counters: {frag_datagrams: 1}  # these counters (others not checked); also l7: {...}
      rules:                         # exact list of rule names (the default action is
        - {name: default, action: allow, hits: 1}   # reported as rule "default"),
        - {name: deny-telnet, action: deny, hits: 1} # with the fields given
    pcap_out:                        # the --pcap-out capture
      input_packets: all | [0, 3]    # these input frames, byte-for-byte
      except: [5]                    # ... leaving these out
      order: flow                    # strict: exactly this order; flow (default): the
                                     # frames of each flow in this order; any
      ignore_generated: false        # frames that are no input frame are rampartd's own
      generated:                     # ... and must be exactly these (kinds below)
        - {kind: tcp_rst, src: ..., dst: ..., sport: 23, dport: 40000, ack: 1001}
        - {kind: icmp_port_unreachable, src: ..., dst: ..., inner_sport: .., inner_dport: ..}
        - {kind: icmp6_port_unreachable, ...}
    eve:                             # the --eve file (every line must be JSON)
      event_counts: {flow: 3}        # exact number of events per event_type
      events:                        # events whose dotted fields all match
        - {count: 1, match: {event_type: flow, dest_port: 80, flow.pkts_toserver: 4}}
        - {count_min: 1, match: {...}}   # also count_max; src_ip etc. may be a CIDR

Checks always made: exit code 0, no sanitizer report on stderr, the summary
is JSON on stdout, and packets_in == packets_out + dropped
== packets_out + sum(drop_reasons).

Exit code 0 when the case passes, 1 when it fails (with a diff) or the case
itself is broken, 2 on a usage error.
"""

import argparse
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import rampart_run  # noqa: E402
import strict_yaml  # noqa: E402  (duplicate keys, merges, second documents are errors)
from rampart_run import parse_summary, sanitizer_report  # noqa: E402

PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
RUN_TIMEOUT = 180


class CaseError(Exception):
    """The case itself is broken (not a rampartd failure)."""


def check_invariant(s, problems):
    try:
        pin, pout, drop = int(s["packets_in"]), int(s["packets_out"]), int(s["dropped"])
        reasons = s.get("drop_reasons", {})
        rsum = sum(int(v) for v in reasons.values())
    except (KeyError, TypeError, ValueError) as e:
        problems.append("summary: missing or non-integer counter (%s)" % e)
        return
    if pin != pout + drop:
        problems.append("invariant: packets_in (%d) != packets_out (%d) + dropped (%d)" % (pin, pout, drop))
    if drop != rsum:
        problems.append("invariant: dropped (%d) != sum(drop_reasons) (%d) %s" % (drop, rsum, json.dumps(reasons)))


def compare_summary(exp, s, problems):
    for key, want in exp.items():
        if key == "drop_reasons":
            got = {k: v for k, v in (s.get("drop_reasons") or {}).items() if v}
            want = {k: v for k, v in (want or {}).items() if v}
            for r in sorted(set(got) | set(want)):
                if got.get(r, 0) != want.get(r, 0):
                    problems.append("summary.drop_reasons.%s: expected %d, got %d"
                                    % (r, want.get(r, 0), got.get(r, 0)))
        elif key == "rules":
            got_rules = s.get("rules")
            if not isinstance(got_rules, list):
                problems.append("summary.rules: expected a list, got %r" % (got_rules,))
                continue
            got_by_name = {}
            for r in got_rules:
                got_by_name[r.get("name")] = r
            want_names = [r["name"] for r in want]
            got_names = [r.get("name") for r in got_rules]
            if sorted(want_names) != sorted(got_names):
                problems.append("summary.rules: expected rules %s, got %s" % (want_names, got_names))
            for w in want:
                g = got_by_name.get(w["name"])
                if g is None:
                    continue
                for f, v in w.items():
                    if f == "name":
                        continue
                    if g.get(f) != v:
                        problems.append("summary.rules[%s].%s: expected %r, got %r" % (w["name"], f, v, g.get(f)))
        elif key in ("counters", "l7"):  # only the counters given
            got = s.get(key) or {}
            for c, v in (want or {}).items():
                if got.get(c) != v:
                    problems.append("summary.%s.%s: expected %r, got %r" % (key, c, v, got.get(c)))
        else:
            if key not in s:
                problems.append("summary.%s: expected %r, missing" % (key, want))
            elif s[key] != want:
                problems.append("summary.%s: expected %r, got %r" % (key, want, s[key]))


# ---------------------------------------------------------------- pcap_out

def read_frames(path):
    from scapy.utils import RawPcapReader
    frames = []
    r = RawPcapReader(path)
    try:
        linktype = getattr(r, "linktype", 1)
        for data, _meta in r:
            frames.append(bytes(data))
    finally:
        r.close()
    return frames, linktype


def describe(frame):
    try:
        from scapy.all import Ether
        return Ether(frame).summary()
    except Exception:  # noqa: BLE001
        return "%d bytes" % len(frame)


def ip_eq(a, b):
    try:
        return ipaddress.ip_address(str(a)) == ipaddress.ip_address(str(b))
    except ValueError:
        return str(a) == str(b)


def match_generated(frame, g):
    """True if the frame is the generated answer g describes."""
    from scapy.all import ICMP, IP, TCP, Ether, IPv6
    from scapy.layers.inet import UDPerror
    from scapy.layers.inet6 import ICMPv6DestUnreach

    p = Ether(frame)
    kind = g["kind"]
    l3 = p.getlayer(IPv6) if ":" in str(g.get("src", "")) else p.getlayer(IP)
    if l3 is None:
        return False
    if "src" in g and not ip_eq(l3.src, g["src"]):
        return False
    if "dst" in g and not ip_eq(l3.dst, g["dst"]):
        return False
    if kind == "tcp_rst":
        t = p.getlayer(TCP)
        if t is None or not (int(t.flags) & 0x04):
            return False
        if "sport" in g and t.sport != g["sport"]:
            return False
        if "dport" in g and t.dport != g["dport"]:
            return False
        if "ack" in g and not ((int(t.flags) & 0x10) and t.ack == g["ack"]):
            return False
        return True
    if kind == "icmp_port_unreachable":
        ic = p.getlayer(ICMP)
        if ic is None or ic.type != 3 or ic.code != 3:
            return False
    elif kind == "icmp6_port_unreachable":
        ic = p.getlayer(ICMPv6DestUnreach)
        if ic is None or ic.code != 4:
            return False
    else:
        raise CaseError("unknown generated kind %r" % kind)
    u = p.getlayer(UDPerror)
    if ("inner_sport" in g or "inner_dport" in g) and u is None:
        return False
    if "inner_sport" in g and u.sport != g["inner_sport"]:
        return False
    if "inner_dport" in g and u.dport != g["inner_dport"]:
        return False
    return True


def checksum_problems(frame):
    """Names of the IP / TCP / UDP / ICMP checksums in frame that are wrong."""
    from scapy.all import ICMP, IP, TCP, UDP, Ether
    from scapy.layers.inet6 import ICMPv6DestUnreach

    layers = (IP, TCP, UDP, ICMP, ICMPv6DestUnreach)
    p = Ether(frame)
    q = Ether(frame)
    for L in layers:
        if L in q:
            del q[L].chksum
    q = Ether(bytes(q))
    bad = []
    for L in layers:
        if L in p and L in q and p[L].chksum != q[L].chksum:
            bad.append("%s checksum 0x%04x, should be 0x%04x" % (L.__name__, p[L].chksum, q[L].chksum))
    return bad


def flow_group(frame):
    """What flow a frame belongs to, for the per-flow order check: both
    directions of a 5-tuple (with the outer VLAN) are one group; each
    fragmented datagram is a group of its own; non-IP frames group by
    ethertype."""
    from scapy.all import IP, TCP, UDP, Dot1AD, Dot1Q, Ether, IPv6, IPv6ExtHdrFragment

    p = Ether(frame)
    vlan = p[Dot1AD].vlan if Dot1AD in p else (p[Dot1Q].vlan if Dot1Q in p else 0)
    if IP in p:
        ip = p[IP]
        if ip.flags.MF or ip.frag:
            return ("frag4", vlan, ip.src, ip.dst, ip.id)
        src, dst, proto = ip.src, ip.dst, ip.proto
    elif IPv6 in p:
        if IPv6ExtHdrFragment in p:
            fh = p[IPv6ExtHdrFragment]
            if fh.m or fh.offset:
                return ("frag6", vlan, p[IPv6].src, p[IPv6].dst, fh.id)
        src, dst, proto = p[IPv6].src, p[IPv6].dst, None
    else:
        return ("l2", vlan, p.type if hasattr(p, "type") else None)
    sport = dport = 0
    for L in (TCP, UDP):
        if L in p:
            sport, dport, proto = p[L].sport, p[L].dport, L.__name__
    a, b = sorted([(src, sport), (dst, dport)])
    return ("ip", vlan, proto, a, b)


def check_pcap_out(exp, in_path, out_path, problems):
    if not os.path.exists(out_path):
        problems.append("pcap_out: %s was not written" % out_path)
        return
    try:
        inp, _ = read_frames(in_path)
        out, linktype = read_frames(out_path)
    except Exception as e:  # noqa: BLE001
        problems.append("pcap_out: cannot read: %s" % e)
        return
    if linktype != 1:
        problems.append("pcap_out: link type %s, expected 1 (Ethernet)" % linktype)
    sel = exp.get("input_packets", "all")
    idx = list(range(len(inp))) if sel == "all" else list(sel)
    if "except" in exp:
        idx = [i for i in idx if i not in set(exp["except"])]
        sel = "%s except %s" % (sel, exp["except"])
    for i in idx:
        if not 0 <= i < len(inp):
            raise CaseError("pcap_out.input_packets: index %d out of range (%d input packets)" % (i, len(inp)))
    want = [inp[i] for i in idx]
    inset = set(inp)
    generated = []
    got = out
    if exp.get("ignore_generated"):
        got = [f for f in out if f in inset]
        generated = [f for f in out if f not in inset]
    order = exp.get("order", "flow")
    if order not in ("strict", "flow", "any"):
        raise CaseError("pcap_out.order must be strict, flow or any, not %r" % order)
    if order == "strict":
        ok = got == want
    else:
        ok = sorted(got) == sorted(want)
        if ok and order == "flow":
            # Packets of different flows may leave in another order (e.g. a
            # non-IP frame ahead of IP ones from the same burst); the packets
            # of one flow must keep theirs.
            for key in {flow_group(f) for f in want}:
                w = [f for f in want if flow_group(f) == key]
                g = [f for f in got if flow_group(f) == key]
                if w != g:
                    ok = False
                    problems.append("pcap_out: packets of %s left in another order than they came" % (key,))
    if not ok:
        problems.append("pcap_out: forwarded frames differ from input frames %s (order: %s)" % (sel, order))
        # Name each output frame by the input frame it is (identical input
        # frames are taken in turn, preferring the expected ones).
        pool = {}
        for i in idx + [i for i in range(len(inp)) if i not in idx]:
            pool.setdefault(inp[i], []).append(i)
        names = []
        for f in got:
            names.append(pool[f].pop(0) if pool.get(f) else "?")
        problems.append("  expected %d frames: input %s" % (len(want), idx))
        problems.append("  got %d frames: input %s" % (len(got), names))
        for n, f in enumerate(got):
            if f not in inset:
                problems.append("  out[%d] matches no input frame: %d bytes %s" % (n, len(f), describe(f)))
                # Show where a modified frame differs from its closest input.
                same_len = [i for i, x in enumerate(inp) if len(x) == len(f)]
                for i in same_len[:1]:
                    diff = [k for k in range(len(f)) if f[k] != inp[i][k]]
                    problems.append("    vs input[%d] (same length): %d bytes differ, first at offset %s"
                                    % (i, len(diff), diff[:8]))
    gexp = exp.get("generated")
    if gexp is not None:
        if len(generated) != len(gexp):
            problems.append("pcap_out: expected %d generated frames, got %d: %s"
                            % (len(gexp), len(generated), [describe(f) for f in generated]))
        used = set()
        for g in gexp:
            hit = None
            for n, f in enumerate(generated):
                if n not in used and match_generated(f, g):
                    hit = n
                    break
            if hit is None:
                problems.append("pcap_out: no generated frame matches %s" % json.dumps(g))
            else:
                used.add(hit)
        for n, f in enumerate(generated):
            for b in checksum_problems(f):
                problems.append("pcap_out: generated frame %s: %s" % (describe(f), b))


# ---------------------------------------------------------------- EVE

def lookup(ev, dotted):
    cur = ev
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return False, None
        cur = cur[part]
    return True, cur


def value_eq(got, want):
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return got == want
    if isinstance(want, str) and isinstance(got, str):
        if got.lower() == want.lower():
            return True
        if "/" in want:  # a CIDR matches any address inside it
            try:
                return ipaddress.ip_address(got) in ipaddress.ip_network(want)
            except ValueError:
                return False
        return ip_eq(got, want) if (":" in want or want.count(".") == 3) else False
    return got == want


def ev_matches(ev, match):
    for k, v in match.items():
        found, got = lookup(ev, k)
        if not found or not value_eq(got, v):
            return False
    return True


def check_eve(exp, eve_path, problems):
    if not os.path.exists(eve_path):
        problems.append("eve: %s was not written" % eve_path)
        return
    events = []
    with open(eve_path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                ev = json.loads(line)
            except ValueError as e:
                problems.append("eve: line %d is not JSON (%s): %s" % (n, e, line.strip()[:200]))
                continue
            if not isinstance(ev, dict) or "event_type" not in ev:
                problems.append("eve: line %d has no event_type: %s" % (n, line.strip()[:200]))
                continue
            events.append(ev)
    counts = {}
    for ev in events:
        counts[ev["event_type"]] = counts.get(ev["event_type"], 0) + 1
    shown = set()

    def show(etype):
        if etype in shown:
            return
        shown.add(etype)
        sel = [e for e in events if etype is None or e.get("event_type") == etype]
        problems.append("  eve events%s (%d):" % ("" if etype is None else " of type " + etype, len(sel)))
        for e in sel[:20]:
            problems.append("    " + json.dumps(e, sort_keys=True))
        if len(sel) > 20:
            problems.append("    ...")

    for etype, want in (exp.get("event_counts") or {}).items():
        if counts.get(etype, 0) != want:
            problems.append("eve.event_counts.%s: expected %d, got %d" % (etype, want, counts.get(etype, 0)))
            show(etype)
    for e in exp.get("events") or []:
        match = e.get("match") or {}
        n = sum(1 for ev in events if ev_matches(ev, match))
        bad = None
        if "count" in e and n != e["count"]:
            bad = "expected %d" % e["count"]
        if "count_min" in e and n < e["count_min"]:
            bad = "expected at least %d" % e["count_min"]
        if "count_max" in e and n > e["count_max"]:
            bad = "expected at most %d" % e["count_max"]
        if bad:
            problems.append("eve.events %s: %s matching, got %d" % (json.dumps(match), bad, n))
            show(match.get("event_type"))


# ---------------------------------------------------------------- main

def run_case(rampartd, case_dir, keep=False):
    case_dir = os.path.abspath(case_dir)
    name = os.path.basename(case_dir.rstrip("/"))
    exp_path = os.path.join(case_dir, "expect.yaml")
    maker = os.path.join(case_dir, "make_pcap.py")
    if not os.path.exists(exp_path) or not os.path.exists(maker):
        raise CaseError("%s: needs make_pcap.py and expect.yaml" % case_dir)
    try:
        exp = strict_yaml.load_file(exp_path) or {}
    except strict_yaml.yaml.YAMLError as e:
        raise CaseError("%s" % e)
    unknown = set(exp) - {"description", "args", "summary", "pcap_out", "eve", "bundled_rules"}
    if unknown:
        raise CaseError("%s: unknown keys %s" % (exp_path, sorted(unknown)))

    tmp = tempfile.mkdtemp(prefix="rampart-case-%s-" % name)
    problems = []
    try:
        in_pcap = os.path.join(tmp, "in.pcap")
        out_pcap = os.path.join(tmp, "out.pcap")
        eve = os.path.join(tmp, "eve.json")
        r = subprocess.run([PY, maker, in_pcap], capture_output=True, text=True, timeout=120)
        if r.returncode != 0 or not os.path.exists(in_pcap):
            raise CaseError("%s failed (%d):\n%s%s" % (maker, r.returncode, r.stdout, r.stderr))

        cmd = [rampartd, "--pcap", in_pcap, "--pcap-out", out_pcap, "--eve", eve]
        policy = os.path.join(case_dir, "policy.yaml")
        if os.path.exists(policy):
            cmd += ["--policy", policy]
        # "{case}" in an argument stands for the case directory.
        args = [str(a).replace("{case}", case_dir) for a in exp.get("args") or []]
        cmd += args
        if not exp.get("bundled_rules") and not {"--rules", "--rules-drop"} & set(args):
            cmd.append("--no-rules")
        print("$ " + " ".join(cmd))
        r = rampart_run.run(cmd, RUN_TIMEOUT, cwd=tmp)
        if r.left_runtime_dir:
            print("note: rampartd left its EAL runtime dir %s behind (removed)" % r.left_runtime_dir)
        if r.timed_out:
            problems.append("rampartd did not finish within %ds" % RUN_TIMEOUT)
            return report(name, problems, r.stdout, r.stderr, tmp, keep)

        if r.returncode < 0:
            problems.append("rampartd killed by signal %d" % -r.returncode)
        elif r.returncode != 0:
            problems.append("rampartd exit code %d" % r.returncode)
        san = sanitizer_report(r.stderr)
        if san:
            problems.append("sanitizer report on stderr (%s)" % san)
        summary, note = parse_summary(r.stdout)
        if summary is None:
            problems.append("no JSON summary on stdout")
            return report(name, problems, r.stdout, r.stderr, tmp, keep)
        if note:
            print("note: " + note)
        check_invariant(summary, problems)
        compare_summary(exp.get("summary") or {}, summary, problems)
        if "pcap_out" in exp:
            check_pcap_out(exp["pcap_out"] or {}, in_pcap, out_pcap, problems)
        if "eve" in exp:
            check_eve(exp["eve"] or {}, eve, problems)
        return report(name, problems, r.stdout, r.stderr, tmp, keep, summary)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def report(name, problems, stdout, stderr, tmp, keep, summary=None):
    if not problems:
        print("PASS %s" % name)
        return 0
    print("FAIL %s" % name)
    for p in problems:
        print("  " + p)
    if summary is not None:
        short = {k: v for k, v in summary.items() if k not in ("ports", "workers")}
        print("  rampartd summary: " + json.dumps(short, sort_keys=True))
    else:
        print("  rampartd stdout:\n" + "\n".join("    " + l for l in (stdout or "").splitlines()[-40:]))
    tail = (stderr or "").splitlines()[-30:]
    if tail:
        print("  rampartd stderr (last %d lines):" % len(tail))
        for l in tail:
            print("    " + l)
    if keep:
        print("  files kept in " + tmp)
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rampartd", required=True, help="path to the rampartd binary")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (pcaps, eve) for inspection")
    ap.add_argument("case_dir")
    a = ap.parse_args()
    if not os.access(a.rampartd, os.X_OK):
        print("run_case: %s is not an executable" % a.rampartd, file=sys.stderr)
        return 2
    try:
        return run_case(os.path.abspath(a.rampartd), a.case_dir, a.keep)
    except CaseError as e:
        print("ERROR (case definition): %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
