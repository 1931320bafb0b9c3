#!/usr/bin/env bash
# Control plane end to end: real rampartd (netns lab, net_af_packet, appliance
# API on a unix socket), real rampart-controller (policy directory, pushes to
# the appliance) and real rampartctl, with real TCP connections through the
# firewall. Policy documents are applied, updated and deleted with rampartctl
# and the verdicts on live traffic change accordingly; an invalid document is
# refused with file:line and changes nothing; a restarted appliance is
# brought back to the desired version; counters and events come through the
# controller; a group selected from the inventory changes verdicts as
# workloads are labelled, in monitor and protect mode, and a signature set
# in a document reaches the appliance and leaves with it; an unreachable
# server is a clear error with exit code 3.
# Ends with "N passed, N failed".
#
#   tests/e2e/control_plane_test.sh RAMPARTD RAMPART_CONTROLLER RAMPARTCTL   (root)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_QUIET=${LAB_QUIET:-1}
# shellcheck source=tests/e2e/control_plane_lib.sh
source "$here/control_plane_lib.sh"

lab_for_controller
# wait_sync VERSION: until the controller reports the appliance in sync at VERSION
wait_sync() {
  local want=$1 i out
  for i in $(seq 100); do
    out=$(ctl -o json appliances 2>/dev/null)
    if "$LAB_PY" -c '
import json, sys
d = json.loads(sys.argv[1]); want = int(sys.argv[2])
a = d["appliances"]
sys.exit(0 if a and all(x["in_sync"] and x["applied_version"] == want for x in a) else 1)' "$out" "$want" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "$out" >&2
  return 1
}

mkdir -p "$LAB_DIR/www"
echo ok >"$LAB_DIR/www/index.html"
lab_http_serve "$LAB_DIR/www" 8080 8081 || bail "HTTP servers on 8080, 8081"
lab_start_rampartd - --grpc-socket "$asock" --l7 --hs-cache "" || bail "rampartd starts with its appliance API"
start_controller controller "unix:$asock" || bail "rampart-controller listens ($(tail -2 "$LAB_DIR/controller.log"))"
ok "rampartd and rampart-controller up (pids $LAB_RAMPARTD_PID, $ctl_pid)"

v=$(desired)
check "the appliance converges to the controller's first version" "version $v" wait_sync "$v"
check "embedded default: 8080 open" "" test "$(probe 8080)" = connected
check "embedded default: 8081 open" "" test "$(probe 8081)" = connected

# --- apply: deny 8081 -----------------------------------------------------
cat >"$LAB_DIR/web.yaml" <<'EOF'
default_action: allow
rules:
  - name: block-8081
    action: deny
    protocol: tcp
    dst_ports: 8081
EOF
out=$(ctl apply -f "$LAB_DIR/web.yaml" 2>&1)
check "rampartctl apply creates a document" "$out" test $? -eq 0
v=$(desired)
check "the appliance runs the new version" "version $v" wait_sync "$v"
check "after apply: 8080 still open" "" test "$(probe 8080)" = connected
check "after apply: 8081 denied (silently: timeout)" "" test "$(probe 8081)" = timeout

# --- update: reject 8080, allow 8081 ---------------------------------------
cat >"$LAB_DIR/web.yaml" <<'EOF'
default_action: allow
rules:
  - name: reject-8080
    action: reject
    protocol: tcp
    dst_ports: 8080
EOF
ctl apply -f "$LAB_DIR/web.yaml" >/dev/null 2>&1
v=$(desired)
check "update reaches the appliance" "version $v" wait_sync "$v"
check "after update: 8080 rejected (RST)" "" test "$(probe 8080)" = refused
check "after update: 8081 open again" "" test "$(probe 8081)" = connected

# --- invalid document: refused with file:line, nothing changes -------------
cat >"$LAB_DIR/broken.yaml" <<'EOF'
default_action: allow
rules:
  - name: typo
    action: alow
    dst_ports: 22
