#pragma once
// CompiledSignatures: what the signature compiler
// (controlplane/compiler/signature_compiler.h) hands the dataplane's
// SignatureMatcher: the signatures that compiled and serialized Hyperscan
// databases. Plain data of the bottom layer (common/).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/policy/signature.h"

namespace rampart::policy {

inline constexpr std::size_t kSigBufferCount = static_cast<std::size_t>(SigBuffer::kDnsQuery) + 1;

struct BufferDatabase {
  SigBuffer buffer = SigBuffer::kStream;
  std::string serialized;          // hs_serialize_database() output; empty: no patterns
  std::vector<uint32_t> sig_index;  // Hyperscan id -> index into CompiledSignatures::signatures
  std::size_t patterns = 0;
};

struct CompiledSignatures {
  std::vector<Signature> signatures;  // those that compiled
  // Block mode, one per buffer. databases[kStream] holds the signatures
  // whose fast pattern is in the raw payload of UDP datagrams (proto udp,
  // dns or ip).
  std::array<BufferDatabase, kSigBufferCount> databases;
  // Streaming mode: signatures whose fast pattern is in the raw TCP stream
  // (proto tcp, http, tls, dns or ip without a sticky buffer), matched
  // across segment boundaries with per-flow stream state.
  BufferDatabase tcp_stream;
  std::vector<std::string> unsupported;  // "file:line: unsupported: ... (sid N)"
  double compile_seconds = 0;
  std::size_t cache_hits = 0;
};

}  // namespace rampart::policy
