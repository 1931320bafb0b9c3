#include "dataplane/l7/match/signature_matcher.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <span>

#include <fmt/format.h>

namespace rampart::dp {

struct SignatureMatcher::CompiledPcre {
  pcre2_code* code = nullptr;
  policy::SigBuffer buffer = policy::SigBuffer::kStream;
  bool negated = false;
  bool relative = false;  // R: starts where the buffer's last match ended (^ anchors there)
};

namespace {

// Verification of one signature may try many placements of its relative
// contents; this bounds the work one candidate can cause (an attacker
// controls the buffers).
constexpr int kVerifyBudget = 4096;
// Contents per buffer of one signature that verification considers; build()
// refuses signatures with more.
constexpr std::size_t kMaxContents = 64;

bool eq_at(std::string_view buf, std::size_t pos, const std::string& pat, bool nocase) {
  if (pos + pat.size() > buf.size()) return false;
  if (!nocase) return std::memcmp(buf.data() + pos, pat.data(), pat.size()) == 0;
  for (std::size_t i = 0; i < pat.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(buf[pos + i])) != std::tolower(static_cast<unsigned char>(pat[i]))) {
      return false;
    }
  }
  return true;
}

struct Window {
  int64_t lo;
  int64_t hi;  // exclusive end for the match's last byte + 1
};

// base: stream offset of the buffer's first byte (absolute positions are
// stream positions).
Window window_for(const policy::SigContent& c, int64_t prev_end, int64_t size, int64_t base) {
  Window w{0, size};
  const bool relative = c.distance != INT32_MIN || c.within >= 0;
  if (relative) {
    const int64_t start = prev_end + (c.distance != INT32_MIN ? c.distance : 0);
    w.lo = start;
    if (c.within >= 0) w.hi = start + c.within;
  } else {
    if (c.offset >= 0) w.lo = c.offset - base;
    if (c.depth >= 0) w.hi = (c.offset >= 0 ? c.offset : 0) + c.depth - base;
  }
  if (c.startswith) {
    w.lo = -base;
    w.hi = std::min<int64_t>(size, static_cast<int64_t>(c.bytes.size()) - base);
  }
  w.lo = std::max<int64_t>(w.lo, 0);
  w.hi = std::min<int64_t>(w.hi, size);
  return w;
}

// Contents of one buffer, in rule order: every content must be placed (or,
// negated, be absent) within its window; relative ones chain from the end
// of the previous positive match. Backtracks like Suricata's inspection.
// *end: where the last positive content of the successful placement ended.
bool match_chain(std::span<const policy::SigContent* const> cs, std::size_t i, std::string_view buf, int64_t base,
                 int64_t prev_end, int& budget, int64_t* end) {
  if (i == cs.size()) {
    *end = prev_end;
    return true;
  }
  if (--budget <= 0) return false;
  const policy::SigContent& c = *cs[i];
  const int64_t size = static_cast<int64_t>(buf.size());
  const int64_t len = static_cast<int64_t>(c.bytes.size());
  const Window w = window_for(c, prev_end, size, base);
  bool found_any = false;
  for (int64_t pos = w.lo; pos + len <= w.hi; ++pos) {
    if (!eq_at(buf, static_cast<std::size_t>(pos), c.bytes, c.nocase)) continue;
    if (c.endswith && pos + len != size) continue;
    found_any = true;
    if (c.negated) break;
    if (match_chain(cs, i + 1, buf, base, pos + len, budget, end)) return true;
    if (budget <= 0) return false;
  }
  if (c.negated) return !found_any && match_chain(cs, i + 1, buf, base, prev_end, budget, end);
  return false;
}

}  // namespace

SignatureMatcher::Scratch::~Scratch() {
  if (hs_ != nullptr) hs_free_scratch(hs_);
  if (pcre_match_data_ != nullptr) pcre2_match_data_free(static_cast<pcre2_match_data*>(pcre_match_data_));
}

void SignatureMatcher::Scratch::begin_candidates() {
  ncandidates_ = 0;
  if (++epoch_ == 0) {  // wrapped: forget every mark
    std::fill(seen_.begin(), seen_.end(), 0u);
    epoch_ = 1;
  }
}

void SignatureMatcher::Scratch::add_candidate(uint32_t sig, uint64_t at) {
  if (seen_[sig] == epoch_) return;
  seen_[sig] = epoch_;
  if (ncandidates_ == kMaxCandidates) {
    ++candidates_dropped;
    return;
  }
  candidate_at_[ncandidates_] = at;
  candidates_[ncandidates_++] = sig;
}

bool SignatureMatcher::seen_in_round(const Scratch& scratch, uint32_t sig) {
  return scratch.seen_[sig] == scratch.epoch_;
}

int SignatureMatcher::on_candidate(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  auto* s = static_cast<Scratch*>(ctx);
  s->add_candidate((*s->index_)[id], to);
  return 0;
}

