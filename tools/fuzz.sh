#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and fuzzes each for
# a while, growing the committed corpus with new coverage. Not part of the
# test suite (which only replays the corpus); run it by hand or nightly:
#   tools/fuzz.sh [SECONDS_PER_TARGET]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
out=$root/build-fuzz
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$root")
clang++ "${flags[@]}" "$root/tests/fuzz/parser_fuzzer.cc" "$root/dataplane/parse/packet_parser.cc" \
  -o "$out/parser_fuzzer"
mkdir -p "$out/new-parser"
"$out/parser_fuzzer" -max_total_time="$secs" -max_len=2048 "$out/new-parser" "$root/tests/fuzz/corpus/parser"
# Keep the corpus small: merge only inputs that add coverage.
"$out/parser_fuzzer" -merge=1 "$root/tests/fuzz/corpus/parser" "$out/new-parser"
