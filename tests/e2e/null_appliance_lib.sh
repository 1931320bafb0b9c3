# shellcheck shell=bash
# Shared by the controller tests that need no traffic: rampartd on two
# net_null ports (no namespaces, no packets), rampart-controller and
# rampartctl over unix sockets in a temporary directory ($T). Every
# process started here is stopped by pid at exit, and $T is removed
# (KEEP=1 keeps it). Sourced with the script's arguments RAMPARTD
# RAMPART_CONTROLLER RAMPARTCTL (else build/); $here is the script's
# directory. A script can add its own clean-up to EXTRA_CLEANUP (a
# command run at exit once the processes are stopped, before $T goes).

RAMPARTD=$(realpath "${1:-$here/../../build/rampartd}")
CONTROLLER=$(realpath "${2:-$here/../../build/controlplane/controller/rampart-controller}")
CTL=$(realpath "${3:-$here/../../build/controlplane/ctl/rampartctl}")
PY=/usr/bin/python3
APPLIANCE_API=$here/../../tools/lab/appliance_api.py
# shellcheck source=tests/e2e/checks.sh
source "$here/checks.sh"
preflight "$RAMPARTD" "$CONTROLLER" "$CTL"

T=$(mktemp -d /tmp/rampart-e2e.XXXXXX)
BG_PIDS=()
EXTRA_CLEANUP=
null_cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null && stop_pid "$p" || true
    if kill -0 "$p" 2>/dev/null; then
      kill -KILL "$p"
      wait "$p" 2>/dev/null
    fi
  done
  rm -rf /var/run/dpdk/rnull-$$-*
  [[ -n $EXTRA_CLEANUP ]] && eval "$EXTRA_CLEANUP"
  [[ ${KEEP:-0} == 1 ]] && echo "kept $T" || rm -rf "$T"
}
trap null_cleanup EXIT

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
wait_for() {
  local tries=$(($1 * 10))
  shift
  while ((tries-- > 0)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# start_rampartd NAME [rampartd options]: rampartd with its appliance API
# on $T/NAME.sock (log $T/NAME.log); sets RD_PID; returns once it answers.
start_rampartd() {
  local name=$1
  shift
  "$RAMPARTD" -l 0 --no-huge -m 512 --file-prefix "rnull-$$-$name-$RANDOM" --no-pci --vdev net_null0 \
    --vdev net_null1 -- --grpc-socket "$T/$name.sock" --appliance-id "$name" "$@" >"$T/$name.log" 2>&1 &
  RD_PID=$!
  BG_PIDS+=("$RD_PID")
  wait_for 60 "$PY" "$APPLIANCE_API" status "unix:$T/$name.sock"
}

# start_controller NAME POLICY_DIR APPLIANCE_NAME... [-- controller options]:
# rampart-controller on $T/NAME.sock (log $T/NAME.log) managing those
# appliances; sets CTL_PID; returns once it answers.
start_controller() {
  local name=$1 pdir=$2
  shift 2
  local -a args=(--policy-dir "$pdir" --grpc-socket "$T/$name.sock")
  while (($#)) && [[ $1 != -- ]]; do
    args+=(--appliance "unix:$T/$1.sock")
    shift
  done
  (($#)) && shift
  "$CONTROLLER" "${args[@]}" "$@" >"$T/$name.log" 2>&1 &
  CTL_PID=$!
  BG_PIDS+=("$CTL_PID")
  wait_for 20 "$CTL" --server "unix:$T/$name.sock" status
}

# stop_pid PID: SIGTERM, then waits (at most 20 s) for its exit; true
# when it exited with status 0. STOP_RC: its exit status (124: still
# running).
stop_pid() {
  kill "$1" 2>/dev/null
  local tries=200
  while kill -0 "$1" 2>/dev/null && ((tries-- > 0)); do sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    STOP_RC=124
    return 1
  fi
  wait "$1" 2>/dev/null
  STOP_RC=$?
  ((STOP_RC == 0))
}

# ctl CONTROLLER_NAME ARGS...: rampartctl against that controller.
ctl() {
  local name=$1
  shift
  "$CTL" --server "unix:$T/$name.sock" "$@"
}
# actl APPLIANCE_NAME ARGS...: rampartctl straight to that appliance.
actl() {
  local name=$1
  shift
  "$CTL" --appliance "unix:$T/$name.sock" "$@"
}
# jget JSON EXPR: a Python expression over the parsed JSON `d`.
jget() { "$PY" -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
