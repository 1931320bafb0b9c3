#!/usr/bin/python3
"""rampartd refuses bad input with a clear message and exit code 1, never a
crash, and leaves no EAL runtime directory behind, whichever set-up step
fails (before or after the EAL has started).

usage: cli_errors.py --rampartd PATH
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import caselib  # noqa: E402  (scapy helpers: one valid capture)
from scapy.utils import wrpcap  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rampartd", required=True)
    a = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.pcap")
        wrpcap(good, caselib.tcp_session(caselib.C4, caselib.S4, 40000, 80))
        bad_policy = os.path.join(tmp, "bad.yaml")
        with open(bad_policy, "w") as f:
            f.write("default_action: maybe\nrules:\n  - action: allow\n    dst_ports: 80\n")
        bad_rules = os.path.join(tmp, "bad.rules")
        with open(bad_rules, "w") as f:
            f.write("alert tcp any any -> any any (content:\"a\";)\n")
        bad_set = os.path.join(tmp, "bad-set.yaml")
        with open(bad_set, "w") as f:
            f.write("signature_sets:\n  - name: site\n    rules: |\n"
                    "      alert http any any -> any any (msg:\"ok\"; http.uri; content:\"a\"; sid:1; rev:1;)\n"
                    "      alert http any any -> any any (msg:\"fb\"; flowbits:set,x; content:\"b\"; sid:2; rev:1;)\n")
        icmp_set = os.path.join(tmp, "icmp-set.yaml")
        with open(icmp_set, "w") as f:
            f.write("signature_sets:\n  - name: site\n    rules: |\n"
                    "      alert icmp any any -> any any (msg:\"i\"; content:\"abc\"; sid:5; rev:1;)\n")
        not_pcap = os.path.join(tmp, "text.pcap")
        with open(not_pcap, "w") as f:
            f.write("this is not a capture\n")
        cases = [
            ("unwritable EVE file (fails after the EAL started)",
             ["--pcap", good, "--eve", "/nonexistent-dir/eve.json"], "cannot open EVE file /nonexistent-dir/eve.json"),
            ("policy with errors", ["--pcap", good, "--policy", bad_policy], "bad.yaml:1:17: error:"),
            ("signatures with errors", ["--pcap", good, "--rules", bad_rules], "bad.rules:1: error: no sid"),
            ("a policy file's signature set with an unsupported rule (refused, not loaded weaker)",
             ["--pcap", good, "--policy", bad_set], "signature set site: site:2: unsupported: option 'flowbits'"),
            ("a policy file's set with a rule only the compiler refuses",
             ["--pcap", good, "--policy", icmp_set, "--hs-cache", ""],
             "signature set: site:1: unsupported: content on ICMP payloads is not inspected"),
            ("not a capture file", ["--pcap", not_pcap], "cannot read as a capture file"),
            ("missing capture file", ["--pcap", os.path.join(tmp, "absent.pcap")], "cannot read as a capture file"),
            ("unknown option", ["--pcap", good, "--frobnicate"], "unknown option '--frobnicate'"),
            ("MTU out of range", ["--pcap", good, "--mtu", "99999"], "--mtu: needs an MTU"),
            ("bad --checksum-validation", ["--pcap", good, "--checksum-validation", "maybe"],
             "--checksum-validation: must be yes, no or auto"),
            ("--checksum-validation auto outside offline mode",
             ["--no-huge", "--", "--checksum-validation", "auto"],
             "--checksum-validation auto is for offline mode"),
            ("bad --l7-flows", ["--pcap", good, "--l7-flows", "0"], "--l7-flows: needs a number of flows"),
            ("bad --l7-on-exhausted", ["--pcap", good, "--l7-on-exhausted", "pass"],
             "--l7-on-exhausted: must be drop or bypass"),
            ("--no-rules with --rules", ["--pcap", good, "--no-rules", "--rules", bad_rules],
             "--no-rules contradicts --rules"),
        ]
        for name, args, message in cases:
            before = set(glob.glob("/var/run/dpdk/rampart-offline-*"))
            r = subprocess.run([a.rampartd] + args, capture_output=True, text=True, timeout=60)
            left = set(glob.glob("/var/run/dpdk/rampart-offline-*")) - before
            problems = []
            if r.returncode not in (1, 2):
                problems.append("exit code %d (want 1 or 2; negative means a signal)" % r.returncode)
            if message not in r.stderr:
                problems.append("stderr lacks %r: %s" % (message, r.stderr.strip().splitlines()[-3:]))
            if left:
                problems.append("left EAL runtime dirs %s" % sorted(left))
            if problems:
                failed += 1
                print("FAIL  %s: %s" % (name, "; ".join(problems)))
            else:
                passed += 1
                print("PASS  %s (exit %d)" % (name, r.returncode))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
