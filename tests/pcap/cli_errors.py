#!/usr/bin/python3
"""rampartd refuses bad input with a clear message and exit code 1, never a
crash, and leaves no EAL runtime directory behind, whichever set-up step
fails (before or after the EAL has started).

usage: cli_errors.py --rampartd PATH
"""
import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import caselib  # noqa: E402  (scapy helpers: one valid capture)
import rampart_run  # noqa: E402  (runs rampartd; finds the EAL runtime dir of that very run)
from scapy.utils import wrpcap  # noqa: E402


def write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rampartd", required=True)
    a = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.pcap")
        wrpcap(good, caselib.tcp_session(caselib.C4, caselib.S4, 40000, 80))
        bad_policy = write(tmp, "bad.yaml", "default_action: maybe\nrules:\n  - action: allow\n    dst_ports: 80\n")
        bad_rules = write(tmp, "bad.rules", "alert tcp any any -> any any (content:\"a\";)\n")
        bad_set = write(
            tmp, "bad-set.yaml",
            "signature_sets:\n  - name: site\n    rules: |\n"
            "      alert http any any -> any any (msg:\"ok\"; http.uri; content:\"a\"; sid:1; rev:1;)\n"
            "      alert http any any -> any any (msg:\"fb\"; flowbits:set,x; content:\"b\"; sid:2; rev:1;)\n")
        icmp_set = write(
            tmp, "icmp-set.yaml",
            "signature_sets:\n  - name: site\n    rules: |\n"
            "      alert icmp any any -> any any (msg:\"i\"; content:\"abc\"; sid:5; rev:1;)\n")
        # Issue 9 part 4: a duplicate key used to let the last value win, a
        # second document was ignored, a negative prefix was a host, a
        # header list that matches nothing loaded as a dead rule.
        dup_keys = write(
            tmp, "dup.yaml",
            "default_action: deny\nrules:\n  - name: r\n    action: deny\n    action: allow\ndefault_action: allow\n")
        two_docs = write(tmp, "two-docs.yaml", "default_action: deny\n---\ndefault_action: allow\n")
        negative_prefix = write(tmp, "negative-prefix.yaml",
                                "default_action: allow\nrules:\n  - action: deny\n    src: 198.18.0.0/-16\n")
        dead_ports = write(
            tmp, "dead.rules",
            "# nothing\nalert tcp any any -> any ![0:65535] (msg:\"x\"; content:\"a\"; sid:1;)\n"
            "alert tcp [198.18.0.1,!198.18.0.0/24] any -> any [10:5] (msg:\"y\"; content:\"b\"; sid:2;)\n")
        not_pcap = write(tmp, "text.pcap", "this is not a capture\n")
        cases = [
            ("unwritable EVE file (fails after the EAL started)",
             ["--pcap", good, "--eve", "/nonexistent-dir/eve.json"], "cannot open EVE file /nonexistent-dir/eve.json"),
            ("policy with errors", ["--pcap", good, "--policy", bad_policy], "bad.yaml:1:17: error:"),
            ("signatures with errors", ["--pcap", good, "--rules", bad_rules], "bad.rules:1: error: no sid"),
            ("a policy file's signature set with an unsupported rule (refused, not loaded weaker)",
             ["--pcap", good, "--policy", bad_set], "bad-set.yaml:5: error: site:2: unsupported: option 'flowbits'"),
            ("a policy file's set with a rule only the compiler refuses",
             ["--pcap", good, "--policy", icmp_set, "--hs-cache", ""],
             "icmp-set.yaml:4: error: site:1: unsupported: content on ICMP payloads is not inspected"),
            ("duplicate YAML keys (--policy): both places named",
             ["--pcap", good, "--policy", dup_keys],
             "dup.yaml:5:5: error: duplicate key 'action' (first at %s:4:5)" % dup_keys),
            ("duplicate YAML keys (--validate): every one reported",
             ["--policy", dup_keys, "--validate"],
             "dup.yaml:6:1: error: duplicate key 'default_action' (first at %s:1:1)" % dup_keys),
            ("a second YAML document (--validate)", ["--policy", two_docs, "--validate"],
             "two-docs.yaml:2:1: error: a second YAML document starts here"),
            ("a negative CIDR prefix (--policy)", ["--pcap", good, "--policy", negative_prefix],
             "negative-prefix.yaml:4:10: error: 'src': '198.18.0.0/-16': the prefix length"),
            ("a signature port list that matches nothing (--validate --rules: the report is on stdout)",
             ["--validate", "--rules", dead_ports, "--hs-cache", ""],
             "dead.rules:2: error: destination ports '![0:65535]' match no port", "stdout"),
            ("a signature address list that matches nothing (--rules)",
             ["--pcap", good, "--rules", dead_ports, "--hs-cache", ""],
             "dead.rules:3: error: source addresses '[198.18.0.1,!198.18.0.0/24]' match no address"),
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
        # (name, arguments, message, [the stream it is on: stderr unless given])
        for name, args, message, *stream in cases:
            stream = stream[0] if stream else "stderr"
            # Only this run's directory (rampart-offline-<its pid>): pcap
            # cases running beside this test have theirs while they run.
            r = rampart_run.run([a.rampartd] + args, 60)
            problems = []
            if r.timed_out:
                problems.append("timed out")
            if r.returncode not in (1, 2):
                problems.append("exit code %d (want 1 or 2; negative means a signal)" % r.returncode)
            out = r.stdout if stream == "stdout" else r.stderr
            if message not in out:
                problems.append("%s lacks %r: %s" % (stream, message, out.strip().splitlines()[-3:]))
            if r.left_runtime_dir:
                problems.append("left the EAL runtime dir %s" % r.left_runtime_dir)
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
