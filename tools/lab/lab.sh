# shellcheck shell=bash
# Rampart network-namespace lab: a sourceable bash library.
#
#   source tools/lab/lab.sh
#   lab_install_traps            # cleanup on exit, Ctrl-C, TERM
#   lab_up                       # namespaces cli, fw, srv and two veth pairs
#   lab_start_rampartd POLICY    # rampartd in fw on net_af_packet; "" or "-" = embedded default
#   lab_exec_cli curl ...        # run in the client namespace (lab_exec_srv, lab_exec_fw)
#   lab_stop_rampartd            # SIGINT, wait, JSON summary -> $LAB_SUMMARY_FILE
#   lab_down                     # idempotent cleanup
#
# Helpers: lab_http_serve DIR PORT..., lab_udp_echo PORT... (servers in srv),
# lab_bg NS NAME CMD... (any background process, stopped by lab_down),
# lab_wait_listen NS tcp|udp PORT, lab_summary_get KEY.KEY,
# lab_summary_rule_hits NAME, lab_net ... (tools/lab/labnet.py: ping,
# tcp-probe, udp-probe, eve-count, eve-show, summary).
# After lab_stop_rampartd: $LAB_EVE (EVE JSON lines), $LAB_OUT / $LAB_ERR
# (rampartd's stdout / stderr), $LAB_SUMMARY_FILE, $LAB_RAMPARTD_RC.
#
# Topology (rampartd is an L2-transparent bump in the wire, so client and
# server share one subnet):
#
#   [cli] LAB_IF_CLI ==veth== LAB_IF_FW0 [fw: rampartd] LAB_IF_FW1 ==veth== LAB_IF_SRV [srv]
#         198.18.0.1/24       port 0                    port 1              198.18.0.2/24
#         2001:db8::1/64                                                    2001:db8::2/64
#
# Every name carries the prefix rp<pid> so parallel or leftover runs never
# collide. Processes are stopped by pid only. Needs root, iproute2, ethtool
# and /usr/bin/python3.
#
# Settings (environment, read when sourced):
#   LAB_RAMPARTD        rampartd binary (default: <repo>/build/rampartd)
#   LAB_LCORES          EAL -l list (default 0-1 with >= 2 CPUs, else 0)
#   LAB_EAL_EXTRA       extra EAL arguments (word-split)
#   LAB_START_TIMEOUT   seconds to wait until rampartd forwards (default 30)
#   LAB_STOP_TIMEOUT    seconds to wait for exit after SIGINT (default 20)
#   LAB_LCORES=0-1      EAL lcores (main + workers); '0@0,1@0,2@1' with LAB_QPAIRS=2: two workers
#   LAB_KEEP=1          keep $LAB_DIR (logs, EVE, summaries) after lab_down
#   LAB_QUIET=1         less chatter from the library

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_REPO_DIR=$(cd "$LAB_LIB_DIR/../.." && pwd)
LAB_PY=${LAB_PY:-/usr/bin/python3}
LAB_NET="$LAB_LIB_DIR/labnet.py"

LAB_RAMPARTD=${LAB_RAMPARTD:-$LAB_REPO_DIR/build/rampartd}
if [[ -z ${LAB_LCORES:-} ]]; then
  if (($(nproc) >= 2)); then LAB_LCORES=0-1; else LAB_LCORES=0; fi
fi
LAB_START_TIMEOUT=${LAB_START_TIMEOUT:-30}
LAB_STOP_TIMEOUT=${LAB_STOP_TIMEOUT:-20}

LAB_ID=${LAB_ID:-rp$$}
LAB_NS_CLI=$LAB_ID-cli
LAB_NS_FW=$LAB_ID-fw
LAB_NS_SRV=$LAB_ID-srv
LAB_IF_CLI=$LAB_ID-c0
LAB_IF_FW0=$LAB_ID-f0
LAB_IF_FW1=$LAB_ID-f1
LAB_IF_SRV=$LAB_ID-s0

LAB_CLI4=198.18.0.1
LAB_SRV4=198.18.0.2
LAB_CLI6=2001:db8::1
LAB_SRV6=2001:db8::2

