#!/usr/bin/env bash
# A full disk under the controller's policy directory (issue 9 part 4,
# defect 5): `rampartctl apply` fails cleanly and changes nothing (no
# document, no version, nothing pushed, nothing left behind), both when no
# byte is free (a changed document) and when a new document fits but the
# version file does not (the case that used to create the document and
# push the new policy while reporting a failure); once space is freed the
# next apply works and reaches the appliance.
# The policy directory is a 256 KiB tmpfs this test mounts and unmounts.
# Real rampartd (net_null ports), rampart-controller and rampartctl.
# Ends with "N passed, N failed".
#
#   tests/e2e/controller_full_disk_test.sh RAMPARTD RAMPART_CONTROLLER RAMPARTCTL   (root)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/null_appliance_lib.sh
source "$here/null_appliance_lib.sh"

pdir=$T/policies
mkdir -p "$pdir"
mount -t tmpfs -o size=256k,mode=0750 rampart-full-disk-test "$pdir" || bail "mount a tmpfs on $pdir"
EXTRA_CLEANUP="umount '$pdir'"

doc() { printf 'default_action: allow\nrules:\n  - name: block-%s\n    action: deny\n    protocol: udp\n    dst_ports: %s\n' "$1" "$1"; }
desired() { jget "$(ctl c -o json appliances)" 'd["desired_version"]'; }
synced() {
  local j
  j=$(ctl c -o json appliances) || return 1
  [[ $(jget "$j" 'd["appliances"][0]["in_sync"] and d["appliances"][0]["applied_version"]') == "$1" ]]
}
app_origin() { jget "$(actl a -o json status)" 'd["policy_origin"]'; }
# fill_leaving PAGES: fills the tmpfs up to PAGES free 4 KiB pages
fill_leaving() {
  rm -f "$pdir/.filler" "$pdir/.gap"
  if (($1 > 0)); then head -c $(($1 * 4096)) /dev/zero >"$pdir/.gap"; fi
  dd if=/dev/zero of="$pdir/.filler" bs=4096 2>/dev/null
  rm -f "$pdir/.gap"
}

start_rampartd a || bail "rampartd starts ($(tail -2 "$T/a.log"))"
start_controller c "$pdir" a || bail "rampart-controller starts ($(tail -2 "$T/c.log"))"
doc 9001 >"$T/web.yaml"
ctl c apply -f "$T/web.yaml" >/dev/null || bail "first apply"
v=$(desired)
check "the appliance runs version $v" "" wait_for 20 synced "$v"
origin=$(app_origin)
listing=$(ls -A "$pdir")

# unchanged: the stored documents, the desired version, the appliance, the directory
unchanged() {
  [[ $(ctl c get web) == "$(doc 9001)" ]] && [[ $(cat "$pdir/web.yaml") == "$(doc 9001)" ]] &&
    ! ctl c get extra >/dev/null 2>&1 &&
    [[ $(desired) == "$v" ]] && [[ $(head -1 "$pdir/.rampart-version") == "$v" ]] &&
    [[ $(app_origin) == "$origin" ]] && synced "$v" &&
    [[ $(ls -A "$pdir" | grep -v '^\.filler$') == "$listing" ]]
}

doc 9002 >"$T/web.yaml"
doc 9003 | grep -v default_action >"$T/extra.yaml"
for free in 0 1; do
  fill_leaving "$free"
  if ((free == 0)); then
    what="no page free, a changed document"
    file=$T/web.yaml
  else
    what="one page free, a new document: it fits, the version file does not"
    file=$T/extra.yaml
  fi
  out=$(ctl c apply -f "$file" 2>&1)
  rc=$?
  check "full disk ($what): apply fails (exit 1)" "exit $rc" test "$rc" = 1
  check "... saying why" "$out" grep -q "No space left on device" <<<"$out"
  check "... and nothing changed (document, version, appliance, no file left behind)" "$(ls -A "$pdir" | tr '\n' ' ')" unchanged
done
ctl c -o json status >/dev/null
check "... even after the appliance was asked again" "" unchanged

rm -f "$pdir/.filler"
out=$(ctl c apply -f "$T/web.yaml" 2>&1)
check "space freed: the same apply succeeds" "$out" test $? = 0
check "... as version $((v + 1)), which the appliance runs" "" wait_for 20 synced $((v + 1))
check "... with the new document" "" test "$(cat "$pdir/web.yaml")" = "$(doc 9002)"
check "the controller restarts on that directory" "" bash -c "kill $CTL_PID"
wait "$CTL_PID" 2>/dev/null
check "... and finds the same version" "" start_controller c "$pdir" a
check "... in sync" "" synced $((v + 1))
finish
