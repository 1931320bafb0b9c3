#!/usr/bin/env bash
# Scale-out: three rampartd appliances registered with one rampart-controller
# converge to the same policy version; the controller is stopped and the
# appliances keep enforcing (live TCP through the lab appliance); restarted,
# the controller reloads its desired state from its policy directory (same
# version, same documents) and finds every appliance in sync without pushing
# again; a later change reaches all three. Appliance 1 is the netns lab's
# rampartd (net_af_packet, real traffic); 2 and 3 run on net_null ports.
# Ends with "N passed, N failed".
#
#   tests/e2e/scale_out_test.sh RAMPARTD RAMPART_CONTROLLER RAMPARTCTL   (root)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_QUIET=${LAB_QUIET:-1}
# shellcheck source=tests/e2e/control_plane_lib.sh
source "$here/control_plane_lib.sh"

null_pids=()
stop_nulls() {
  local p
  for p in "${null_pids[@]}"; do kill -INT "$p" 2>/dev/null; done
  for p in "${null_pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  null_pids=()
}
lab_install_traps
trap 'stop_nulls; lab_down' EXIT
lab_up || bail "lab_up"
csock=$LAB_DIR/controller.sock
pdir=$LAB_DIR/policies
mkdir -p "$pdir"
# appliances_json -> the controller's view, or "" when unreachable
appliances_json() { ctl -o json appliances 2>/dev/null; }
# all_at VERSION [MAX_PUSHES]: every one of the 3 appliances in sync at VERSION
all_at() {
  "$LAB_PY" -c '
import json, sys
d = json.loads(sys.argv[1]); want = int(sys.argv[2]); max_push = int(sys.argv[3])
a = d["appliances"]
ok = len(a) == 3 and all(x["in_sync"] and x["applied_version"] == want and x["pushes"] <= max_push for x in a)
sys.exit(0 if ok else 1)' "$(appliances_json)" "$1" "${2:-1000000}" 2>/dev/null
}
wait_all_at() {
  for _ in $(seq 150); do all_at "$@" && return 0; sleep 0.1; done
  appliances_json >&2
  return 1
}
start_fleet_controller() {  # start_fleet_controller N: the controller of the three appliances
  start_controller "controller$1" "unix:$LAB_DIR/a1.sock" "unix:$LAB_DIR/a2.sock" "unix:$LAB_DIR/a3.sock"
}

mkdir -p "$LAB_DIR/www"
echo ok >"$LAB_DIR/www/index.html"
lab_http_serve "$LAB_DIR/www" 8080 8081 || bail "HTTP servers"
lab_start_rampartd - --grpc-socket "$LAB_DIR/a1.sock" --appliance-id a1 || bail "appliance 1 (lab) starts"
for i in 2 3; do
  setsid "$LAB_RAMPARTD" -l 0 --no-huge -m 256 --no-pci --file-prefix "$LAB_ID-a$i" \
    --vdev "net_null0,no-rx=1" --vdev "net_null1,no-rx=1" -- \
    --grpc-socket "$LAB_DIR/a$i.sock" --appliance-id "a$i" >"$LAB_DIR/a$i.log" 2>&1 </dev/null &
  null_pids+=($!)
done
for i in 2 3; do
  for _ in $(seq 100); do [[ -S $LAB_DIR/a$i.sock ]] && break; sleep 0.1; done
  [[ -S $LAB_DIR/a$i.sock ]] || bail "appliance $i starts ($(tail -1 "$LAB_DIR/a$i.log"))"
done
start_fleet_controller 1 || bail "rampart-controller starts"
ok "three appliances and a controller up"

cat >"$LAB_DIR/edge.yaml" <<'EOF'
default_action: allow
rules:
  - name: block-8081
    action: deny
    protocol: tcp
    dst_ports: 8081
EOF
ctl apply -f "$LAB_DIR/edge.yaml" >/dev/null || bail "apply"
v=$(desired)
check "all three appliances converge to version $v" "" wait_all_at "$v"
check "enforced on the lab appliance: 8081 denied" "" test "$(probe 8081)" = timeout
docs_before=$(ctl -o json list)

kill -TERM "$ctl_pid"
for _ in $(seq 50); do kill -0 "$ctl_pid" 2>/dev/null || break; sleep 0.1; done
check "controller stopped" "" bash -c "! kill -0 $ctl_pid 2>/dev/null"
check "with the controller down, 8081 still denied" "" test "$(probe 8081)" = timeout
check "with the controller down, 8080 still open" "" test "$(probe 8080)" = connected
out=$(ctl status 2>&1)
check "rampartctl says the controller is unreachable (exit 3)" "$out" test "$(ctl status >/dev/null 2>&1; echo $?)" -eq 3

start_fleet_controller 2 || bail "rampart-controller restarts"
check "the restarted controller reloaded the same desired version" "$(desired)" test "$(desired)" -eq "$v"
check "... and the same documents" "" test "$(ctl -o json list)" = "$docs_before"
check "every appliance is found in sync without a new push" "" wait_all_at "$v" 0

sed -i 's/dst_ports: 8081/dst_ports: 8080/' "$LAB_DIR/edge.yaml"
ctl apply -f "$LAB_DIR/edge.yaml" >/dev/null || nok "apply after the restart"
v2=$(desired)
check "a change after the restart reaches all three (version $v2)" "" wait_all_at "$v2"
check "enforced: 8080 denied, 8081 open" "" bash -c "[[ $(probe 8080) == timeout && $(probe 8081) == connected ]]"

kill -TERM "$ctl_pid"
stop_nulls
lab_stop_rampartd >/dev/null || nok "appliance 1 stops cleanly (rc $LAB_RAMPARTD_RC)"
finish
