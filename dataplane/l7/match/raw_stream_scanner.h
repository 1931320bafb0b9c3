#pragma once
// RawStreamScanner: raw-stream signatures (contents without a sticky
// buffer) over one direction of a TCP flow at a time. Per direction a
// RawStreamDirection holds the Hyperscan stream state (streaming mode, so a
// fast pattern split across segments is found), a ring of the last
// `window` bytes (candidates are verified over it, with offset/depth
// counted from the stream start) and the candidates still waiting for their
// later contents. One scanner per worker owns every direction's storage,
// allocated at create() for `directions` directions.
//
// Cold: create(). Hot: start(), gap(), scan(), owning worker only; no
// allocation.

#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "dataplane/l7/match/signature_matcher.h"

namespace rampart::dp {

struct RawStreamDirection {
  hs_stream_t* hs = nullptr;   // opened at create(), reset by start()
  uint8_t* window = nullptr;   // ring of the last window bytes
  uint32_t head = 0;           // next write position in the ring
  uint32_t held = 0;           // bytes in the ring (<= window)
  uint64_t offset = 0;         // stream offset just past the last byte scanned
  PendingCandidates pending;
  bool active = false;         // still scanned
};

class RawStreamScanner {
 public:
  static Result<std::unique_ptr<RawStreamScanner>> create(const SignatureMatcher* matcher, uint32_t directions,
                                                          uint32_t window);
  ~RawStreamScanner();
  RawStreamScanner(const RawStreamScanner&) = delete;
  RawStreamScanner& operator=(const RawStreamScanner&) = delete;

  RawStreamDirection& direction(uint32_t i) { return dirs_[i]; }

  // A new stream in this direction.
  void start(RawStreamDirection& d) const;
  // `skipped` bytes will never be seen: no match may span them.
  void gap(RawStreamDirection& d, uint32_t skipped) const;
  // The next in-order bytes: verified signature indices into out (at most
  // cap), returns how many. Candidates that could not be kept waiting are
  // added to *pending_dropped.
  uint32_t scan(RawStreamDirection& d, const uint8_t* data, uint32_t len, const MatchFlow& flow,
                SignatureMatcher::Scratch& scratch, uint32_t* out, uint32_t cap, uint64_t* pending_dropped);

 private:
  explicit RawStreamScanner(const SignatureMatcher* m) : matcher_(m) {}
  std::string_view linear(const RawStreamDirection& d);

  const SignatureMatcher* matcher_;
  uint32_t window_ = 0;
  std::vector<RawStreamDirection> dirs_;
  std::vector<uint8_t> windows_;  // directions x window
  std::vector<uint8_t> linear_;   // one window made contiguous for verification
};

}  // namespace rampart::dp
