#!/usr/bin/env bash
# Policy versions never wrap, and "in sync" means the appliance runs the
# controller's policy (issue 9 part 4, defect 1). Real rampartd (net_null
# ports), rampart-controller and rampartctl over unix sockets:
#  - rampartd refuses a version without a successor (2^64-1) and the
#    controller is not moved by it;
#  - an appliance that runs the desired version number with another policy
#    (restarted, then applied directly) is not in sync: the controller
#    continues above it and pushes its own;
#  - an appliance at the top version (2^63-1) with another policy is a
#    conflict, never "in sync"; the controller keeps working, restarts,
#    and converges once the appliance restarts;
#  - a controller at the top refuses a change with a clear error, changes
#    nothing, and still restarts.
# Ends with "N passed, N failed".
#
#   tests/e2e/controller_versions_test.sh RAMPARTD RAMPART_CONTROLLER RAMPARTCTL   (root)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/null_appliance_lib.sh
source "$here/null_appliance_lib.sh"

TOP=9223372036854775807
pdir=$T/policies
mkdir -p "$pdir"
cat >"$T/web.yaml" <<'YAML'
default_action: allow
rules:
  - name: block-9091
    action: deny
    protocol: udp
    dst_ports: 9091
YAML
cat >"$T/foreign.yaml" <<'YAML'
default_action: deny
YAML
cat >"$T/extra.yaml" <<'YAML'
rules:
  - name: block-8083
    action: deny
    protocol: tcp
    dst_ports: 8083
YAML

appliances() { ctl c -o json appliances; }
# synced VERSION: the controller wants VERSION and reports the appliance in sync at it
synced() {
  local j
  j=$(appliances) || return 1
  [[ $(jget "$j" 'd["desired_version"]') == "$1" ]] &&
    [[ $(jget "$j" 'd["appliances"][0]["in_sync"] and d["appliances"][0]["applied_version"]') == "$1" ]]
}
health_is() { [[ $(jget "$(appliances)" 'd["appliances"][0]["health"]') == "$1" ]]; }
app_status() { actl a -o json status; }
app_origin() { jget "$(app_status)" 'd["policy_origin"]'; }
app_version() { jget "$(app_status)" 'd["applied_version"]'; }

start_rampartd a || bail "rampartd starts ($(tail -2 "$T/a.log"))"
start_controller c "$pdir" a || bail "rampart-controller starts ($(tail -2 "$T/c.log"))"
ctl c apply -f "$T/web.yaml" >/dev/null || bail "rampartctl apply"
v=$(jget "$(appliances)" 'd["desired_version"]')
check "the appliance converges on the controller's version" "version $v" wait_for 20 synced "$v"

# --- a version without a successor is refused by rampartd ------------------
printf '{"version": "18446744073709551615", "default_action": "ACTION_DENY", "non_ip_action": "ACTION_ALLOW"}' \
  >"$T/wrap.json"
out=$("$PY" "$APPLIANCE_API" apply "unix:$T/a.sock" "$T/wrap.json" 2>&1)
check "rampartd refuses version 2^64-1 (no successor)" "$out" \
  grep -q "INVALID_ARGUMENT: policy.version: 18446744073709551615 is not 1-$TOP" <<<"$out"
check "... and keeps running the controller's version" "$(app_version)" test "$(app_version)" = "$v"
out=$(actl a apply -f "$T/foreign.yaml" --version 18446744073709551615 2>&1)
check "rampartctl --version 2^64-1 is a usage error" "$out" \
  grep -q -- "--version 18446744073709551615: not a policy version (1-$TOP)" <<<"$out"
check "the controller still reports it in sync" "" synced "$v"

# --- the desired number with another policy is not "in sync" ----------------
stop_pid "$CTL_PID" || nok "controller stops (status $STOP_RC)"
stop_pid "$RD_PID" || nok "rampartd stops (status $STOP_RC)"
start_rampartd a || bail "rampartd restarts"
out=$(actl a apply -f "$T/foreign.yaml" --version "$v" 2>&1)
check "another policy applied directly at the controller's version $v" "$out" test "$(app_version)" = "$v"
start_controller c "$pdir" a || bail "rampart-controller restarts"
check "the controller continues above it and pushes its own policy" "desired $((v + 1))" wait_for 20 synced $((v + 1))
check "... which the appliance runs" "$(app_origin)" grep -q "^controller:$((v + 1))#" <<<"$(app_origin)"

# --- an appliance at the top with another policy is a conflict ---------------
out=$(actl a apply -f "$T/foreign.yaml" --version "$TOP" 2>&1)
check "version 2^63-1 applied directly" "$out" test "$(app_version)" = "$TOP"
check "the controller reports a conflict" "" wait_for 20 health_is conflict
j=$(appliances)
check "... not in sync" "" test "$(jget "$j" 'd["appliances"][0]["in_sync"]')" = False
why=$(jget "$j" 'd["appliances"][0]["last_error"]')
check "... saying why" "$why" grep -q "has no successor" <<<"$why"
check "... and keeps its own version" "" test "$(jget "$j" 'd["desired_version"]')" = $((v + 1))
check "the version file holds a valid version" "$(head -1 "$pdir/.rampart-version")" \
  test "$(head -1 "$pdir/.rampart-version")" = $((v + 1))
sed -i 's/9091/9092/' "$T/web.yaml"
check "a document change still works on the controller" "" ctl c apply -f "$T/web.yaml" >/dev/null
stop_pid "$CTL_PID" || nok "controller stops (status $STOP_RC)"
check "the controller restarts" "" start_controller c "$pdir" a
check "... and still reports the conflict" "" wait_for 20 health_is conflict
stop_pid "$RD_PID" || nok "rampartd stops (status $STOP_RC)"
start_rampartd a || bail "rampartd restarts"
check "a restarted appliance (version 0) converges" "desired $((v + 2))" wait_for 20 synced $((v + 2))

# --- the controller at the top ---------------------------------------------
out=$(actl a apply -f "$T/foreign.yaml" --version $((TOP - 1)) 2>&1)
check "version 2^63-2 applied directly" "$out" test "$(app_version)" = $((TOP - 1))
check "the controller continues above it, at the top" "" wait_for 20 synced "$TOP"
out=$(ctl c apply -f "$T/extra.yaml" 2>&1)
rc=$?
check "a change at the top is refused (exit 1)" "exit $rc: $out" test "$rc" = 1
check "... saying so" "$out" grep -q "policy version $TOP has no successor" <<<"$out"
check "... and nothing changed" "" test ! -e "$pdir/extra.yaml"
check "... still in sync" "" synced "$TOP"
out=$(actl a apply -f "$T/foreign.yaml" 2>&1)
check "rampartctl --appliance without --version at the top says why" "$out" grep -q "has no successor" <<<"$out"
stop_pid "$CTL_PID" || nok "controller stops (status $STOP_RC)"
check "the controller restarts at the top" "" start_controller c "$pdir" a
check "... in sync" "" wait_for 20 synced "$TOP"
finish