SignatureMatcher::~SignatureMatcher() {
  for (auto* db : dbs_)
    if (db != nullptr) hs_free_database(db);
  if (stream_db_ != nullptr) hs_free_database(stream_db_);
  for (auto& v : pcres_)
    for (auto& p : v) pcre2_code_free(p.code);
}

Result<std::unique_ptr<SignatureMatcher>> SignatureMatcher::build(policy::CompiledSignatures compiled) {
  std::unique_ptr<SignatureMatcher> m(new SignatureMatcher());
  m->sigs_ = std::move(compiled.signatures);
  for (std::size_t b = 0; b < policy::kSigBufferCount; ++b) {
    const auto& db = compiled.databases[b];
    m->sig_index_[b] = db.sig_index;
    if (db.serialized.empty()) continue;
    if (hs_deserialize_database(db.serialized.data(), db.serialized.size(), &m->dbs_[b]) != HS_SUCCESS) {
      return Error{fmt::format("buffer {}: cannot load the Hyperscan database", policy::sig_buffer_name(db.buffer))};
    }
  }
  m->stream_sig_index_ = compiled.tcp_stream.sig_index;
  if (!compiled.tcp_stream.serialized.empty() &&
      hs_deserialize_database(compiled.tcp_stream.serialized.data(), compiled.tcp_stream.serialized.size(),
                              &m->stream_db_) != HS_SUCCESS) {
    return Error{"tcp stream: cannot load the Hyperscan database"};
  }
  m->headers_.reserve(m->sigs_.size());
  m->buffers_used_.reserve(m->sigs_.size());
  for (const auto& sig : m->sigs_) {
    uint32_t used = 0;
    for (const auto& c : sig.contents) used |= 1u << static_cast<unsigned>(c.buffer);
    for (const auto& re : sig.pcres) used |= 1u << static_cast<unsigned>(re.buffer);
    m->buffers_used_.push_back(used);
    m->headers_.push_back(HeaderFilter::compile(sig));
  }
  for (const auto& sig : m->sigs_) {
    if (sig.contents.size() > kMaxContents) {
      return Error{fmt::format("{}: sid {}: more than {} contents", sig.source, sig.sid, kMaxContents)};
    }
  }
  m->pcres_.resize(m->sigs_.size());
  for (std::size_t s = 0; s < m->sigs_.size(); ++s) {
    for (const auto& re : m->sigs_[s].pcres) {
      uint32_t opts = 0;
      if (re.caseless) opts |= PCRE2_CASELESS;
      if (re.dotall) opts |= PCRE2_DOTALL;
      if (re.multiline) opts |= PCRE2_MULTILINE;
      if (re.extended) opts |= PCRE2_EXTENDED;
      int err = 0;
      PCRE2_SIZE at = 0;
      pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re.pattern.data()), re.pattern.size(), opts,
                                       &err, &at, nullptr);
      if (code == nullptr) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof(msg));
        return Error{fmt::format("{}: sid {}: pcre at offset {}: {}", m->sigs_[s].source, m->sigs_[s].sid, at,
                                 reinterpret_cast<const char*>(msg))};
      }
      (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter
      m->pcres_[s].push_back(CompiledPcre{code, re.buffer, re.negated, re.relative});
    }
  }
  return m;
}

Result<std::unique_ptr<SignatureMatcher::Scratch>> SignatureMatcher::make_scratch() const {
  std::unique_ptr<Scratch> s(new Scratch());
  for (auto* db : dbs_) {
    if (db != nullptr && hs_alloc_scratch(db, &s->hs_) != HS_SUCCESS) return Error{"hs_alloc_scratch failed"};
  }
  if (stream_db_ != nullptr && hs_alloc_scratch(stream_db_, &s->hs_) != HS_SUCCESS) {
    return Error{"hs_alloc_scratch failed"};
  }
  s->seen_.assign(sigs_.size(), 0u);
  s->pcre_match_data_ = pcre2_match_data_create(16, nullptr);
  if (s->pcre_match_data_ == nullptr) return Error{"pcre2_match_data_create failed"};
  return s;
}

