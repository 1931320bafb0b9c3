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

#include <cstdint>
#include <string>
#include <vector>

#include "controlplane/compiler/model.h"
#include "common/result.h"

namespace rampart::cp {

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
