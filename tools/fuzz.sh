#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and fuzzes each for
# a while, growing the committed corpus with new coverage. Not part of the
# test suite (which only replays the corpus); run it by hand or nightly:
#   tools/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]   (default: every target)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
only=("${@:2}")
out=$root/build-fuzz
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$root")
# target name, corpus folder, max input length, sources
run_target() {
  local name=$1 corpus=$2 max_len=$3
  shift 3
  if ((${#only[@]})) && [[ " ${only[*]} " != *" $name "* ]]; then return 0; fi
  clang++ "${flags[@]}" "$@" -o "$out/$name"
  mkdir -p "$out/new-$corpus"
  "$out/$name" -max_total_time="$secs" -max_len="$max_len" "$out/new-$corpus" "$root/tests/fuzz/corpus/$corpus"
  # Keep the corpus small: merge only inputs that add coverage.
  "$out/$name" -merge=1 "$root/tests/fuzz/corpus/$corpus" "$out/new-$corpus"
}
run_target parser_fuzzer parser 2048 \
  "$root/tests/fuzz/parser_fuzzer.cc" "$root/dataplane/parse/packet_parser.cc"
run_target http_fuzzer http 2048 \
  "$root/tests/fuzz/http_request_fuzzer.cc" "$root/dataplane/l7/http/http_request_parser.cc" \
  "$root/dataplane/l7/http/uri_normalizer.cc"
run_target reassembler_fuzzer reassembler 4096 \
  "$root/tests/fuzz/tcp_reassembler_fuzzer.cc" "$root/dataplane/l7/stream/tcp_reassembler.cc" \
  "$root/dataplane/l7/stream/segment_pool.cc"
run_target signature_parser_fuzzer signatures 4096 \
  "$root/tests/fuzz/signature_parser_fuzzer.cc" "$root/controlplane/compiler/signature_parser.cc" \
  "$root/controlplane/compiler/signature_header_check.cc" "$root/controlplane/compiler/cidr.cc" \
  $(pkg-config --cflags --libs fmt)
run_target policy_yaml_fuzzer policy 4096 \
  "$root/tests/fuzz/policy_yaml_fuzzer.cc" "$root/controlplane/compiler/policy_compiler.cc" \
  "$root/controlplane/compiler/yaml_load.cc" "$root/controlplane/compiler/cidr.cc" \
  "$root/controlplane/compiler/group_resolution.cc" $(pkg-config --cflags --libs fmt yaml-cpp)
run_target tls_client_hello_fuzzer tls 20000 \
  "$root/tests/fuzz/tls_client_hello_fuzzer.cc" "$root/dataplane/l7/tls/tls_client_hello.cc"
run_target dns_message_fuzzer dns 4096 \
  "$root/tests/fuzz/dns_message_fuzzer.cc" "$root/dataplane/l7/dns/dns_message.cc"
