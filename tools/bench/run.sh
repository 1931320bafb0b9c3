#!/usr/bin/env bash
# Rampart throughput benchmark: rampartd against dpdk-testpmd (io forwarding)
# on the same virtual devices, one worker core each, in the same run.
#
#   tools/bench/run.sh [--duration S] [--rounds N] [--scenarios LIST]
#                      [--warmup N] [--workdir DIR] [--json FILE]
#
# Devices, for both programs:
#   port 0: net_pcap, rx_pcap=<capture>, infinite_rx=1 (the capture is
#           preloaded into mbufs and replayed in a loop from memory)
#   port 1: net_null, no-rx=1 (a free sink)
# Both forward port 0 -> port 1 on lcore 1 (lcore 0 is the main lcore).
#
# The machine is small and shared, so the programs never run at the same
# time: for every scenario they alternate, testpmd, rampartd, testpmd,
# rampartd, ... (--rounds pairs). Each run prints one rate sample per second;
# the first --warmup samples are dropped (start-up, and rampartd's first pass
# over the capture, where the flows are created), a run's rate is the median
# of the rest, and the table shows the median over the rounds and the ratio
# of the medians. See docs/performance.md.
#
# Scenarios (comma-separated for --scenarios):
#   established     64-byte TCP ACKs, 10,000 flows, both directions; policy of
#                   1,000 rules, the allow rule last, default deny
#   newflow-bypass  64-byte TCP SYNs, 20,000 distinct 5-tuples; --flows 1024
#                   --flow-table-full bypass: the table is full after the first
#                   1,024 SYNs, and every later SYN misses the flow table and
#                   is classified against the 1,000 rules and forwarded
#   newflow-drop    same capture, --flows 1024 and the default
#                   --flow-table-full drop: a SYN flood against a full table
#                   (everything after the first 1,024 flows is dropped)
#
# Environment: RAMPARTD (default build/rampartd), TESTPMD (default
# /usr/bin/dpdk-testpmd), PYTHON (default /usr/bin/python3, needs scapy).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

