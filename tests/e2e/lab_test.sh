#!/usr/bin/env bash
# End-to-end test: real TCP and UDP, IPv4 and IPv6, through rampartd running
# on net_af_packet between network namespaces (tools/lab/lab.sh).
#
#   sudo tests/e2e/lab_test.sh [PATH/TO/rampartd]     (default: build/rampartd)
#
# One line per check, then "N passed, M failed"; exit 1 on any failure,
# 77 (skip) without root or without network namespaces.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -n ${1:-} ]]; then
  LAB_RAMPARTD=$(realpath "$1")
  export LAB_RAMPARTD
fi
export LAB_QUIET=${LAB_QUIET:-1}
# shellcheck source=tools/lab/lab.sh
source "$here/../../tools/lab/lab.sh"

BIG_MB=${E2E_BIG_MB:-50}
# shellcheck source=tests/e2e/checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
eve() { lab_net eve-count "$LAB_EVE" "$@"; }

# ------------------------------------------------------------------ preconditions

if [[ $EUID -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces)"
  exit 77
fi
for tool in ip ethtool curl nc ss sha256sum "$LAB_PY"; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not installed"
    exit 77
  fi
done
if [[ ! -x $LAB_RAMPARTD ]]; then
  echo "FAIL  rampartd binary not found: $LAB_RAMPARTD"
  echo "0 passed, 1 failed"
  exit 1
fi

lab_install_traps
lab_up || bail "lab_up: namespaces and veths"
ok "lab up: $LAB_NS_CLI <-> $LAB_NS_FW <-> $LAB_NS_SRV"

# ------------------------------------------------------------------ servers

mkdir -p "$LAB_DIR/www"
echo "rampart e2e" >"$LAB_DIR/www/index.html"
head -c "$((BIG_MB * 1024 * 1024))" /dev/urandom >"$LAB_DIR/www/big.bin"
BIG_SHA=$(sha256sum <"$LAB_DIR/www/big.bin" | cut -d' ' -f1)
# tcp: 8080 allowed, 9000 denied, 9001 rejected, 7000 default-denied
lab_http_serve "$LAB_DIR/www" 8080 9000 9001 7000 || bail "HTTP servers on srv"
# udp: 5353 allowed, 9002 denied, 9003 rejected
lab_udp_echo 5353 9002 9003 || bail "UDP echo servers on srv"
# client side listener for the server->client direction check
lab_bg "$LAB_NS_CLI" cli-http "$LAB_PY" "$LAB_NET" http-serve "$LAB_DIR/www" 8080
lab_wait_listen "$LAB_NS_CLI" tcp 8080 || bail "HTTP server on cli"

# ------------------------------------------------------------------ embedded default policy

lab_start_rampartd - || bail "rampartd (embedded default policy) starts and forwards ICMP"
ok "rampartd with the embedded default policy starts and forwards (pid $LAB_RAMPARTD_PID)"
read -r res ms < <(lab_exec_cli "$LAB_PY" "$LAB_NET" tcp-probe -W 2 "$LAB_SRV4" 9000)
read -r res6 ms6 < <(lab_exec_cli "$LAB_PY" "$LAB_NET" tcp-probe -W 2 "$LAB_SRV6" 9000)
check "default policy: tcp 9000 open over ipv4 and ipv6" "$res / $res6" \
  test "$res" = connected -a "$res6" = connected
lab_stop_rampartd
rc=$?
check "default policy: rampartd stops on SIGINT with a summary" "exit ${LAB_RAMPARTD_RC:-?}" test $rc -eq 0
pin=$(lab_summary_get packets_in) pout=$(lab_summary_get packets_out) drop=$(lab_summary_get dropped)
check "default policy: nothing dropped, packets_in == packets_out" "$pin / $pout / $drop" \
  test "${pin:-x}" = "${pout:-y}" -a "${drop:-x}" = 0
v4=$(eve --event flow --proto TCP --dest-port 9000 --src-ip "$LAB_CLI4")
v6=$(eve --event flow --proto TCP --dest-port 9000 --src-ip "$LAB_CLI6")
check "default policy: every flow recorded in EVE (tcp 9000 ipv4 / ipv6)" "$v4 / $v6" both_gt0 "$v4" "$v6"

# ------------------------------------------------------------------ policy

POLICY=$LAB_DIR/e2e-policy.yaml
cat >"$POLICY" <<EOF
default_action: deny
non_ip: allow
rules:
  - name: allow-http
    action: allow
    protocol: tcp
    dst: [$LAB_SRV4/32, "$LAB_SRV6/128"]
    dst_ports: [8080, 8081]
  - name: deny-tcp
    action: deny
    protocol: tcp
    dst_ports: 9000
  - name: reject-tcp
    action: reject
    protocol: tcp
    dst_ports: 9001
  - name: allow-udp
    action: allow
    protocol: udp
    dst: [$LAB_SRV4/32, "$LAB_SRV6/128"]
    dst_ports: 5353
  - name: deny-udp
    action: deny
    protocol: udp
    dst_ports: 9002
  - name: reject-udp
    action: reject
    protocol: udp
    dst_ports: 9003
  - name: allow-icmp
    action: allow
    protocol: icmp
  - name: allow-icmpv6
    action: allow
    protocol: icmpv6
EOF

"$LAB_RAMPARTD" --policy "$POLICY" --validate >"$LAB_DIR/validate.out" 2>&1
rc=$?
check "policy validates" "exit $rc" test $rc -eq 0

# ------------------------------------------------------------------ rampartd

lab_start_rampartd "$POLICY" || bail "rampartd starts and forwards ICMP"
ok "rampartd starts and forwards (pid $LAB_RAMPARTD_PID)"

r=$(lab_exec_cli "$LAB_PY" "$LAB_NET" ping -c 3 -W 1 "$LAB_SRV6")
check "icmpv6 echo cli -> srv" "$r" test $? -eq 0

# probe KIND ADDR PORT -> "result ms" (run in cli)
probe() { lab_exec_cli "$LAB_PY" "$LAB_NET" "$1" -W 2 "$2" "$3"; }

for fam in 4 6; do
  if [[ $fam == 4 ]]; then srv=$LAB_SRV4 url=$LAB_SRV4; else srv=$LAB_SRV6 url="[$LAB_SRV6]"; fi

  body=$(lab_exec_cli curl -sS --connect-timeout 2 --max-time 10 "http://$url:8080/" 2>&1)
  check "tcp allow  ipv$fam 8080: HTTP GET" "$body" test "$body" = "rampart e2e"

  read -r res ms < <(probe tcp-probe "$srv" 9000)
  check "tcp deny   ipv$fam 9000: connect times out" "$res after $ms ms" test "$res" = timeout

  read -r res ms < <(probe tcp-probe "$srv" 9001)
  check "tcp reject ipv$fam 9001: connection refused at once" "$res after $ms ms" \
    test "$res" = refused -a "$ms" -lt 1000

  read -r res ms < <(probe udp-probe "$srv" 5353)
  check "udp allow  ipv$fam 5353: echo round trip" "$res after $ms ms" test "$res" = reply

  read -r res ms < <(probe udp-probe "$srv" 9002)
  check "udp deny   ipv$fam 9002: no answer" "$res after $ms ms" test "$res" = timeout

  read -r res ms < <(probe udp-probe "$srv" 9003)
  check "udp reject ipv$fam 9003: port unreachable -> refused" "$res after $ms ms" \
    test "$res" = refused -a "$ms" -lt 1000
done

read -r res ms < <(probe tcp-probe "$LAB_SRV4" 7000)
check "default deny ipv4 tcp 7000 (server listening)" "$res after $ms ms" test "$res" = timeout

read -r res ms < <(lab_exec_srv "$LAB_PY" "$LAB_NET" tcp-probe -W 2 "$LAB_CLI4" 8080)
check "allow-http matches dst only: srv -> cli:8080 is denied" "$res after $ms ms" test "$res" = timeout

# ------------------------------------------------------------------ large transfers

t=$(date +%s%N)
lab_exec_cli curl -sS --max-time 60 -o "$LAB_DIR/download.bin" "http://$LAB_SRV4:8080/big.bin"
rc=$?
dt=$((($(date +%s%N) - t) / 1000000))
sha=$(sha256sum <"$LAB_DIR/download.bin" 2>/dev/null | cut -d' ' -f1)
check "download ${BIG_MB} MB ipv4 srv -> cli intact (sha256)" \
  "curl exit $rc, $dt ms, $((BIG_MB * 8000 / (dt > 0 ? dt : 1))) Mbit/s" test $rc -eq 0 -a "$sha" = "$BIG_SHA"

lab_bg "$LAB_NS_SRV" nc-upload sh -c "exec nc -6 -l 8081 >'$LAB_DIR/upload.bin'"
nc_pid=$LAB_LAST_PID
lab_wait_listen "$LAB_NS_SRV" tcp 8081 || nok "nc listens on srv tcp 8081"
t=$(date +%s%N)
lab_exec_cli timeout 60 nc -N "$LAB_SRV6" 8081 <"$LAB_DIR/www/big.bin"
rc=$?
for _ in $(seq 50); do kill -0 "$nc_pid" 2>/dev/null || break; sleep 0.1; done
dt=$((($(date +%s%N) - t) / 1000000))
sha=$(sha256sum <"$LAB_DIR/upload.bin" 2>/dev/null | cut -d' ' -f1)
check "upload ${BIG_MB} MB ipv6 cli -> srv intact (sha256, nc)" \
  "nc exit $rc, $dt ms, $((BIG_MB * 8000 / (dt > 0 ? dt : 1))) Mbit/s" test $rc -eq 0 -a "$sha" = "$BIG_SHA"
lab_kill_pid "$nc_pid"

# ------------------------------------------------------------------ counters

lab_stop_rampartd
rc=$?
check "rampartd stops on SIGINT, exit 0, prints a summary" "exit ${LAB_RAMPARTD_RC:-?}" test $rc -eq 0
[[ -n $LAB_SUMMARY_FILE ]] || bail "no summary to check"

pin=$(lab_summary_get packets_in)
pout=$(lab_summary_get packets_out)
drop=$(lab_summary_get dropped)
check "summary: packets_in == packets_out + dropped" "$pin == $pout + $drop" \
  sum_is "$pin" "$pout" "$drop"
# each bulk transfer is ~BIG_MB*1024*1024/1448 full-size segments
min_pkts=$((2 * BIG_MB * 1024 * 1024 / 1500))
check "summary: packets_in counts the bulk transfers" "$pin >= $min_pkts" ge "$pin" "$min_pkts"
v=$(lab_summary_get drop_reasons.policy_deny)
check "summary: drop_reasons.policy_deny > 0" "$v" gt0 "$v"
v=$(lab_summary_get rejects_sent)
check "summary: rejects_sent > 0" "$v" gt0 "$v"
for rule in allow-http deny-tcp reject-tcp allow-udp deny-udp reject-udp; do
  v=$(lab_summary_rule_hits "$rule")
  check "summary: rule $rule hits > 0" "$v" gt0 "$v"
done

# ------------------------------------------------------------------ EVE

v4=$(eve --event flow --proto TCP --dest-port 8080 --src-ip "$LAB_CLI4")
v6=$(eve --event flow --proto TCP --dest-port 8080 --src-ip "$LAB_CLI6")
check "eve: flow records for tcp 8080 over ipv4 and ipv6" "$v4 / $v6" both_gt0 "$v4" "$v6"
v4=$(eve --event flow --proto UDP --dest-port 5353 --src-ip "$LAB_CLI4")
v6=$(eve --event flow --proto UDP --dest-port 5353 --src-ip "$LAB_CLI6")
check "eve: flow records for udp 5353 over ipv4 and ipv6" "$v4 / $v6" both_gt0 "$v4" "$v6"
big=$((BIG_MB * 1024 * 1024))
v=$(eve --event flow --proto TCP --dest-port 8080 --src-ip "$LAB_CLI4" --min-bytes-toclient "$big")
check "eve: flow record of the ipv4 download counts >= ${BIG_MB} MB to the client" "$v" gt0 "$v"
v=$(eve --event flow --proto TCP --dest-port 8081 --src-ip "$LAB_CLI6" --min-bytes-toserver "$big")
check "eve: flow record of the ipv6 upload counts >= ${BIG_MB} MB to the server" "$v" gt0 "$v"
for port in 9000 9001; do
  v4=$(eve --event drop --proto TCP --dest-port $port --src-ip "$LAB_CLI4")
  v6=$(eve --event drop --proto TCP --dest-port $port --src-ip "$LAB_CLI6")
  check "eve: drop records for tcp $port over ipv4 and ipv6" "$v4 / $v6" both_gt0 "$v4" "$v6"
done
for port in 9002 9003; do
  v4=$(eve --event drop --proto UDP --dest-port $port --src-ip "$LAB_CLI4")
  v6=$(eve --event drop --proto UDP --dest-port $port --src-ip "$LAB_CLI6")
  check "eve: drop records for udp $port over ipv4 and ipv6" "$v4 / $v6" both_gt0 "$v4" "$v6"
done
v4=$(eve --event drop --dest-port 8080 --dest-ip "$LAB_SRV4")
v6=$(eve --event drop --dest-port 8080 --dest-ip "$LAB_SRV6")
check "eve: no drop record for the allowed tcp 8080" "$v4 / $v6" test "$v4" = 0 -a "$v6" = 0
v=$(eve --event drop --dest-port 8080 --src-ip "$LAB_SRV4")
check "eve: drop record for srv -> cli:8080 (default deny)" "$v" gt0 "$v"

# ------------------------------------------------------------------ teardown

lab_down
left=$(ip netns list | grep -c "^$LAB_ID-" || true)
check "lab down: namespaces removed" "$left left" test "$left" = 0
finish