EOF
before=$(desired)
out=$(ctl apply -f "$LAB_DIR/broken.yaml" 2>&1)
rc=$?
check "an invalid document is refused with exit 1" "rc $rc" test "$rc" -eq 1
check "the error names file:line:column" "$(echo "$out" | head -1)" grep -q "broken.yaml:4:" <<<"$out"
check "the desired version did not move" "$before -> $(desired)" test "$(desired)" -eq "$before"
check "nothing was written to the policy directory" "" test ! -e "$pdir/broken.yaml"
out=$(ctl validate -f "$LAB_DIR/broken.yaml" 2>&1)
check "rampartctl validate reports the same error" "rc $?" grep -q "broken.yaml:4:" <<<"$out"
check "the running policy is unchanged: 8080 still rejected" "" test "$(probe 8080)" = refused

# --- documents that used to load weaker (issue 9 part 4): refused ------------
# A duplicate key made the last value win (this one read as allow).
cat >"$LAB_DIR/dupkeys.yaml" <<'EOF'
default_action: allow
rules:
  - name: block-8080
    action: deny
    action: allow
    protocol: tcp
    dst_ports: 8080
EOF
out=$(ctl apply -f "$LAB_DIR/dupkeys.yaml" 2>&1)
rc=$?
check "a document with a duplicate key is refused naming both places" "rc $rc: $(echo "$out" | head -1)" \
  grep -q "dupkeys.yaml:5:5: error: duplicate key 'action' (first at dupkeys.yaml:4:5)" <<<"$out"
check "... and the desired version did not move" "$before -> $(desired)" test "$(desired)" -eq "$before"
# A second document was ignored; a negative prefix was a single host; a
# signature port list that matches nothing loaded as a dead rule.
# validate_refuses FILE TEXT: rampartctl validate exits 1 with TEXT in its output
validate_refuses() {
  local out rc
  out=$(ctl validate -f "$LAB_DIR/$1" 2>&1)
  rc=$?
  [[ $rc -eq 1 ]] && grep -qF "$2" <<<"$out" && return 0
  echo "rc $rc: $out" >&2
  return 1
}
printf 'default_action: allow\n---\ndefault_action: deny\n' >"$LAB_DIR/twodocs.yaml"
check "rampartctl validate: a second YAML document is an error at its line" "" \
  validate_refuses twodocs.yaml "twodocs.yaml:2:1: error: a second YAML document starts here"
printf 'rules:\n  - action: deny\n    src: 198.18.0.0/-16\n' >"$LAB_DIR/negprefix.yaml"
check "rampartctl validate: a negative CIDR prefix is an error" "" \
  validate_refuses negprefix.yaml "negprefix.yaml:3:10: error: 'src': '198.18.0.0/-16': the prefix length"
cat >"$LAB_DIR/deadsig.yaml" <<'EOF'
signature_sets:
  - name: dead
    rules: |
      alert http any any -> any ![0:65535] (msg:"x"; http.uri; content:"a"; sid:9400001; rev:1;)
EOF
check "rampartctl validate: a signature port list that matches nothing is an error at its document line" "" \
  validate_refuses deadsig.yaml "deadsig.yaml:4: error: dead:1: destination ports '![0:65535]' match no port"
check "none of them was written to the policy directory" "" \
  test ! -e "$pdir/dupkeys.yaml" -a ! -e "$pdir/twodocs.yaml" -a ! -e "$pdir/negprefix.yaml" -a ! -e "$pdir/deadsig.yaml"
check "the running policy is unchanged: 8080 still rejected" "" test "$(probe 8080)" = refused