duration=10
rounds=3
warmup=2
scenarios="established,newflow-bypass,newflow-drop"
workdir=""
json_out=""
rampartd=${RAMPARTD:-$root/build/rampartd}
testpmd=${TESTPMD:-/usr/bin/dpdk-testpmd}
python=${PYTHON:-/usr/bin/python3}
mem_mb=1024
lcores=0,1
established_flows=10000
newflow_packets=20000
newflow_table=1024
rules=1000

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while (($#)); do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --json) json_out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

[[ $duration =~ ^[0-9]+$ ]] && ((duration >= warmup + 2)) ||
  { echo "run.sh: --duration must be an integer >= warmup + 2 ($((warmup + 2)))" >&2; exit 2; }
[[ $rounds =~ ^[0-9]+$ ]] && ((rounds >= 1)) ||
  { echo "run.sh: --rounds must be a positive integer" >&2; exit 2; }
for s in ${scenarios//,/ }; do
  case $s in established|newflow-bypass|newflow-drop) ;;
    *) echo "run.sh: unknown scenario '$s'" >&2; exit 2 ;;
  esac
done
[[ -x $rampartd ]] || { echo "run.sh: $rampartd not found (build it first, or set RAMPARTD)" >&2; exit 1; }
[[ -x $testpmd ]] || { echo "run.sh: $testpmd not found (apt-get install dpdk)" >&2; exit 1; }
"$python" -c 'import scapy' 2>/dev/null ||
  { echo "run.sh: $python has no scapy (apt-get install python3-scapy)" >&2; exit 1; }
if (($(nproc) < 2)); then
  echo "run.sh: needs 2 CPUs (lcore 0 main, lcore 1 worker), have $(nproc)" >&2; exit 1
fi

workdir=${workdir:-${TMPDIR:-/tmp}/rampart-bench}
data=$workdir/data
logs=$workdir/logs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$data" "$logs"

# --- inputs (generated once, regenerated when the generator changes) -------
gen=$here/gen_traffic.py
stamp=$data/.generator.sha256
sum=$(sha256sum "$gen" | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$sum:$established_flows:$newflow_packets:$rules" ]]; then
  echo "== generating captures and policy in $data (takes about a minute)"
  rm -f "$stamp"
  "$python" "$gen" established --flows "$established_flows" --out "$data/established.pcap"
  "$python" "$gen" newflows --packets "$newflow_packets" --out "$data/newflows.pcap"
  "$python" "$gen" policy --rules "$rules" --out "$data/policy.yaml"
  echo "$sum:$established_flows:$newflow_packets:$rules" > "$stamp"
fi
# Run a private copy: the build tree may be rebuilt while the benchmark runs,
# and every round must measure the same binary.
rampartd_src=$rampartd
cp "$rampartd_src" "$logs/rampartd"
rampartd=$logs/rampartd
"$rampartd" --policy "$data/policy.yaml" --validate >/dev/null ||
  { echo "run.sh: rampartd rejects $data/policy.yaml" >&2; exit 1; }

# mbufs: net_pcap preloads the whole capture (20,000 packets) into the pool,
# plus descriptors and per-lcore caches. Both programs get the same pool size
# (rampartd's computed default, about 12,700 mbufs, is too small for it).
mbufs=65536

# --- one run of each program ------------------------------------------------
child=""
cleanup() {
  if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
    kill -INT "$child" 2>/dev/null || true
    sleep 3
    kill -KILL "$child" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eal_args() { # pcap prefix
  echo "-l $lcores --no-huge -m $mem_mb --file-prefix $2 --no-pci" \
       "--vdev net_pcap0,rx_pcap=$1,infinite_rx=1 --vdev net_null0,no-rx=1"
}

stop_pid() { # pid seconds: SIGINT (repeated), then SIGKILL if still running
  local pid=$1 t=$2 i
  for ((i = 0; i < t * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    # testpmd resets its quit flag just before it starts forwarding, so a
    # SIGINT that lands during start-up is lost: repeat it every second
    ((i % 10 == 0)) && kill -INT "$pid" 2>/dev/null
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "   (pid $pid ignored SIGINT for ${t}s, killing it)" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

run_testpmd() { # scenario pcap round
  local prefix="rbench-tp-$$-$1-$3" log="$logs/$1.testpmd.$3.log" i
  # shellcheck disable=SC2046
  "$testpmd" $(eal_args "$2" "$prefix") -- \
    --forward-mode=io --auto-start --stats-period 1 --nb-cores 1 \
    --total-num-mbufs "$mbufs" </dev/null >"$log" 2>&1 &
  child=$!
  # rampartd's --duration counts from the end of its set-up: time testpmd
  # the same way, from the moment it starts forwarding
  for ((i = 0; i < 600; i++)); do
    grep -aq 'start packet forwarding' "$log" 2>/dev/null && break
    kill -0 "$child" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$child" 2>/dev/null && sleep "$duration"
  stop_pid "$child" 15
  child=""
  rm -rf "/var/run/dpdk/$prefix"
}

run_rampartd() { # scenario pcap round extra-args...
  local scn=$1 pcap=$2 r=$3; shift 3
  local prefix="rbench-rd-$$-$scn-$r" base="$logs/$scn.rampartd.$r"
  # shellcheck disable=SC2046
  "$rampartd" $(eal_args "$pcap" "$prefix") -- \
    --policy "$data/policy.yaml" --duration "$duration" --stats-interval 1 \
    --summary --mbufs "$mbufs" "$@" </dev/null >"$base.out" 2>"$base.err" &
  child=$!
  local waited=0
  while kill -0 "$child" 2>/dev/null && ((waited < (duration + 60) * 10)); do
    sleep 0.1; waited=$((waited + 1))
  done
  if kill -0 "$child" 2>/dev/null; then
    echo "   rampartd did not stop after --duration $duration; sending SIGINT" >&2
    stop_pid "$child" 15
    echo "timeout" >"$base.rc"
  else
    local rc=0
    wait "$child" || rc=$?
    echo "$rc" >"$base.rc"
    ((rc == 0)) || echo "   rampartd exited $rc (see $base.err)" >&2
  fi
  child=""
  rm -rf "/var/run/dpdk/$prefix"
}

scenario_pcap() {
  case $1 in
    established) echo "$data/established.pcap" ;;
    newflow-*) echo "$data/newflows.pcap" ;;
  esac
}
scenario_args() {
  case $1 in
    established) echo "" ;;
    newflow-bypass) echo "--flows $newflow_table --flow-table-full bypass" ;;
    newflow-drop) echo "--flows $newflow_table --flow-table-full drop" ;;
  esac
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -n) $(uname -r)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "duration: $duration"
  echo "rounds: $rounds"
  echo "warmup: $warmup"
  echo "rampartd: $rampartd_src (built $(date -u -r "$rampartd_src" +%Y-%m-%dT%H:%M:%SZ), sha256 $(sha256sum "$rampartd" | cut -c1-16))"
  echo "testpmd: $testpmd"
  for s in ${scenarios//,/ }; do echo "args.$s: $(scenario_args "$s")"; done
} >"$logs/meta.txt"

echo "== $rounds round(s) x ${duration}s per program and scenario; logs in $logs"
for s in ${scenarios//,/ }; do
  pcap=$(scenario_pcap "$s")
  # shellcheck disable=SC2207
  extra=($(scenario_args "$s"))
  for ((r = 1; r <= rounds; r++)); do
    echo "-- $s round $r/$rounds: testpmd"
    run_testpmd "$s" "$pcap" "$r"
    echo "-- $s round $r/$rounds: rampartd ${extra[*]}"
    run_rampartd "$s" "$pcap" "$r" "${extra[@]}"
  done
done

report_args=(--logs "$logs" --warmup "$warmup" --scenarios "$scenarios")
[[ -n $json_out ]] && report_args+=(--json "$json_out")
"$python" "$here/report.py" "${report_args[@]}"
