#!/usr/bin/env bash
# The README's first command: install, build, and run the lab demo
# (rampartd between a client and a server namespace on veth pairs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/build.sh"
LAB_RAMPARTD="$root/build/rampartd" exec "$root/tools/lab/demo.sh"