LAB_DIR=${LAB_DIR:-}
LAB_RUN=0
LAB_RAMPARTD_PID=
LAB_RAMPARTD_RC=
LAB_PREFIX=
LAB_EVE=
LAB_OUT=
LAB_ERR=
LAB_SUMMARY_FILE=
LAB_SUMMARY=
LAB_BG_PIDS=()
LAB_IS_UP=0

# ---------------------------------------------------------------- output

lab_log() { [[ ${LAB_QUIET:-0} == 1 ]] || printf 'lab: %s\n' "$*" >&2; }
lab_err() { printf 'lab: error: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- namespaces

lab_exec_cli() { ip netns exec "$LAB_NS_CLI" "$@"; }
lab_exec_srv() { ip netns exec "$LAB_NS_SRV" "$@"; }
lab_exec_fw() { ip netns exec "$LAB_NS_FW" "$@"; }

lab_net() { "$LAB_PY" "$LAB_NET" "$@"; }

# lab__ethtool_off IFNAME NS: no checksum offload (or TCP checksums reach
# rampartd unfilled), no segmentation / aggregation (frames stay <= MTU).
lab__offloads_off() {
  local ns=$1 ifname=$2
  ip netns exec "$ns" ethtool -K "$ifname" tx off >/dev/null 2>&1 || {
    lab_err "ethtool -K $ifname tx off failed"
    return 1
  }
  local f
  for f in tso gso gro; do
    ip netns exec "$ns" ethtool -K "$ifname" "$f" off >/dev/null 2>&1 || true
  done
}

lab_up() {
  if [[ $LAB_IS_UP == 1 ]]; then return 0; fi
  if [[ $EUID -ne 0 ]]; then
    lab_err "the lab needs root (network namespaces)"
    return 1
  fi
  if [[ -z $LAB_DIR ]]; then
    LAB_DIR=$(mktemp -d "/tmp/$LAB_ID.XXXXXX") || return 1
  fi
  mkdir -p "$LAB_DIR"
  LAB_IS_UP=1 # from here on lab_down has something to undo
  lab_log "up: namespaces $LAB_NS_CLI $LAB_NS_FW $LAB_NS_SRV, work dir $LAB_DIR"
  (
    set -e
    ip netns add "$LAB_NS_CLI"
    ip netns add "$LAB_NS_FW"
    ip netns add "$LAB_NS_SRV"
    # fw: no IPv6 at all (no router solicitations, MLD, ...) and no addresses
    ip netns exec "$LAB_NS_FW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    # cli/srv: addresses usable at once, no DAD
    for ns in "$LAB_NS_CLI" "$LAB_NS_SRV"; do
      ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    done
    ip -n "$LAB_NS_CLI" link add "$LAB_IF_CLI" type veth peer name "$LAB_IF_FW0" netns "$LAB_NS_FW"
    ip -n "$LAB_NS_SRV" link add "$LAB_IF_SRV" type veth peer name "$LAB_IF_FW1" netns "$LAB_NS_FW"
    for ns in "$LAB_NS_CLI" "$LAB_NS_FW" "$LAB_NS_SRV"; do
      ip -n "$ns" link set lo up
    done
    for ifname in "$LAB_IF_FW0" "$LAB_IF_FW1"; do
      ip netns exec "$LAB_NS_FW" sysctl -qw "net.ipv6.conf.$ifname.disable_ipv6=1"
      lab__offloads_off "$LAB_NS_FW" "$ifname"
      ip -n "$LAB_NS_FW" link set "$ifname" promisc on up
    done
    lab__offloads_off "$LAB_NS_CLI" "$LAB_IF_CLI"
    lab__offloads_off "$LAB_NS_SRV" "$LAB_IF_SRV"
    ip -n "$LAB_NS_CLI" addr add "$LAB_CLI4/24" dev "$LAB_IF_CLI"
    ip -n "$LAB_NS_CLI" addr add "$LAB_CLI6/64" dev "$LAB_IF_CLI" nodad
    ip -n "$LAB_NS_SRV" addr add "$LAB_SRV4/24" dev "$LAB_IF_SRV"
    ip -n "$LAB_NS_SRV" addr add "$LAB_SRV6/64" dev "$LAB_IF_SRV" nodad
    ip -n "$LAB_NS_CLI" link set "$LAB_IF_CLI" up
    ip -n "$LAB_NS_SRV" link set "$LAB_IF_SRV" up
  ) || {
    lab_err "lab_up failed"
    return 1
  }
}

# lab_probe: succeeds when a packet crosses rampartd both ways. The default
# is an ICMP echo from cli to srv (the policy must allow ICMP); set
# LAB_READY_PROBE to the name of another function to change it.
lab_probe() {
  if [[ -n ${LAB_READY_PROBE:-} ]]; then
    "$LAB_READY_PROBE"
    return
  fi
  lab_exec_cli "$LAB_PY" "$LAB_NET" ping -q -c 1 -W 0.5 "$LAB_SRV4"
}

# ---------------------------------------------------------------- rampartd

# lab_start_rampartd POLICY [rampartd options...]
# POLICY "" or "-" runs the embedded default policy. Sets LAB_RAMPARTD_PID,
# LAB_EVE, LAB_OUT (stdout), LAB_ERR (stderr), LAB_PREFIX (EAL file prefix).
lab_start_rampartd() {
  local policy=${1:-}
  (($# > 0)) && shift
  if [[ -n $LAB_RAMPARTD_PID ]]; then
    lab_err "rampartd already running (pid $LAB_RAMPARTD_PID)"
    return 1
  fi
  if [[ ! -x $LAB_RAMPARTD ]]; then
    lab_err "rampartd binary not found: $LAB_RAMPARTD"
    return 1
  fi
  LAB_RUN=$((LAB_RUN + 1))
  LAB_PREFIX=$LAB_ID-run$LAB_RUN
  LAB_EVE=$LAB_DIR/eve.$LAB_RUN.json
  LAB_OUT=$LAB_DIR/rampartd.$LAB_RUN.out
  LAB_ERR=$LAB_DIR/rampartd.$LAB_RUN.err
  LAB_SUMMARY_FILE=
  LAB_SUMMARY=
  LAB_RAMPARTD_RC=
  : >"$LAB_EVE"
  # "0-1" is an lcore list (-l); "0@0,1@0,2@1" maps lcores to CPUs (--lcores),
  # e.g. two workers on a two-CPU machine.
  local lcore_opt=-l
  [[ $LAB_LCORES == *@* ]] && lcore_opt=--lcores
  local -a eal=("$lcore_opt" "$LAB_LCORES" --no-huge -m 512 --no-pci --file-prefix "$LAB_PREFIX"
    --vdev "net_af_packet0,iface=$LAB_IF_FW0${LAB_QPAIRS:+,qpairs=$LAB_QPAIRS}"
    --vdev "net_af_packet1,iface=$LAB_IF_FW1${LAB_QPAIRS:+,qpairs=$LAB_QPAIRS}")
  # shellcheck disable=SC2206
  [[ -n ${LAB_EAL_EXTRA:-} ]] && eal+=($LAB_EAL_EXTRA)
  local -a opts=(--eve "$LAB_EVE" --summary --stats-interval 0)
  if [[ -n $policy && $policy != - ]]; then
    if [[ ! -r $policy ]]; then
      lab_err "policy not readable: $policy"
      return 1
    fi
    opts+=(--policy "$(realpath "$policy")")
  fi
  LAB_RAMPARTD_CMD="ip netns exec $LAB_NS_FW $LAB_RAMPARTD ${eal[*]} -- ${opts[*]} $*"
  lab_log "start: $LAB_RAMPARTD_CMD"
  # setsid: a Ctrl-C on the terminal reaches only the script, whose trap
  # stops rampartd by pid with SIGINT. trap - INT QUIT: bash starts
  # background commands with SIGINT ignored; rampartd gets the default
  # disposition, as from a terminal. The subshell execs setsid, which execs
  # ip, which execs rampartd: $! is rampartd's pid.
  (
    trap - INT QUIT
    exec setsid ip netns exec "$LAB_NS_FW" "$LAB_RAMPARTD" "${eal[@]}" -- "${opts[@]}" "$@" \
      >"$LAB_OUT" 2>"$LAB_ERR" </dev/null
  ) &
  LAB_RAMPARTD_PID=$!
  local t0=$SECONDS
  while :; do
    if ! kill -0 "$LAB_RAMPARTD_PID" 2>/dev/null; then
      wait "$LAB_RAMPARTD_PID"
      LAB_RAMPARTD_RC=$?
      lab_err "rampartd (pid $LAB_RAMPARTD_PID) exited with status $LAB_RAMPARTD_RC during startup"
      LAB_RAMPARTD_PID=
      lab__dump_output
      return 1
    fi
    if lab_probe >/dev/null 2>&1; then
      lab_log "rampartd pid $LAB_RAMPARTD_PID forwards (after $((SECONDS - t0)) s)"
      return 0
    fi
    if ((SECONDS - t0 >= LAB_START_TIMEOUT)); then
      lab_err "rampartd (pid $LAB_RAMPARTD_PID) did not forward within $LAB_START_TIMEOUT s" \
        "(the ready probe pings $LAB_SRV4 from cli: does the policy allow icmp?)"
      lab_stop_rampartd >/dev/null 2>&1
      lab__dump_output
      return 1
    fi
    sleep 0.3
  done
}

lab__dump_output() {
  local f
  for f in "$LAB_OUT" "$LAB_ERR"; do
    [[ -s $f ]] || continue
    printf -- '---- %s (last 30 lines)\n' "$f" >&2
    tail -n 30 "$f" >&2
  done
}

# lab_stop_rampartd: SIGINT by pid, wait for the exit, extract the JSON
# summary from stdout into LAB_SUMMARY_FILE / LAB_SUMMARY (compact).
# Returns non-zero if rampartd had to be killed, exited non-zero, or printed
# no summary.
lab_stop_rampartd() {
  local pid=$LAB_RAMPARTD_PID rc=0
  [[ -n $pid ]] || return 0
  LAB_RAMPARTD_PID=
  kill -INT "$pid" 2>/dev/null
  local t0=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - t0 >= LAB_STOP_TIMEOUT)); then
      lab_err "rampartd (pid $pid) still running $LAB_STOP_TIMEOUT s after SIGINT; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null
      rc=1
      break
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null
  LAB_RAMPARTD_RC=$?
  rm -rf "/var/run/dpdk/$LAB_PREFIX"
  if ((LAB_RAMPARTD_RC != 0)); then
    lab_err "rampartd (pid $pid) exited with status $LAB_RAMPARTD_RC"
    lab__dump_output
    rc=1
  fi
  LAB_SUMMARY_FILE=$LAB_DIR/summary.$LAB_RUN.json
  if lab_net summary "$LAB_OUT" >"$LAB_SUMMARY_FILE"; then
    LAB_SUMMARY=$(<"$LAB_SUMMARY_FILE") # compact JSON, for callers
  else
    lab_err "no JSON summary on rampartd's stdout ($LAB_OUT)"
    LAB_SUMMARY_FILE=
    rc=1
  fi
  return $rc
}

# lab_summary_get KEY[.KEY...]: one value from the last summary (null if absent).
lab_summary_get() {
  [[ -n $LAB_SUMMARY_FILE ]] || return 1
  "$LAB_PY" -c '
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    if k == "":
        continue
    if isinstance(v, list):
        v = v[int(k)]
    elif isinstance(v, dict):
        v = v.get(k)
    else:
        v = None
    if v is None:
        break
print(json.dumps(v) if isinstance(v, (dict, list)) else ("null" if v is None else v))
' "$LAB_SUMMARY_FILE" "$1"
}

# lab_summary_rule_hits NAME: the hits of the rule NAME in the last summary.
lab_summary_rule_hits() {
  [[ -n $LAB_SUMMARY_FILE ]] || return 1
  "$LAB_PY" -c '
import json, sys
for r in json.load(open(sys.argv[1])).get("rules") or []:
    if r.get("name") == sys.argv[2]:
        print(r.get("hits"))
        break
else:
    print("null")
' "$LAB_SUMMARY_FILE" "$1"
}

# ---------------------------------------------------------------- background helpers

# lab_bg NS NAME CMD...: run CMD in namespace NS in the background, output
# to $LAB_DIR/NAME.log; the pid goes to LAB_BG_PIDS and LAB_LAST_PID.
lab_bg() {
  local ns=$1 name=$2
  shift 2
  setsid ip netns exec "$ns" "$@" >"$LAB_DIR/$name.log" 2>&1 </dev/null &
  LAB_LAST_PID=$!
  LAB_BG_PIDS+=("$LAB_LAST_PID")
}

# lab_wait_listen NS tcp|udp PORT [TIMEOUT]: until a socket listens on PORT.
lab_wait_listen() {
  local ns=$1 proto=$2 port=$3 timeout=${4:-10} flag=-Hltn t0=$SECONDS
  [[ $proto == udp ]] && flag=-Hlun
  while :; do
    if [[ -n $(ip netns exec "$ns" ss "$flag" "sport = :$port" 2>/dev/null) ]]; then
      return 0
    fi
    if ((SECONDS - t0 >= timeout)); then
      lab_err "nothing listens on $proto/$port in $ns after $timeout s"
      return 1
    fi
    sleep 0.1
  done
}

# lab_http_serve DIR PORT...: dual-stack HTTP file server in srv on every PORT.
lab_http_serve() {
  local dir=$1 p
  shift
  lab_bg "$LAB_NS_SRV" "http-$1" "$LAB_PY" "$LAB_NET" http-serve "$dir" "$@"
  for p in "$@"; do lab_wait_listen "$LAB_NS_SRV" tcp "$p" || return 1; done
}

# lab_udp_echo PORT...: dual-stack UDP echo server in srv on every PORT.
lab_udp_echo() {
  local p
  lab_bg "$LAB_NS_SRV" "udp-echo-$1" "$LAB_PY" "$LAB_NET" udp-echo "$@"
  for p in "$@"; do lab_wait_listen "$LAB_NS_SRV" udp "$p" || return 1; done
}

# lab_kill_pid PID: SIGTERM, then SIGKILL after 2 s.
lab_kill_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 20); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# ---------------------------------------------------------------- teardown

