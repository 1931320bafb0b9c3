#!/usr/bin/env bash
# End-to-end: group modes and signature sets through rampartd's appliance
# API, on live TCP between the lab's client and server namespaces
# (tools/lab/lab.sh). rampartd starts with 5 startup signatures (--rules
# l7-test.rules); every policy is sent as ApplyPolicy over the unix socket.
#
#   - monitor: a flow the rules deny is forwarded, reported once as a drop
#     with "enforced": false, counted in policy_unenforced;
#   - protect: the same rules drop it; discover: forwarded, no drop event;
#   - a signature set arrives with a policy and blocks at once; replaced by
#     another set, the old pattern passes and the new one blocks;
#   - a drop signature in a monitor group only alerts ("enforced": false);
#   - a flow blocked by a signature stays blocked when a later policy is
#     applied (UDP, so that the blocked tuple can be used again);
#   - a broken or unsupported set is refused with the set and line named,
#     and the running rules and signatures stay;
#   - a policy without signature sets keeps the running ones;
#   - the startup signatures run beside every policy's sets, and a set may
#     not reuse one of their sids.
# Ends with "N passed, N failed".
#
#   tests/e2e/modes_signatures_test.sh [path/to/rampartd]     (root)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_QUIET=${LAB_QUIET:-1}
# shellcheck source=tools/lab/lab.sh
source "$here/../../tools/lab/lab.sh"
[[ $# -ge 1 ]] && LAB_RAMPARTD=$1
# shellcheck source=tests/e2e/checks.sh
source "$here/checks.sh"
API=$here/../../tools/lab/appliance_api.py

preflight "$LAB_RAMPARTD"

lab_install_traps
lab_up || bail "lab_up"
mkdir -p "$LAB_DIR/www"
echo "rampart modes" >"$LAB_DIR/www/index.html"
lab_http_serve "$LAB_DIR/www" 8080 || bail "HTTP server on srv"
lab_udp_echo 5353 || bail "UDP echo server on srv"
asock=$LAB_DIR/rampartd.sock
lab_start_rampartd - --rules "$here/l7-test.rules" --hs-cache "" --grpc-socket "$asock" ||
  bail "rampartd with startup signatures starts and forwards"
ok "rampartd with the 5 startup signatures of l7-test.rules forwards (pid $LAB_RAMPARTD_PID)"

# apply NAME JSON -> response JSON in $LAB_DIR/NAME.resp, error in NAME.err; returns the API's status
apply() {
  printf '%s\n' "$2" >"$LAB_DIR/$1.json"
  "$LAB_PY" "$API" apply "unix:$asock" "$LAB_DIR/$1.json" >"$LAB_DIR/$1.resp" 2>"$LAB_DIR/$1.err"
}
status_field() { "$LAB_PY" "$API" status "unix:$asock" | "$LAB_PY" -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"; }
get() {  # get PATH -> "rc body" (curl exit status; 0: a response came back)
  local out rc
  out=$(lab_exec_cli curl -sS -o /dev/null -w '%{http_code}' --max-time 3 "http://$LAB_SRV4:8080$1" 2>/dev/null)
  rc=$?
  echo "$rc $out"
}
eve() { lab_net eve-count "$LAB_EVE" "$@"; }

srv_group() {  # srv_group MODE -> a Group with the server's addresses
  echo "{\"name\": \"servers\", \"mode\": \"$1\", \"members\": [{\"prefix\": \"$LAB_SRV4\"}, {\"prefix\": \"$LAB_SRV6\"}]}"
}
deny_web() {  # deny_web GROUPS_JSON_ARRAY [SIGNATURES_JSON]
  local sigs=${2:+, \"signatures\": $2}
  echo "{\"version\": \"next\", \"default_action\": \"ACTION_ALLOW\", \"non_ip_action\": \"ACTION_ALLOW\",
         \"rules\": [{\"name\": \"no-web\", \"action\": \"ACTION_DENY\", \"protocol\": 6,
                      \"dst_ports\": [{\"first\": 8080, \"last\": 8080}]}],
         \"groups\": $1 $sigs}"
}

# --- monitor: denied by the rules, forwarded and reported -------------------
apply monitor "$(deny_web "[$(srv_group GROUP_MODE_MONITOR)]")"
rc=$?
check "a policy with a group in monitor mode is applied" "$(cat "$LAB_DIR/monitor.err")" test "$rc" = 0
read -r rc code < <(get /index.html)
check "monitor: the request the rules deny is answered" "curl $rc, HTTP $code" test "$rc" = 0 -a "$code" = 200
sleep 0.5
n=$(eve --event drop --dest-port 8080 --contains '"enforced":false')
check "monitor: one drop event with \"enforced\": false for the flow" "$n" test "$n" = 1
n=$(eve --event drop --dest-port 8080 --contains '"mode":"monitor"')
check "monitor: the drop event names the mode" "$n" test "$n" = 1

# --- protect: the same rules drop -------------------------------------------
apply protect "$(deny_web "[$(srv_group GROUP_MODE_PROTECT)]")"
rc=$?
check "the same policy in protect mode is applied" "$(cat "$LAB_DIR/protect.err")" test "$rc" = 0
read -r rc code < <(get /index.html)
check "protect: the request is dropped (curl times out)" "curl $rc" test "$rc" = 28
sleep 0.5
n=$(eve --event drop --dest-port 8080 --contains '"reason":"policy_deny"')
check "protect: drop events for both flows (monitor: not enforced, protect: enforced)" "$n" test "$n" = 2

# --- discover: forwarded, no violation event --------------------------------
apply discover "$(deny_web "[$(srv_group GROUP_MODE_DISCOVER)]")"
rc=$?
check "the policy in discover mode is applied" "$(cat "$LAB_DIR/discover.err")" test "$rc" = 0
read -r rc code < <(get /index.html)
check "discover: the request is answered" "curl $rc, HTTP $code" test "$rc" = 0 -a "$code" = 200
sleep 0.5
n=$(eve --event drop --dest-port 8080)
check "discover: no new drop event" "$n drop events" test "$n" = 2

# --- strictest mode wins: client in a protect group, server in discover ----
both="[$(srv_group GROUP_MODE_DISCOVER), {\"name\": \"clients\", \"mode\": \"GROUP_MODE_PROTECT\",
       \"members\": [{\"prefix\": \"$LAB_CLI4\"}]}]"
apply strictest "$(deny_web "$both")"
read -r rc code < <(get /index.html)
check "protect (client) beats discover (server): dropped" "curl $rc" test "$rc" = 28

# --- a signature set arrives with a policy ----------------------------------
set1='{"sets": [{"name": "api-set", "rules": "# blocks one marker\ndrop http any any -> any any (msg:\"marker one\"; http.uri; content:\"rampart-marker-one\"; sid:9100001; rev:1;)\n"}]}'
allow_all() {  # allow_all GROUPS [SIGNATURES]
  local sigs=${2:+, \"signatures\": $2}
  echo "{\"version\": \"next\", \"default_action\": \"ACTION_ALLOW\", \"non_ip_action\": \"ACTION_ALLOW\", \"groups\": $1 $sigs}"
}
apply sigs1 "$(allow_all "[]" "$set1")"
rc=$?
check "a policy with a signature set is applied" "$(cat "$LAB_DIR/sigs1.err")" test "$rc" = 0
g=$(status_field signature_generation) s=$(status_field signatures)
check "status: signature generation 1, 5 startup + 1 signatures" "generation $g, $s signatures" test "$g" = 1 -a "$s" = 6
read -r rc code < <(get /index.html)
check "an ordinary request passes" "curl $rc, HTTP $code" test "$rc" = 0 -a "$code" = 200
read -r rc code < <(get /rampart-marker-one)
check "the new signature resets the request that carries its marker" "curl $rc" test "$rc" = 56 -o "$rc" = 52
read -r rc code < <(get "/item?id=1%20UNION%20ALL%20SELECT%20password%20FROM%20users")
check "the startup signatures run beside the set: SQL injection reset" "curl $rc" test "$rc" = 56 -o "$rc" = 52
sleep 0.5
n=$(eve --event alert --contains '"signature_id":9100001' --contains '"action":"blocked"')
check "EVE: a blocked alert names the API set's signature" "$n" test "$n" = 1

# --- a drop signature in a monitor group only alerts ------------------------
apply sigs-monitor "$(allow_all "[$(srv_group GROUP_MODE_MONITOR)]" "$set1")"
g=$(status_field signature_generation)
check "the same set again is not rebuilt" "generation $g" test "$g" = 1
read -r rc code < <(get /rampart-marker-one)
check "monitor: the marker request is answered" "curl $rc, HTTP $code" test "$rc" = 0 -a "$code" = 404
sleep 0.5
n=$(eve --event alert --contains '"signature_id":9100001' --contains '"enforced":false')
check "EVE: the alert says allowed, not enforced, in monitor mode" "$n" test "$n" = 1

# --- replaced by another set ------------------------------------------------
set2='{"sets": [{"name": "api-set-2", "rules": "drop http any any -> any any (msg:\"marker two\"; http.uri; content:\"rampart-marker-two\"; sid:9100002; rev:1;)\nalert tcp any any -> any any (msg:\"raw marker\"; content:\"rampart-raw\"; sid:9100003; rev:1;)\ndrop udp any any -> any any (msg:\"udp marker\"; content:\"rampart-udp-block\"; sid:9100004; rev:1;)\n"}]}'
apply sigs2 "$(allow_all "[]" "$set2")"
rc=$?
check "a policy with another set is applied" "$(cat "$LAB_DIR/sigs2.err")" test "$rc" = 0
g=$(status_field signature_generation) s=$(status_field signatures)
check "status: signature generation 2, 5 startup + 3 signatures" "generation $g, $s signatures" test "$g" = 2 -a "$s" = 8
read -r rc code < <(get /rampart-marker-one)
check "the old set's marker passes" "curl $rc, HTTP $code" test "$rc" = 0 -a "$code" = 404
read -r rc code < <(get /rampart-marker-two)
check "the new set's marker is reset" "curl $rc" test "$rc" = 56 -o "$rc" = 52

# A flow blocked by a signature stays blocked when a later policy is
# applied (re-classification must not re-open it). UDP, so that the
# blocked flow's tuple can be used again.
udp_send() {  # udp_send SOURCE_PORT TEXT -> reply | timeout
  lab_exec_cli "$LAB_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1])))
s.settimeout(1.0)
s.sendto(sys.argv[3].encode(), (sys.argv[2], 5353))
try:
    s.recvfrom(2048)
    print("reply")
except socket.timeout:
    print("timeout")' "$1" "$LAB_SRV4" "$2"
}
check "UDP: an ordinary datagram is echoed" "" test "$(udp_send 40001 hello)" = reply
check "UDP: the datagram with the marker is dropped" "" test "$(udp_send 40002 rampart-udp-block)" = timeout
check "UDP: the blocked flow stays blocked" "" test "$(udp_send 40002 hello)" = timeout
apply sigs2-again "$(allow_all "[]" "$set2")"
rc=$?
check "another policy (same set) is applied" "$(cat "$LAB_DIR/sigs2-again.err")" test "$rc" = 0
check "UDP: after it, the blocked flow is still blocked" "" test "$(udp_send 40002 hello)" = timeout
check "UDP: another flow is echoed" "" test "$(udp_send 40003 hello)" = reply

# --- refused sets change nothing --------------------------------------------
v=$(status_field applied_version)
bad='{"sets": [{"name": "broken", "rules": "alert http any any -> any any (msg:\"ok\"; content:\"a\"; sid:9100010; rev:1;)\ndrop http any any -> any any (msg:\"no sid\"; content:\"b\";)\n"}]}'
apply broken "$(allow_all "[]" "$bad")"
rc=$?
err=$(cat "$LAB_DIR/broken.err")
check "a set with a rule without sid is refused" "$err" test "$rc" = 1
check "the error names the set and the line" "$err" grep -q 'INVALID_ARGUMENT: policy.signatures.sets\[0\] (broken): broken:2' <<<"$err"
unsup='{"sets": [{"name": "unsup", "rules": "alert http any any -> any any (msg:\"fb\"; flowbits:set,x; content:\"c\"; sid:9100011; rev:1;)\n"}]}'
apply unsupported "$(allow_all "[]" "$unsup")"
rc=$?
err=$(cat "$LAB_DIR/unsupported.err")
check "a set with an unsupported rule is refused, not loaded weaker" "$err" test "$rc" = 1 -a -n "$err"
check "the error names the set and line" "$err" grep -q 'unsup:1' <<<"$err"
dup='{"sets": [{"name": "dup", "rules": "alert http any any -> any any (msg:\"dup\"; http.uri; content:\"d\"; sid:9010001; rev:1;)\n"}]}'
apply dup-sid "$(allow_all "[]" "$dup")"
rc=$?
err=$(cat "$LAB_DIR/dup-sid.err")
check "a set reusing a startup signature's sid is refused, naming both" "$err" test "$rc" = 1
check "... with the set's line and the startup rule's place" "$err" grep -q 'dup:1: error: duplicate sid 9010001 (also at .*l7-test.rules:2)' <<<"$err"
v2=$(status_field applied_version) g=$(status_field signature_generation)
check "after the refusals: same applied version and signature generation" "version $v -> $v2, generation $g" \
  test "$v" = "$v2" -a "$g" = 2
read -r rc code < <(get /rampart-marker-two)
check "after the refusals: the running set still blocks" "curl $rc" test "$rc" = 56 -o "$rc" = 52

# --- replaced again and again while requests flow ---------------------------
# Workers take up each set between two loops; flows in progress keep their
# parsers and streams. Every apply must succeed and the last set must rule.
lab_bg "$LAB_NS_CLI" curl-loop bash -c "while :; do curl -s -o /dev/null --max-time 2 http://$LAB_SRV4:8080/index.html; curl -s -o /dev/null --max-time 2 http://$LAB_SRV4:8080/rampart-raw; done"
loop=$LAB_LAST_PID
failed=0
for i in $(seq 1 12); do
  if ((i % 2)); then cur=$set1; else cur=$set2; fi
  apply "swap$i" "$(allow_all "[]" "$cur")" || failed=$((failed + 1))
done
lab_kill_pid "$loop"
g=$(status_field signature_generation)
check "12 set replacements under HTTP load: all applied" "$failed failed, generation $g" test "$failed" = 0 -a "$g" = 14
check "rampartd is still running" "pid $LAB_RAMPARTD_PID" kill -0 "$LAB_RAMPARTD_PID"
read -r rc code < <(get /rampart-marker-two)
check "the last set (2) blocks its marker" "curl $rc" test "$rc" = 56 -o "$rc" = 52
read -r rc code < <(get /rampart-marker-one)
check "the set before it (1) no longer blocks" "curl $rc, HTTP $code" test "$rc" = 0 -a "$code" = 404
sleep 0.5
n=$(eve --event alert --contains '"signature_id":9100003')
check "EVE: the raw-stream signature of set 2 alerted during the swaps" "$n" gt0 "$n"

# --- a policy without signature sets keeps them -----------------------------
apply keep "$(allow_all "[]")"
g=$(status_field signature_generation) s=$(status_field signatures)
check "a policy without signature sets keeps the running ones" "generation $g, $s signatures" \
  test "$g" = 14 -a "$s" = 8
apply none "$(allow_all "[]" '{"sets": []}')"
s=$(status_field signatures)
check "an empty list of sets removes them; the 5 startup signatures stay" "$s signatures" test "$s" = 5
read -r rc code < <(get "/item?id=1%20UNION%20ALL%20SELECT%20password%20FROM%20users")
check "a startup signature still resets its attack" "curl $rc" test "$rc" = 56 -o "$rc" = 52
read -r rc code < <(get /rampart-marker-two)
check "with no signatures the marker passes" "curl $rc, HTTP $code" test "$rc" = 0 -a "$code" = 404

lab_stop_rampartd || nok "rampartd stops with a summary"
unenf=$(lab_summary_get counters.policy_unenforced)
check "summary: policy_unenforced counts the monitored flow" "$unenf" test "${unenf:-0}" -ge 1
pin=$(lab_summary_get packets_in) pout=$(lab_summary_get packets_out) drop=$(lab_summary_get dropped)
check "summary: packets_in == packets_out + dropped" "$pin = $pout + $drop" test "$pin" -eq $((pout + drop))
lab_down
finish
