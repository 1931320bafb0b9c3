#pragma once
// SignatureMatcher: runs compiled signatures over the inspection buffers of
// one unit (an HTTP request: method, normalised and raw URI, headers, host,
// user agent, cookie, body; or raw stream bytes). Two steps, as in Snort and
// Suricata: Hyperscan finds candidates by each signature's fast pattern
// (one block-mode scan per non-empty buffer), then every candidate is
// verified against all its contents (with nocase, offset, depth, distance,
// within, startswith, endswith, negation) and pcres (PCRE2, JIT).
//
// Cold: build(), make_scratch(). Hot: match(), from any number of threads,
// each with its own Scratch. No allocation in match().

#include <hs/hs.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "controlplane/compiler/signature_compiler.h"
#include "dataplane/common/result.h"

namespace rampart::dp {

struct InspectionBuffers {
  std::array<std::string_view, cp::kSigBufferCount> data{};
  std::string_view& operator[](cp::SigBuffer b) { return data[static_cast<std::size_t>(b)]; }
  std::string_view operator[](cp::SigBuffer b) const { return data[static_cast<std::size_t>(b)]; }
};

class SignatureMatcher {
 public:
  static constexpr uint32_t kMaxCandidates = 256;

  // Per-thread state: Hyperscan scratch, PCRE2 match data, candidates.
  class Scratch;

  static Result<std::unique_ptr<SignatureMatcher>> build(cp::CompiledSignatures compiled);
  ~SignatureMatcher();
  SignatureMatcher(const SignatureMatcher&) = delete;
  SignatureMatcher& operator=(const SignatureMatcher&) = delete;

  Result<std::unique_ptr<Scratch>> make_scratch() const;

  // Writes the indices of the signatures that match (verified) into out,
  // at most `cap`; returns how many. Candidates beyond kMaxCandidates are
  // counted in Scratch::candidates_dropped.
  uint32_t match(const InspectionBuffers& buffers, Scratch& scratch, uint32_t* out, uint32_t cap) const;

  const cp::Signature& signature(uint32_t index) const { return sigs_[index]; }
  std::size_t size() const { return sigs_.size(); }

 private:
  struct CompiledPcre;
  SignatureMatcher() = default;
  bool verify(uint32_t sig, const InspectionBuffers& buffers, Scratch& scratch) const;

  std::vector<cp::Signature> sigs_;
  std::array<hs_database_t*, cp::kSigBufferCount> dbs_{};
  std::array<std::vector<uint32_t>, cp::kSigBufferCount> sig_index_;
  // pcres_[sig] = that signature's compiled pcres, in order.
  std::vector<std::vector<CompiledPcre>> pcres_;
};

class SignatureMatcher::Scratch {
 public:
  ~Scratch();
  uint64_t candidates_dropped = 0;
  uint64_t verify_budget_exhausted = 0;

 private:
  friend class SignatureMatcher;
  hs_scratch_t* hs_ = nullptr;
  void* pcre_match_data_ = nullptr;  // pcre2_match_data*
  uint32_t candidates_[kMaxCandidates];
  uint32_t ncandidates_ = 0;
};

}  // namespace rampart::dp
