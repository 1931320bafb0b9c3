#!/usr/bin/env bash
# Update under load: UDP flows at a constant rate through rampartd (netns
# lab, net_af_packet) while 100 policies are applied through its appliance
# API (gRPC on a unix socket), alternating A (allow everything) and B (deny
# UDP to port 5002). Every packet must be accounted for: none of port 5001
# (allowed by both policies) is lost, each of port 5002 is either forwarded
# or dropped as policy_deny (its verdict is the old or the new policy's),
# rampartd's packets_in = packets_out + dropped with no other drop reason,
# and every apply succeeds. Then, this appliance having no L7 inspector, a
# policy with a signature set is refused (FAILED_PRECONDITION) and changes
# nothing. Ends with "N passed, N failed".
#
#   tests/e2e/policy_swap_test.sh [path/to/rampartd]     (root)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_QUIET=${LAB_QUIET:-1}
# shellcheck source=tools/lab/lab.sh
source "$here/../../tools/lab/lab.sh"
[[ $# -ge 1 ]] && LAB_RAMPARTD=$1
# shellcheck source=tests/e2e/checks.sh
source "$here/checks.sh"
LOAD=$here/swap_load.py
SWAPS=${SWAPS:-100}
RATE=${RATE:-2000}

preflight "$LAB_RAMPARTD"
"$LAB_PY" -c "import grpc, google.protobuf" 2>/dev/null || bail "python3-grpcio and python3-protobuf are needed"

lab_install_traps
lab_up || bail "lab_up"
sock=$LAB_DIR/rampartd.sock
lab_start_rampartd - --grpc-socket "$sock" || bail "rampartd starts with its appliance API"
ok "rampartd forwards, appliance API on $sock (pid $LAB_RAMPARTD_PID)"

# Neighbour entries first: datagrams sent before ARP resolves would be
# queued or dropped by the client's kernel, not by rampartd.
lab_exec_cli "$LAB_PY" "$LAB_NET" ping -c 2 -W 1 "$LAB_SRV4" >/dev/null || bail "ping through rampartd"

lab_bg "$LAB_NS_SRV" recv "$LAB_PY" "$LOAD" receive 5001 5002 --out "$LAB_DIR/recv.json" --seconds 3
recv_pid=$LAB_LAST_PID
for _ in $(seq 50); do [[ -f $LAB_DIR/recv.json.ready ]] && break; sleep 0.1; done
lab_wait_listen "$LAB_NS_SRV" udp 5002 || bail "receiver listens"

seconds=$((SWAPS / 5 + 6))
lab_bg "$LAB_NS_CLI" send "$LAB_PY" "$LOAD" send "$LAB_SRV4" 5001 5002 --rate "$RATE" --seconds "$seconds" \
  --out "$LAB_DIR/sent.json"
send_pid=$LAB_LAST_PID
sleep 2  # traffic established before the first swap
"$LAB_PY" "$LOAD" swaps "$sock" --count "$SWAPS" --port-a 5001 --port-b 5002 --out "$LAB_DIR/swaps.json" \
  >"$LAB_DIR/swaps.log" 2>&1 || bail "swap driver ran ($(tail -2 "$LAB_DIR/swaps.log"))"
while kill -0 "$send_pid" 2>/dev/null; do sleep 0.2; done
while kill -0 "$recv_pid" 2>/dev/null; do sleep 0.2; done
# This appliance has no L7 inspector (no --rules, no --l7): a policy with a
# signature set is refused as a precondition, and nothing changes.
API=$here/../../tools/lab/appliance_api.py
version() { "$LAB_PY" "$API" status "unix:$sock" | "$LAB_PY" -c 'import json,sys; print(json.load(sys.stdin).get("applied_version", 0))'; }
v_before=$(version)
echo '{"version": "next", "default_action": "ACTION_ALLOW", "non_ip_action": "ACTION_ALLOW",
       "signatures": {"sets": [{"name": "s", "rules": "alert http any any -> any any (msg:\"m\"; http.uri; content:\"m\"; sid:1; rev:1;)\n"}]}}' \
  >"$LAB_DIR/with-set.json"
"$LAB_PY" "$API" apply "unix:$sock" "$LAB_DIR/with-set.json" >/dev/null 2>"$LAB_DIR/with-set.err"
rc=$?
err=$(cat "$LAB_DIR/with-set.err")
check "without L7 inspection a policy with a signature set is FAILED_PRECONDITION" "$err" \
  test "$rc" = 1 -a "${err%%:*}" = FAILED_PRECONDITION
check "... and the applied version did not move" "$v_before -> $(version)" test "$(version)" = "$v_before"
lab_stop_rampartd || nok "rampartd stops cleanly (rc $LAB_RAMPARTD_RC)"

read -r applied failed rpc_med < <("$LAB_PY" -c '
import json, statistics, sys
d = json.load(open(sys.argv[1]))
ok = [r for r in d["applies"] if "error" not in r]
print(len(ok), d["failed"], round(statistics.median(r["rpc_ms"] for r in ok), 1) if ok else 0)' "$LAB_DIR/swaps.json")
check "$SWAPS policy applies succeeded under load" "$applied applied, $failed failed, median $rpc_med ms" \
  test "$applied" -eq "$SWAPS" -a "$failed" -eq 0
read -r last_v status_v < <("$LAB_PY" -c '
import json, sys
d = json.load(open(sys.argv[1])); print(d["last_version"], d["status_applied_version"])' "$LAB_DIR/swaps.json")
check "the appliance reports the last applied version" "GetStatus $status_v, last applied $last_v" \
  test "$status_v" -eq "$last_v"

read -r sent_a sent_b got_a got_b < <("$LAB_PY" -c '
import json, sys
s = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
print(s["5001"], s["5002"], r["5001"]["count"], r["5002"]["count"])' "$LAB_DIR/sent.json" "$LAB_DIR/recv.json")
pin=$(lab_summary_get packets_in)
pout=$(lab_summary_get packets_out)
dropped=$(lab_summary_get dropped)
deny=$(lab_summary_get drop_reasons.policy_deny)
deny=${deny:-0}
other=$("$LAB_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))["drop_reasons"]
print(sum(v for k, v in d.items() if k != "policy_deny"))' "$LAB_SUMMARY_FILE")
missed=$("$LAB_PY" -c '
import json, sys
print(sum(p.get("rx_missed", 0) + p.get("rx_nombuf", 0) for p in json.load(open(sys.argv[1]))["ports"]))' \
  "$LAB_SUMMARY_FILE")

check "traffic flowed during the swaps" "$sent_a + $sent_b datagrams at $RATE/s" gt0 "$sent_a"
check "no datagram of the always-allowed flow lost" "port 5001: sent $sent_a, received $got_a" \
  test "$sent_a" -eq "$got_a"
check "every datagram of the toggled flow forwarded or denied by policy" \
  "port 5002: sent $sent_b = received $got_b + policy_deny $deny" test "$sent_b" -eq $((got_b + deny))
check "the toggled flow saw both policies" "received $got_b, denied $deny" both_gt0 "$got_b" "$deny"
check "rampartd accounts for every packet" "in $pin = out $pout + dropped $dropped" sum_is "$pin" "$pout" "$dropped"
check "no drop but by the policy in force" "other drop reasons: $other" test "$other" -eq 0
check "no packet missed by the ports" "rx_missed + rx_nombuf = $missed" test "$missed" -eq 0
finish
