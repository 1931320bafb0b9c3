#include "dataplane/l7/match/raw_stream_scanner.h"

#include <algorithm>
#include <cstring>

namespace rampart::dp {

Result<std::unique_ptr<RawStreamScanner>> RawStreamScanner::create(const SignatureMatcher* matcher,
                                                                   uint32_t directions, uint32_t window) {
  if (window == 0) return Error{"the raw-stream window must be at least 1 byte"};
  std::unique_ptr<RawStreamScanner> r(new RawStreamScanner(matcher));
  r->window_ = window;
  r->dirs_.resize(directions);
  r->windows_.resize(std::size_t{directions} * window);
  r->linear_.resize(window);
  for (uint32_t i = 0; i < directions; ++i) {
    auto hs = matcher->open_stream();
    if (!hs) return hs.error();
    r->dirs_[i].hs = *hs;
    r->dirs_[i].window = r->windows_.data() + std::size_t{i} * window;
  }
  return r;
}

RawStreamScanner::~RawStreamScanner() {
  for (auto& d : dirs_) SignatureMatcher::close_stream(d.hs);
}

void RawStreamScanner::start(RawStreamDirection& d) const {
  matcher_->reset_stream(d.hs);
  d.head = 0;
  d.held = 0;
  d.offset = 0;
  d.pending.n = 0;
  d.active = true;
}

void RawStreamScanner::gap(RawStreamDirection& d, uint32_t skipped) const {
  matcher_->reset_stream(d.hs);
  d.head = 0;
  d.held = 0;
  d.pending.n = 0;
  d.offset += skipped;
}

std::string_view RawStreamScanner::linear(const RawStreamDirection& d) {
  const auto* w = reinterpret_cast<const char*>(d.window);
  if (d.held < window_) return {w, d.held};  // not wrapped yet: starts at 0
  // Oldest bytes start at the write position.
  std::memcpy(linear_.data(), d.window + d.head, window_ - d.head);
  std::memcpy(linear_.data() + (window_ - d.head), d.window, d.head);
  return {reinterpret_cast<const char*>(linear_.data()), window_};
}

uint32_t RawStreamScanner::scan(RawStreamDirection& d, const uint8_t* data, uint32_t len, const MatchFlow& flow,
                                SignatureMatcher::Scratch& scratch, uint32_t* out, uint32_t cap,
                                uint64_t* pending_dropped) {
  const uint32_t w = window_;
  if (len >= w) {
    std::memcpy(d.window, data + (len - w), w);
    d.head = 0;
    d.held = w;
  } else {
    const uint32_t first = std::min(len, w - d.head);
    std::memcpy(d.window + d.head, data, first);
    std::memcpy(d.window, data + first, len - first);
    d.head = (d.head + len) % w;
    d.held = std::min(w, d.held + len);
  }
  d.offset += len;
  if (matcher_->scan_stream(d.hs, data, len, scratch) == 0 && d.pending.n == 0) return 0;
  InspectionBuffers b;
  b[policy::SigBuffer::kStream] = linear(d);
  b.stream_base = d.offset - b[policy::SigBuffer::kStream].size();
  const uint64_t before = scratch.pending_dropped;
  const uint32_t k = matcher_->verify_stream(b, flow, d.pending, scratch, out, cap);
  *pending_dropped += scratch.pending_dropped - before;
  return k;
}

}  // namespace rampart::dp
