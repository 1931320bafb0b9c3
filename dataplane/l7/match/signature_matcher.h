#pragma once
// SignatureMatcher: runs compiled signatures over the inspection buffers of
// one unit (an HTTP request: method, normalised and raw URI, headers, host,
// user agent, cookie, body; a UDP datagram's payload) or over the raw bytes
// of a TCP stream. Two steps, as in Snort and Suricata: Hyperscan finds
// candidates by each signature's fast pattern (one block-mode scan per
// non-empty buffer, or a streaming-mode scan that carries state across
// segments), then every candidate is verified against its header
// (HeaderFilter: protocol, addresses, ports) and all its contents (with
// nocase, offset, depth, distance, within, startswith, endswith, negation)
// and pcres (PCRE2, JIT).
//
// Cold: build(), make_scratch(), open_stream(). Hot: match(),
// scan_stream(), verify_candidates(), reset_stream(), from any number of
// threads, each with its own Scratch. No allocation on the hot path.

#include <hs/hs.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/policy/compiled_signatures.h"
#include "common/result.h"
#include "dataplane/l7/match/header_filter.h"

namespace rampart::dp {

struct InspectionBuffers {
  std::array<std::string_view, policy::kSigBufferCount> data{};
  // Stream offset of data[kStream]'s first byte: offset/depth/startswith
  // count from the start of the stream, not of the window.
  uint64_t stream_base = 0;
  std::string_view& operator[](policy::SigBuffer b) { return data[static_cast<std::size_t>(b)]; }
  std::string_view operator[](policy::SigBuffer b) const { return data[static_cast<std::size_t>(b)]; }
};

// Raw-stream candidates of one stream that did not verify yet: the rest of
// their contents may still arrive. Re-verified on later data while the
// bytes that raised them are in the verification window. Per inspected
// flow direction, fixed size.
struct PendingCandidates {
  static constexpr uint32_t kMax = 4;
  uint32_t sig[kMax];
  uint64_t at[kMax];  // stream offset just past the fast pattern
  uint8_t n = 0;
};

class SignatureMatcher {
 public:
  static constexpr uint32_t kMaxCandidates = 256;

  // Per-thread state: Hyperscan scratch, PCRE2 match data, candidates.
  class Scratch;

  static Result<std::unique_ptr<SignatureMatcher>> build(policy::CompiledSignatures compiled);
  ~SignatureMatcher();
  SignatureMatcher(const SignatureMatcher&) = delete;
  SignatureMatcher& operator=(const SignatureMatcher&) = delete;

  Result<std::unique_ptr<Scratch>> make_scratch() const;

  // Writes the indices of the signatures that match (verified) into out,
  // at most `cap`; returns how many. Candidates beyond kMaxCandidates are
  // counted in Scratch::candidates_dropped.
  uint32_t match(const InspectionBuffers& buffers, const MatchFlow& flow, Scratch& scratch, uint32_t* out,
                 uint32_t cap) const;

  // Raw TCP stream. One hs_stream_t per inspected flow direction, opened
  // at start (open_stream allocates) and reused: reset_stream() puts it
  // back to the start of a stream.
  bool has_stream_signatures() const { return stream_db_ != nullptr; }
  // Whether any signature's fast pattern is in buffer b (block mode).
  bool has_signatures_in(policy::SigBuffer b) const { return dbs_[static_cast<std::size_t>(b)] != nullptr; }
  Result<hs_stream_t*> open_stream() const;
  static void close_stream(hs_stream_t* stream);
  void reset_stream(hs_stream_t* stream) const;
  // Scans the next bytes of a stream; the candidates it finds (each
  // signature once) replace those in scratch. Returns how many.
  uint32_t scan_stream(hs_stream_t* stream, const uint8_t* data, uint32_t len, Scratch& scratch) const;
  // Verifies the candidates in scratch (block mode: all in the buffers)
  // into out, at most `cap`.
  uint32_t verify_candidates(const InspectionBuffers& buffers, const MatchFlow& flow, Scratch& scratch, uint32_t* out,
                             uint32_t cap) const;
  // After scan_stream(): verifies its candidates and the stream's pending
  // ones over buffers[kStream] (the window of stream bytes that ends where
  // the scan ended, starting at buffers.stream_base). Candidates that fail
  // wait in `pending`; one that finds no room is counted in
  // Scratch::pending_dropped.
  uint32_t verify_stream(const InspectionBuffers& buffers, const MatchFlow& flow, PendingCandidates& pending,
                         Scratch& scratch, uint32_t* out, uint32_t cap) const;

  const policy::Signature& signature(uint32_t index) const { return sigs_[index]; }
  // Whether any content or pcre of the signature inspects buffer b.
  bool uses_buffer(uint32_t index, policy::SigBuffer b) const {
    return (buffers_used_[index] >> static_cast<unsigned>(b)) & 1u;
  }
  std::size_t size() const { return sigs_.size(); }

 private:
  struct CompiledPcre;
  SignatureMatcher() = default;
  bool verify(uint32_t sig, const InspectionBuffers& buffers, Scratch& scratch) const;
  static int on_candidate(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void* ctx);
  static bool seen_in_round(const Scratch& scratch, uint32_t sig);

  std::vector<policy::Signature> sigs_;
  std::vector<HeaderFilter> headers_;  // per signature
  std::vector<uint32_t> buffers_used_;  // per signature: bit per SigBuffer
  std::array<hs_database_t*, policy::kSigBufferCount> dbs_{};
  std::array<std::vector<uint32_t>, policy::kSigBufferCount> sig_index_;
  hs_database_t* stream_db_ = nullptr;
  std::vector<uint32_t> stream_sig_index_;
  // pcres_[sig] = that signature's compiled pcres, in order.
  std::vector<std::vector<CompiledPcre>> pcres_;
};

class SignatureMatcher::Scratch {
 public:
  ~Scratch();
  uint64_t candidates_dropped = 0;
  uint64_t verify_budget_exhausted = 0;
  uint64_t pending_dropped = 0;

 private:
  friend class SignatureMatcher;
  void begin_candidates();
  void add_candidate(uint32_t sig, uint64_t at);

  hs_scratch_t* hs_ = nullptr;
  void* pcre_match_data_ = nullptr;  // pcre2_match_data*
  uint32_t candidates_[kMaxCandidates];
  uint64_t candidate_at_[kMaxCandidates];  // stream offset just past the match
  uint32_t ncandidates_ = 0;
  // seen_[sig] == epoch_: already a candidate in this round (a streaming
  // scan reports every occurrence of a pattern).
  std::vector<uint32_t> seen_;
  uint32_t epoch_ = 0;
  const std::vector<uint32_t>* index_ = nullptr;  // Hyperscan id -> signature, for the scan in progress
};

}  // namespace rampart::dp
