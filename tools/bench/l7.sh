#!/usr/bin/env bash
# L7 benchmark: the same HTTP capture through rampartd with inspection
# (the bundled signatures plus the ET Open web rules) and without, one
# worker, alternating runs; prints packets/s, Gbit/s and the ratio.
#
#   tools/bench/l7.sh [--sessions N] [--rounds N]
#
# Offline mode (net_pcap reading the file, one worker on the main lcore):
# a looping infinite_rx capture would replay the same TCP sequence numbers,
# which the reassembler rightly treats as retransmissions, so only a capture
# read once measures inspection. run_seconds in the summary times the packet
# loop only (not EAL start-up or signature loading).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sessions=100000
rounds=3
while (($#)); do
  case $1 in
    --sessions) sessions=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "usage: $0 [--sessions N] [--rounds N]" >&2; exit 2 ;;
  esac
done
rampartd=${RAMPARTD:-$root/build/rampartd}
work=$(mktemp -d /tmp/rampart-l7bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$root/tools/bench/gen_http_pcap.py" "$work/http.pcap" --sessions "$sessions"
bytes=$(stat -c %s "$work/http.pcap")
rules=(--rules "$root/rules/rampart-web.rules")
for f in emerging-web_server.rules emerging-web_specific_apps.rules; do
  [[ -f $root/../shared/data/et-open/$f ]] && rules+=(--rules "$root/../shared/data/et-open/$f")
done
run() {  # run LABEL ARGS... -> "packets seconds alerts"
  "$rampartd" --pcap "$work/http.pcap" --flows $((sessions * 2)) --hs-cache "$work/hs" "$@" 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["packets_in"], d["run_seconds"], (d.get("l7") or {}).get("alerts", 0), (d.get("l7") or {}).get("http_requests", 0))'
}
run "${rules[@]}" >/dev/null  # compile once into the cache
off=() on=()
for ((r = 1; r <= rounds; r++)); do
  read -r pk s _ _ < <(run)
  off+=("$s")
  read -r pk2 s2 alerts reqs < <(run "${rules[@]}")
  on+=("$s2")
  echo "round $r: off ${s}s, on ${s2}s ($reqs requests inspected, $alerts alerts)"
done
/usr/bin/python3 - "$pk" "$bytes" "${off[*]}" "${on[*]}" <<'PY'
import statistics, sys
pk, by = int(sys.argv[1]), int(sys.argv[2])
off = statistics.median(map(float, sys.argv[3].split()))
on = statistics.median(map(float, sys.argv[4].split()))
print("%-22s %10s %10s" % ("", "Mpps", "Gbit/s"))
print("%-22s %10.2f %10.2f" % ("inspection off", pk / off / 1e6, by * 8 / off / 1e9))
print("%-22s %10.2f %10.2f" % ("inspection on", pk / on / 1e6, by * 8 / on / 1e9))
print("ratio (on / off): %.2f" % (off / on))
PY
