#!/usr/bin/env bash
# Files whose size someone else decides (issue 9 part 4, defect 11): a
# policy document that is a symlink to /dev/zero (it grew the
# controller's memory by gigabytes), a FIFO, an oversized document, a
# device as rampartd's --policy or --rules, as rampartctl's -f or as a TLS
# file: each is refused at once, without reading it, with a message
# naming the file. Real rampart-controller, rampartd and rampartctl.
# Ends with "N passed, N failed".
#
#   tests/e2e/controller_file_limits_test.sh RAMPARTD RAMPART_CONTROLLER RAMPARTCTL   (root)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/null_appliance_lib.sh
source "$here/null_appliance_lib.sh"

pdir=$T/policies
mkdir -p "$pdir"
printf 'default_action: allow\n' >"$pdir/base.yaml"
mkfifo "$T/fifo"

# refused WHAT PATTERN CMD...: CMD exits non-zero within 10 s, and its
# output matches PATTERN
refused() {
  local what=$1 pattern=$2 out rc
  shift 2
  out=$(timeout 10 "$@" 2>&1)
  rc=$?
  check "$what: refused at once (exit $rc)" "$(tail -2 <<<"$out")" \
    bash -c '(($1 != 0 && $1 != 124)) && grep -q -- "$2" <<<"$3"' _ "$rc" "$pattern" "$out"
}

ln -s /dev/zero "$pdir/evil.yaml"
refused "a policy document that is a symlink to /dev/zero" "evil.yaml: error: a character device, not a regular file" \
  "$CONTROLLER" --policy-dir "$pdir" --grpc-socket "$T/c.sock"
rm "$pdir/evil.yaml"
ln -s "$T/fifo" "$pdir/evil.yaml"
refused "a policy document that is a FIFO nobody writes to" "evil.yaml: error: a FIFO, not a regular file" \
  "$CONTROLLER" --policy-dir "$pdir" --grpc-socket "$T/c.sock"
rm "$pdir/evil.yaml"
head -c 2000 /dev/zero | tr '\0' '#' >"$pdir/big.yaml"
refused "a document over --max-document-bytes" \
  "big.yaml: error: 2000 bytes, more than the 1024 bytes allowed for a policy document (--max-document-bytes)" \
  "$CONTROLLER" --policy-dir "$pdir" --grpc-socket "$T/c.sock" --max-document-bytes 1024
rm "$pdir/big.yaml"
refused "a TLS certificate that is /dev/zero" "/dev/zero: a character device, not a regular file" \
  "$CONTROLLER" --policy-dir "$pdir" --grpc-socket "" --grpc-listen 127.0.0.1:0 --grpc-tls-cert /dev/zero \
  --grpc-tls-key /dev/zero

refused "rampartd --policy /dev/zero" "/dev/zero: a character device, not a regular file" \
  "$RAMPARTD" --policy /dev/zero --validate
refused "rampartd --policy FIFO" "fifo: a FIFO, not a regular file" "$RAMPARTD" --policy "$T/fifo" --validate
refused "rampartd --rules FIFO" "fifo: a FIFO, not a regular file" "$RAMPARTD" --rules "$T/fifo" --validate
head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$T/huge.yaml"
refused "rampartd --policy over 16 MiB" "huge.yaml: 16777217 bytes, more than the 16777216 bytes allowed" \
  "$RAMPARTD" --policy "$T/huge.yaml" --validate
rm "$T/huge.yaml"

start_rampartd a || bail "rampartd starts ($(tail -2 "$T/a.log"))"
start_controller c "$pdir" a -- --max-document-bytes 1024 || bail "rampart-controller starts ($(tail -2 "$T/c.log"))"
refused "rampartctl apply -f /dev/zero" "/dev/zero: a character device, not a regular file" \
  "$CTL" --server "unix:$T/c.sock" apply -f /dev/zero
head -c 2000 /dev/zero | tr '\0' '#' >"$T/big.yaml"
refused "a document over --max-document-bytes through the API" \
  "document.yaml: 2000 bytes, at most 1024 (--max-document-bytes)" "$CTL" --server "unix:$T/c.sock" apply -f "$T/big.yaml"
check "the controller is still serving" "" ctl c status >/dev/null
finish