bool SignatureMatcher::verify(uint32_t index, const InspectionBuffers& buffers, Scratch& scratch) const {
  const policy::Signature& sig = sigs_[index];
  int budget = kVerifyBudget;
  // Contents, grouped by buffer (a signature rarely spans more than two).
  const policy::SigContent* chain[kMaxContents];
  std::array<bool, policy::kSigBufferCount> done{};
  std::array<int64_t, policy::kSigBufferCount> last_end{};  // per buffer, for relative pcres
  for (const auto& first : sig.contents) {
    const auto b = static_cast<std::size_t>(first.buffer);
    if (done[b]) continue;
    done[b] = true;
    std::size_t n = 0;
    for (const auto& c : sig.contents)
      if (c.buffer == first.buffer && n < kMaxContents) chain[n++] = &c;
    const int64_t base = first.buffer == policy::SigBuffer::kStream ? static_cast<int64_t>(buffers.stream_base) : 0;
    if (!match_chain(std::span<const policy::SigContent* const>(chain, n), 0, buffers.data[b], base, 0, budget,
                     &last_end[b])) {
      if (budget <= 0) ++scratch.verify_budget_exhausted;
      return false;
    }
  }
  auto* md = static_cast<pcre2_match_data*>(scratch.pcre_match_data_);
  for (const auto& re : pcres_[index]) {
    std::string_view buf = buffers[re.buffer];
    const auto b = static_cast<std::size_t>(re.buffer);
    const std::size_t from = re.relative ? std::min<std::size_t>(static_cast<std::size_t>(last_end[b]), buf.size()) : 0;
    buf.remove_prefix(from);
    const int rc = pcre2_match(re.code, reinterpret_cast<PCRE2_SPTR>(buf.data()), buf.size(), 0, 0, md, nullptr);
    const bool hit = rc >= 0;
    if (hit == re.negated) return false;
    if (hit) last_end[b] = static_cast<int64_t>(from + pcre2_get_ovector_pointer(md)[1]);
  }
  return true;
}

uint32_t SignatureMatcher::match(const InspectionBuffers& buffers, const MatchFlow& flow, Scratch& scratch,
                                 uint32_t* out, uint32_t cap) const {
  scratch.begin_candidates();
  for (std::size_t b = 0; b < policy::kSigBufferCount; ++b) {
    if (dbs_[b] == nullptr || buffers.data[b].empty()) continue;
    scratch.index_ = &sig_index_[b];
    hs_scan(dbs_[b], buffers.data[b].data(), static_cast<unsigned>(buffers.data[b].size()), 0, scratch.hs_,
            on_candidate, &scratch);
  }
  return verify_candidates(buffers, flow, scratch, out, cap);
}

uint32_t SignatureMatcher::verify_candidates(const InspectionBuffers& buffers, const MatchFlow& flow,
                                             Scratch& scratch, uint32_t* out, uint32_t cap) const {
  uint32_t n = 0;
  for (uint32_t i = 0; i < scratch.ncandidates_ && n < cap; ++i) {
    const uint32_t sig = scratch.candidates_[i];
    if (headers_[sig].matches(flow) && verify(sig, buffers, scratch)) out[n++] = sig;
  }
  return n;
}

uint32_t SignatureMatcher::verify_stream(const InspectionBuffers& buffers, const MatchFlow& flow,
                                         PendingCandidates& pending, Scratch& scratch, uint32_t* out,
                                         uint32_t cap) const {
  uint32_t n = 0;
  // Pending ones first, while what raised them is still in the window.
  uint8_t keep = 0;
  for (uint8_t i = 0; i < pending.n; ++i) {
    const uint32_t sig = pending.sig[i];
    if (pending.at[i] <= buffers.stream_base) continue;  // slid out of the window
    if (seen_in_round(scratch, sig)) continue;            // raised again: handled below
    if (n < cap && headers_[sig].matches(flow) && verify(sig, buffers, scratch)) {
      out[n++] = sig;
      continue;
    }
    pending.sig[keep] = sig;
    pending.at[keep++] = pending.at[i];
  }
  pending.n = keep;
  for (uint32_t i = 0; i < scratch.ncandidates_; ++i) {
    const uint32_t sig = scratch.candidates_[i];
    if (!headers_[sig].matches(flow)) continue;
    if (n < cap && verify(sig, buffers, scratch)) {
      out[n++] = sig;
      continue;
    }
    bool already = false;
    for (uint8_t k = 0; k < pending.n; ++k) already = already || pending.sig[k] == sig;
    if (already) continue;
    if (pending.n == PendingCandidates::kMax) {
      ++scratch.pending_dropped;
      continue;
    }
    pending.sig[pending.n] = sig;
    pending.at[pending.n++] = scratch.candidate_at_[i];
  }
  return n;
}

Result<hs_stream_t*> SignatureMatcher::open_stream() const {
  hs_stream_t* s = nullptr;
  if (stream_db_ == nullptr || hs_open_stream(stream_db_, 0, &s) != HS_SUCCESS) return Error{"hs_open_stream failed"};
  return s;
}

void SignatureMatcher::close_stream(hs_stream_t* stream) {
  // No scratch and no callback: matches at end of data are not reported.
  if (stream != nullptr) hs_close_stream(stream, nullptr, nullptr, nullptr);
}

void SignatureMatcher::reset_stream(hs_stream_t* stream) const {
  hs_reset_stream(stream, 0, nullptr, nullptr, nullptr);
}

uint32_t SignatureMatcher::scan_stream(hs_stream_t* stream, const uint8_t* data, uint32_t len,
                                       Scratch& scratch) const {
  scratch.begin_candidates();
  scratch.index_ = &stream_sig_index_;
  hs_scan_stream(stream, reinterpret_cast<const char*>(data), len, 0, scratch.hs_, on_candidate, &scratch);
  return scratch.ncandidates_;
}

}  // namespace rampart::dp
