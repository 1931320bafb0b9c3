#pragma once
// Signature compiler: a SignatureSet -> one Hyperscan block-mode database
// per inspection buffer plus one streaming-mode database for the raw TCP
// stream (CompiledSignatures), the cold half of L7 matching
// (Snort's and Suricata's "multi-pattern matcher" stage). Each signature
// contributes its fast pattern: the content marked fast_pattern, else its
// longest positive content, else its first pcre compiled in Hyperscan's
// prefilter mode. A match is a candidate that the dataplane must verify
// against the signature's remaining options.
//
// Deterministic: the same signatures give byte-identical databases, cached
// on disk by content (the cache file stores its inputs and is only used on
// an exact match). Cold: any thread; it starts up to `threads` threads of
// its own (one database each) and can take seconds.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "controlplane/compiler/signature.h"
#include "dataplane/common/result.h"

namespace rampart::cp {

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

struct SignatureCompileOptions {
  std::string cache_dir;  // empty: no cache
  unsigned threads = 0;   // databases compiled at once; 0: one per hardware thread
};

Result<CompiledSignatures> compile_signatures(std::vector<Signature> sigs, const SignatureCompileOptions& opt);

// The Hyperscan expression for a literal: every byte escaped, so the
// pattern matches exactly those bytes.
std::string hs_literal(const std::string& bytes);

// The expression Hyperscan prefilters a pcre with (HS_FLAG_PREFILTER): the
// pcre with every bounded repeat {m,n}, n >= 16, widened to {m,} (`*` for
// m = 0, `+` for m = 1); everything else as it is.
std::string prefilter_expression(const std::string& pcre);

}  // namespace rampart::cp
