"""Running rampartd offline from the test scripts (run_case.py, replay_corpus.py).

run() starts rampartd, waits for it with a timeout (killing only that
process on timeout) and afterwards removes the EAL runtime directory that
this very run created (offline mode uses --file-prefix rampart-offline-<pid>),
reporting whether it was left behind: DPDK keeps that directory after the
process exits, and hundreds of corpus runs would otherwise pile up
gigabytes of them under /var/run/dpdk.
"""

import json
import os
import shutil
import subprocess

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "WARNING: ThreadSanitizer",
    "ERROR: ThreadSanitizer",
    "ERROR: MemorySanitizer",
    "runtime error:",  # UBSan
    "SUMMARY: AddressSanitizer",
    "SUMMARY: UndefinedBehaviorSanitizer",
)


def sanitizer_report(stderr):
    """The first sanitizer marker found in stderr, or None."""
    for m in SANITIZER_MARKERS:
        if m in (stderr or ""):
            return m
    return None


def runtime_dirs(pid):
    prefix = "rampart-offline-%d" % pid
    bases = ["/var/run/dpdk"]
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    bases.append(os.path.join(xdg, "dpdk") if xdg else "/tmp/dpdk")
    return [os.path.join(b, prefix) for b in bases]


class Run:
    def __init__(self):
        self.returncode = None
        self.stdout = ""
        self.stderr = ""
        self.timed_out = False
        self.left_runtime_dir = None  # the EAL runtime dir found (and removed) after exit


def run(cmd, timeout, cwd=None):
    r = Run()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         cwd=cwd, text=True, errors="replace")
    try:
        r.stdout, r.stderr = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        r.timed_out = True
        p.kill()  # this child only
        r.stdout, r.stderr = p.communicate()
    r.returncode = p.returncode
    for d in runtime_dirs(p.pid):
        if os.path.isdir(d):
            r.left_runtime_dir = d
            shutil.rmtree(d, ignore_errors=True)
    return r


def parse_summary(stdout):
    """The JSON summary printed on stdout.

    The contract is that stdout is the summary; if something else (a stray log
    line) is printed too, the last line that parses as a JSON object with
    packets_in is taken and a note is returned.
    """
    text = stdout.strip()
    try:
        obj = json.loads(text)
        if isinstance(obj, dict):
            return obj, None
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and "packets_in" in obj:
                return obj, "stdout has other output besides the JSON summary"
    return None, None
