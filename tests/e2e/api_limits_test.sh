#!/usr/bin/env bash
# Oversized strings and lists through both gRPC APIs (issue 9 part 4,
# defect 12a): a 50 MB origin, document name or workload name, a 2 KiB
# label value, 17 event types, 4 KiB selectors: each INVALID_ARGUMENT
# naming the field and the limit, and nothing changes. Real rampartd
# (net_null ports) and rampart-controller over unix sockets.
# Ends with "N passed, N failed".
#
#   tests/e2e/api_limits_test.sh RAMPARTD RAMPART_CONTROLLER RAMPARTCTL   (root)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/null_appliance_lib.sh
source "$here/null_appliance_lib.sh"

pdir=$T/policies
mkdir -p "$pdir"
start_rampartd a || bail "rampartd starts ($(tail -2 "$T/a.log"))"
start_controller c "$pdir" a || bail "rampart-controller starts ($(tail -2 "$T/c.log"))"
out=$("$PY" "$here/api_limits.py" "unix:$T/a.sock" "unix:$T/c.sock")
is() { [[ $(jget "$out" "d['$1']") == "$2" ]]; }
expect() { check "$1" "$(jget "$out" "d['$1']")" is "$1" "$2"; }
expect "appliance origin" "INVALID_ARGUMENT: policy.origin: 52428800 bytes, at most 256"
expect "appliance version after" "0"
expect "appliance label" "INVALID_ARGUMENT: upsert[0].identity.labels[app]: 2048 bytes, at most 1024"
expect "appliance event types" "INVALID_ARGUMENT: types: 17 entries, at most 16"
expect "controller document name" "INVALID_ARGUMENT: document.name: 52428800 bytes, at most 256"
expect "controller get name" "INVALID_ARGUMENT: name: 4096 bytes, at most 256"
expect "controller workload" "INVALID_ARGUMENT: workloads[0].workload: 52428800 bytes, at most 256"
expect "controller counters appliance" "INVALID_ARGUMENT: appliance: 4096 bytes, at most 256"
expect "controller events appliance" "INVALID_ARGUMENT: appliance: 4096 bytes, at most 256"
j=$(ctl c -o json list)
check "the controller stored no document" "$j" test "$(jget "$j" 'len(d["documents"])')" = 0
j=$(ctl c -o json workloads)
check "... and no workload" "$j" test "$(jget "$j" 'len(d)')" = 0
finish
