#!/usr/bin/env bash
# An apply whose caller gives up, and a SIGTERM during an apply, on a real
# rampartd (net_null ports, appliance API on a unix socket, no traffic):
# a large group policy (65,536 groups, 1,048,576 members) applies in
# seconds (the group-mode build is near-linear; it never finished
# before); the same policy is being checked and built when its call is
# cancelled: rampartd gives it up, says so, and the next apply gets the
# lock and succeeds at once; with another large apply in progress,
# SIGTERM makes rampartd exit promptly and cleanly
# (tests/e2e/apply_giveup.py waits until rampartd reports the apply in
# progress, GetStatus.applying_version, before it cancels or signals).
# Ends with "N passed, N failed".
#
#   tests/e2e/apply_giveup_test.sh RAMPARTD   (root: DPDK)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RAMPARTD=$(realpath "${1:-$here/../../build/rampartd}")
PY=/usr/bin/python3
# shellcheck source=tests/e2e/checks.sh
source "$here/checks.sh"
preflight "$RAMPARTD"

tmp=$(mktemp -d /tmp/rampart-giveup.XXXXXX)
pid=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    rm -rf "/var/run/dpdk/rgiveup-$$"
  fi
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$tmp"
}
trap cleanup EXIT

sock=$tmp/rampartd.sock
"$RAMPARTD" -l 0 --no-huge -m 1024 --file-prefix "rgiveup-$$" --no-pci --vdev net_null0 --vdev net_null1 -- \
  --grpc-socket "$sock" >"$tmp/rampartd.log" 2>&1 &
pid=$!
up=0
for _ in $(seq 300); do
  if "$PY" "$here/../../tools/lab/appliance_api.py" status "unix:$sock" >/dev/null 2>&1; then
    up=1
    break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
((up)) || bail "rampartd starts with its appliance API ($(tail -2 "$tmp/rampartd.log"))"
ok "rampartd up (pid $pid)"

field() { "$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$1" "$2"; }

out=$("$PY" "$here/apply_giveup.py" whole "unix:$sock")
check "a policy of 65,536 groups (1,048,576 members) applies" "$out" test "$(field "$out" code)" = OK
check "... within 20 s" "$(field "$out" seconds) s, rampartd's check and build $(field "$out" build_seconds) s" \
  "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 20 else 1)' "$(field "$out" seconds)"

out=$("$PY" "$here/apply_giveup.py" cancel "unix:$sock")
check "a large apply is seen in progress (GetStatus.applying_version)" "$out" test "$(field "$out" in_progress_seen)" = True
check "its caller cancels it" "$out" test "$(field "$out" large)" = CANCELLED
check "rampartd gives the build up and says so" "$(grep 'given up' "$tmp/rampartd.log" | tail -1)" \
  grep -q 'given up .*the caller cancelled' "$tmp/rampartd.log"
check "the next apply gets the lock and succeeds" "$out" test "$(field "$out" next)" = OK
check "... promptly (under 5 s)" "$(field "$out" next_seconds) s" \
  "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 5 else 1)' "$(field "$out" next_seconds)"
check "the cancelled policy was never published" "$out" test "$(field "$out" origin_after)" = small

out=$("$PY" "$here/apply_giveup.py" sigterm "unix:$sock" "$pid")
check "another large apply is in progress when SIGTERM arrives" "$out" test "$(field "$out" in_progress_seen)" = True
t0=$SECONDS
exited=0
for _ in $(seq 150); do
  if ! kill -0 "$pid" 2>/dev/null; then
    exited=1
    break
  fi
  sleep 0.1
done
check "rampartd exits promptly (under 15 s)" "$((SECONDS - t0)) s" test "$exited" = 1
if ((exited)); then
  wait "$pid"
  rc=$?
  pid=
  check "... with status 0" "status $rc" test "$rc" = 0
  large=$(field "$out" large)
  if [[ $large != OK ]]; then
    check "the apply in progress was given up because rampartd is stopping" "$large" \
      grep -q 'given up .*rampartd is stopping' "$tmp/rampartd.log"
  fi
fi
finish
