#!/usr/bin/env bash
# Installs what is missing, then configures (once) and builds into build/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh"
if [[ ! -f "$root/build/build.ninja" ]]; then
  meson setup "$root/build" "$root"
fi
ninja -C "$root/build"
