#!/usr/bin/env bash
# Many event followers of one controller (issue 9 part 4, defect 6): the
# controller reads ONE event stream per appliance and fans it out, so 40
# followers that stop reading (more than the 16 streams an appliance
# serves) take nothing from an active reader, who still gets every event.
# Real rampartd in the netns lab (live UDP denied by policy: one drop event
# per flow), real rampart-controller, rampartctl and 40 gRPC clients.
# Ends with "N passed, N failed".
#
#   tests/e2e/controller_events_test.sh RAMPARTD RAMPART_CONTROLLER RAMPARTCTL   (root)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_QUIET=${LAB_QUIET:-1}
# shellcheck source=tests/e2e/control_plane_lib.sh
source "$here/control_plane_lib.sh"

lab_for_controller
FOLLOWERS=40

lab_start_rampartd - --grpc-socket "$asock" || bail "rampartd starts with its appliance API"
start_controller controller "unix:$asock" || bail "rampart-controller listens ($(tail -2 "$LAB_DIR/controller.log"))"
cat >"$LAB_DIR/deny.yaml" <<'EOF2'
default_action: allow
rules:
  - name: deny-udp-7000s
    action: deny
    protocol: udp
    dst_ports: 7000-7999
EOF2
ctl apply -f "$LAB_DIR/deny.yaml" >/dev/null || bail "apply the deny policy"
synced() { [[ $(ctl -o json appliances | "$LAB_PY" -c 'import json,sys; a=json.load(sys.stdin)["appliances"][0]; print(a["in_sync"])') == True ]]; }
for _ in $(seq 100); do synced && break; sleep 0.1; done
synced || bail "the appliance runs the deny policy"

# send FIRST LAST: one datagram to each port FIRST..LAST-1 (a new denied flow each)
send() {
  lab_exec_cli "$LAB_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in range(int(sys.argv[2]), int(sys.argv[3])):
    s.sendto(b"x", (sys.argv[1], p))' "$LAB_SRV4" "$1" "$2"
}
# subscribed: how many followers have had their first event
subscribed() { tail -1 "$LAB_DIR/followers.out" 2>/dev/null | awk '{n = $2} END {print n + 0}'; }

# --- 40 followers, each subscribed (it got an event), then idle -----------
mkfifo "$LAB_DIR/followers.in"
lab_bg "$LAB_NS_FW" followers-proc bash -c "exec '$LAB_PY' '$here/event_followers.py' 'unix:$csock' $FOLLOWERS \
  <'$LAB_DIR/followers.in' >'$LAB_DIR/followers.out'"
exec 9>"$LAB_DIR/followers.in"  # held open: the followers run until this closes
port=7000
for _ in $(seq 100); do
  (($(subscribed) >= FOLLOWERS)) && break
  send "$port" $((port + 1))  # a warm-up event for every follower subscribed so far
  port=$((port + 1))
  sleep 0.1
done
check "$FOLLOWERS followers subscribed (each had an event), more than the 16 streams rampartd serves" \
  "$(subscribed) subscribed" test "$(subscribed)" -ge "$FOLLOWERS"

# --- an active reader still gets every event -------------------------------
lab_bg "$LAB_NS_FW" active "$CTL" --server "unix:$csock" -o json events --type drop --follow
active_pid=$LAB_LAST_PID
seen() { grep -c "\"dest_port\":$1," "$LAB_DIR/active.log" 2>/dev/null; }
ready=0
for _ in $(seq 100); do
  send 7500 7501
  if (($(seen 7500) > 0)); then
    ready=1
    break
  fi
  sleep 0.1
done
check "a 41st client, reading, is served" "" test "$ready" = 1
send 7600 7900  # 300 new flows, 300 drop events, while 40 followers read nothing
all() { (($("$LAB_PY" -c '
import json, sys
ports = set()
for line in open(sys.argv[1]):
    try:
        ports.add(json.loads(line)["dest_port"])
    except (ValueError, KeyError):
        pass
print(len(ports & set(range(7600, 7900))))' "$LAB_DIR/active.log") == 300)); }
for _ in $(seq 100); do all && break; sleep 0.1; done
check "the active reader gets all 300 events" "" all
check "... none reported lost" "" test "$(grep -c '"event_type":"lost"' "$LAB_DIR/active.log")" = 0
exec 9>&-  # the followers leave
kill "$active_pid" 2>/dev/null
wait "$active_pid" 2>/dev/null
check "the controller still answers" "" ctl status >/dev/null
finish