# --- invalid requests straight to the appliance: refused, nothing changes ----
out=$("$LAB_PY" "$here/appliance_probe.py" invalid "unix:$asock" 2>&1)
verdict=$("$LAB_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
bad = [r for r in d["results"] if r["code"] == "OK"]
codes = {r["case"]: r["code"] for r in d["results"]}
named = all(r["message"].startswith("policy") for r in d["results"])
same = d["before"] == d["after"]
print("ok" if not bad and named and same and codes["version not newer"] == "FAILED_PRECONDITION" and
      all(c == "INVALID_ARGUMENT" for k, c in codes.items() if k != "version not newer") else "bad",
      len(d["results"]), d["before"]["version"], d["after"]["version"])' "$out" 2>&1)
check "8 invalid ApplyPolicy requests to rampartd: INVALID_ARGUMENT naming the field (FAILED_PRECONDITION for an old version), version and generation unchanged" \
  "$verdict" test "${verdict%% *}" = ok
check "the running policy is unchanged after them: 8080 still rejected" "" test "$(probe 8080)" = refused
svcs=$("$LAB_PY" "$here/appliance_probe.py" reflect "unix:$asock" 2>&1)
check "server reflection on rampartd lists the appliance service" "$svcs" grep -q '"rampart.dataplane.v1.Appliance"' <<<"$svcs"
svcs=$("$LAB_PY" "$here/appliance_probe.py" reflect "unix:$csock" 2>&1)
check "server reflection on the controller lists its services" "$svcs" grep -q '"rampart.v1.PolicyService"' <<<"$svcs"

# --- counters and events through the controller ----------------------------
lab_bg "$LAB_NS_FW" events "$CTL" --server "unix:$csock" -o json events --type drop --follow
ev_pid=$LAB_LAST_PID
sleep 1
probe 8080 >/dev/null
sleep 1.5
kill "$ev_pid" 2>/dev/null
wait "$ev_pid" 2>/dev/null
n=$(grep -c '"dest_port":8080' "$LAB_DIR/events.log" 2>/dev/null)
check "rampartctl events --type drop --follow shows the rejected SYN" "$n drop events to 8080" gt0 "$n"
check "... and only drop events" "" test "$(grep -c '"event_type":"flow"' "$LAB_DIR/events.log")" -eq 0
rej=$(ctl -o json counters --filter drop_reasons.policy_reject | "$LAB_PY" -c '
import json, sys
print(sum(v for a in json.load(sys.stdin) for k, v in a["counters"].items() if k.endswith("policy_reject")))' \
  2>/dev/null)
check "rampartctl counters reads policy_reject from the appliance" "$rej" gt0 "$rej"

# --- appliance restart: the controller re-pushes ----------------------------
v=$(desired)
lab_stop_rampartd >/dev/null || nok "rampartd stops (rc $LAB_RAMPARTD_RC)"
lab_start_rampartd - --grpc-socket "$asock" --l7 --hs-cache "" || bail "rampartd restarts"
check "a restarted appliance (embedded default again) is brought back to version $v" "" wait_sync "$v"
check "after the restart: 8080 rejected again" "" test "$(probe 8080)" = refused

# --- delete ------------------------------------------------------------------
out=$(ctl delete web 2>&1)
check "rampartctl delete removes the document" "$out" test $? -eq 0
v=$(desired)
check "the deletion reaches the appliance" "version $v" wait_sync "$v"
check "after delete: 8080 open" "" test "$(probe 8080)" = connected
out=$(ctl delete web 2>&1)
rc=$?
check "deleting it again: not found, exit 1" "rc $rc: $out" test "$rc" -eq 1

# --- groups from the inventory, a group's mode, a signature set -------------
cat >"$LAB_DIR/groups.yaml" <<'EOF'
groups:
  - name: web
    selector: {app: web}
    mode: monitor
signature_sets:
  - name: markers
    rules: |
      drop http any any -> any any (msg:"cp marker"; http.uri; content:"rampart-cp-marker"; sid:9200001; rev:1;)
rules:
  - name: deny-web-8081
    action: deny
    protocol: tcp
    dst: group:web
    dst_ports: 8081
EOF
out=$(ctl apply -f "$LAB_DIR/groups.yaml" 2>&1)
check "a document with a selector group, a rule on it and a signature set is applied" "$out" test $? -eq 0
check "the rule on the empty group is reported inactive" "$out" grep -q "inactive" <<<"$out"
v=$(desired)
check "the appliance runs it" "version $v" wait_sync "$v"
check "no workload labelled app=web yet: 8081 open" "" test "$(probe 8081)" = connected
marker() {  # marker -> curl exit status of a request carrying the set's marker
  lab_exec_cli curl -s -o /dev/null --max-time 3 "http://$LAB_SRV4:8080/rampart-cp-marker"
  echo $?
}
m=$(marker)
check "the signature set from the document resets the marker request" "curl $m" test "$m" = 56 -o "$m" = 52
out=$(ctl workload-add "$LAB_SRV4" docker:web-1 app=web 2>&1)
check "rampartctl workload-add labels the server app=web" "$out" test $? -eq 0
v2=$(desired)
check "the group's new member is a new policy version" "$v -> $v2" test "$v2" -gt "$v"
check "the appliance runs it" "version $v2" wait_sync "$v2"
members=$(ctl -o json status | "$LAB_PY" -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(m for g in d.get("groups", []) if g["name"] == "web" for m in g.get("members", [])))')
check "rampartctl status shows the server as the group's member" "$members" grep -q "$LAB_SRV4" <<<"$members"
check "monitor mode: 8081 to the group member is forwarded" "" test "$(probe 8081)" = connected
m=$(marker)
check "monitor mode: the drop signature only alerts (the request is answered)" "curl $m" test "$m" = 0
sleep 0.5
n=$(lab_net eve-count "$LAB_EVE" --event alert --contains '"signature_id":9200001' --contains '"enforced":false')
check "monitor mode: EVE has the alert, marked not enforced" "$n" gt0 "$n"
n=$(lab_net eve-count "$LAB_EVE" --event drop --dest-port 8081 --contains '"enforced":false')
check "monitor mode: EVE has the denied connection as a drop not enforced" "$n" gt0 "$n"
ctl events --type drop --dst-port 8081 >"$LAB_DIR/monitor-events.txt" 2>&1 &  # listens about a second
ev_pid=$!
sleep 0.4
probe 8081 >/dev/null
wait "$ev_pid"
out=$(cat "$LAB_DIR/monitor-events.txt")
check "rampartctl events (table) marks the drop as not enforced" "$(tail -1 <<<"$out")" \
  grep -q "not enforced: monitor mode" <<<"$out"
sed -i 's/mode: monitor/mode: protect/' "$LAB_DIR/groups.yaml"
ctl apply -f "$LAB_DIR/groups.yaml" >/dev/null 2>&1
v3=$(desired)
check "switching the group to protect reaches the appliance" "version $v3" wait_sync "$v3"
check "protect mode: 8081 to the group member is denied" "" test "$(probe 8081)" = timeout
check "protect mode: 8080 still open" "" test "$(probe 8080)" = connected
m=$(marker)
check "protect mode: the marker request is reset again" "curl $m" test "$m" = 56 -o "$m" = 52
# A controller restart keeps the inventory: same version, same members,
# nothing pushed that would empty the group.
lab_kill_pid "$ctl_pid"
rm -f "$csock"
start_controller controller2 "unix:$asock" || bail "rampart-controller restarts ($(tail -2 "$LAB_DIR/controller2.log"))"
check "after a controller restart: the same desired version" "$v3 -> $(desired)" test "$(desired)" -eq "$v3"
members=$(ctl -o json status | "$LAB_PY" -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(m for g in d.get("groups", []) if g["name"] == "web" for m in g.get("members", [])))')
check "after a controller restart: the group still has the server (inventory persisted)" "$members" grep -q "$LAB_SRV4" <<<"$members"
check "after a controller restart: the appliance is in sync" "" wait_sync "$v3"
check "after a controller restart: 8081 to the group member still denied" "" test "$(probe 8081)" = timeout
ctl workload-add "$LAB_SRV4" docker:web-1 app=db >/dev/null 2>&1
v4=$(desired)
check "relabelling the server (app=db) empties the group: a new version" "$v3 -> $v4" test "$v4" -gt "$v3"
check "the appliance runs it" "version $v4" wait_sync "$v4"
check "the rule on the empty group matches nothing: 8081 open (never widened to any)" "" test "$(probe 8081)" = connected
ctl workload-add "$LAB_SRV4" docker:web-1 app=db >/dev/null 2>&1
check "the same labels again: no new version" "$v4 -> $(desired)" test "$(desired)" -eq "$v4"
ctl delete groups >/dev/null 2>&1
v5=$(desired)
check "deleting the document removes the signature set on the appliance" "version $v5" wait_sync "$v5"
m=$(marker)
check "without the set the marker request passes" "curl $m" test "$m" = 0

# --- errors -------------------------------------------------------------------
out=$("$CTL" --server "unix:$LAB_DIR/nobody.sock" status 2>&1)
rc=$?
check "an unreachable controller: exit 3 and a message" "rc $rc: $out" test "$rc" -eq 3
check "... naming the address" "" grep -q "nobody.sock" <<<"$out"

kill -TERM "$ctl_pid" 2>/dev/null
for _ in $(seq 50); do kill -0 "$ctl_pid" 2>/dev/null || break; sleep 0.1; done
check "rampart-controller stops on SIGTERM" "" bash -c "! kill -0 $ctl_pid 2>/dev/null"
lab_stop_rampartd >/dev/null || nok "rampartd stops cleanly (rc $LAB_RAMPARTD_RC)"
finish