# lab_down: stop everything this lab started and delete its namespaces (the
# veths go with them). Safe to call more than once and from traps.
lab_down() {
  local pid ns
  if [[ -n $LAB_RAMPARTD_PID ]]; then
    lab_stop_rampartd >/dev/null 2>&1 || true
  fi
  for pid in "${LAB_BG_PIDS[@]}"; do lab_kill_pid "$pid"; done
  LAB_BG_PIDS=()
  if [[ $LAB_IS_UP == 1 ]]; then
    for ns in "$LAB_NS_CLI" "$LAB_NS_FW" "$LAB_NS_SRV"; do
      # anything still running inside our own namespaces, by pid
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
      ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf /var/run/dpdk/"$LAB_ID"-run* 2>/dev/null
    if [[ -n $LAB_DIR && ${LAB_KEEP:-0} != 1 ]]; then
      rm -rf "$LAB_DIR"
    elif [[ -n $LAB_DIR ]]; then
      lab_log "kept $LAB_DIR"
    fi
    LAB_IS_UP=0
    lab_log "down: $LAB_ID cleaned up"
  fi
}

# lab_install_traps: lab_down on exit; on INT/TERM/HUP clean up and exit 130/143.
lab_install_traps() {
  trap 'lab_down' EXIT
  trap 'lab__on_signal INT 130' INT
  trap 'lab__on_signal TERM 143' TERM
  trap 'lab__on_signal HUP 129' HUP
}

lab__on_signal() {
  trap '' INT TERM HUP
  printf '\nlab: caught SIG%s, cleaning up\n' "$1" >&2
  lab_down
  trap - EXIT
  exit "$2"
}

# lab_reap_stale: delete namespaces rp<pid>-{cli,fw,srv} left by lab runs
# whose process no longer exists. Not called automatically.
lab_reap_stale() {
  local ns id
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^rp[0-9]+-(cli|fw|srv)$'); do
    id=${ns%%-*}
    [[ -d /proc/${id#rp} ]] && continue
    lab_log "removing stale namespace $ns"
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null || true
  done
}
