# Shared by control_plane_test.sh and scale_out_test.sh: the three binaries
# (arguments RAMPARTD RAMPART_CONTROLLER RAMPARTCTL, else build/), the lab
# library and the PASS/FAIL helpers, the root check, and helpers that talk
# to the controller (on $csock, set by the script) and probe the lab's
# server. Sourced with the script's arguments.

# shellcheck source=tools/lab/lab.sh
source "$here/../../tools/lab/lab.sh"
[[ $# -ge 1 ]] && LAB_RAMPARTD=$1
CONTROLLER=$(realpath "${2:-$LAB_REPO_DIR/build/controlplane/controller/rampart-controller}")
CTL=$(realpath "${3:-$LAB_REPO_DIR/build/controlplane/ctl/rampartctl}")
# shellcheck source=tests/e2e/checks.sh
source "$here/checks.sh"

if [[ $EUID -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces)"
  exit 77
fi
for b in "$LAB_RAMPARTD" "$CONTROLLER" "$CTL"; do [[ -x $b ]] || bail "binary not found: $b"; done

# lab_for_controller: the lab up (torn down at exit) and the paths the
# controller tests use: $asock (rampartd's API), $csock (the
# controller's), $pdir (its policy directory, created).
lab_for_controller() {
  lab_install_traps
  lab_up || bail "lab_up"
  asock=$LAB_DIR/rampartd.sock
  csock=$LAB_DIR/controller.sock
  pdir=$LAB_DIR/policies
  mkdir -p "$pdir"
}

ctl() { "$CTL" --server "unix:$csock" "$@"; }
# probe PORT -> connected | refused | timeout (TCP from the client namespace)
probe() {
  local r
  read -r r _ < <(lab_exec_cli "$LAB_PY" "$LAB_NET" tcp-probe -W 1 "$LAB_SRV4" "$1")
  echo "$r"
}
# the controller's desired policy version
desired() { ctl -o json status | "$LAB_PY" -c 'import json,sys; print(json.load(sys.stdin)["desired_version"])'; }

# start_controller NAME APPLIANCE...: rampart-controller on $csock with the
# policy directory $pdir and these appliance addresses; sets ctl_pid;
# returns once it answers (its log: $LAB_DIR/NAME.log).
start_controller() {
  local name=$1 a
  shift
  local -a args=(--policy-dir "$pdir" --grpc-socket "$csock")
  for a in "$@"; do args+=(--appliance "$a"); done
  lab_bg "$LAB_NS_FW" "$name" "$CONTROLLER" "${args[@]}"
  ctl_pid=$LAB_LAST_PID
  for _ in $(seq 50); do ctl status >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
