#!/usr/bin/env bash
# The README's second command: install, build, and run the whole test suite
# (unit, fuzz-replay, pcap, corpus, e2e). Ends with "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/build.sh" || exit 1
cd "$root/build"
status=0
rm -f meson-logs/fast.json meson-logs/alone.json
meson test --print-errorlogs --num-processes 2 --logbase fast --suite unit --suite fuzz-replay --suite pcap --suite evasion || status=1
# The corpus replay and the netns lab run their own processes: alone.
meson test --print-errorlogs --num-processes 1 --logbase alone --suite corpus --suite e2e || status=1
/usr/bin/python3 - <<'PY'
import json
passed = failed = skipped = 0
lines = []
for log in ("meson-logs/fast.json", "meson-logs/alone.json"):
    try:
        lines += open(log).readlines()
    except FileNotFoundError:
        pass
for line in lines:
    r = json.loads(line)
    if r["result"] == "OK": passed += 1
    elif r["result"] == "SKIP": skipped += 1
    else: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
