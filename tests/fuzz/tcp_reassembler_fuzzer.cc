// libFuzzer target for TcpReassembler. The input is a configuration and a
// list of operations on two streams sharing one small pool: segments (offset,
// length, content variant, SYN/FIN/RST), peer ACKs and flushes. A reference
// model records, for every stream position, the first byte the reassembler
// accepted there; checked after every step:
//   - the consumer sees one contiguous stream (data and gaps, in order,
//     nothing after FIN/RST), starting where the stream was initialised;
//   - every delivered byte was offered, and equals the first accepted byte at
//     its position (first data wins);
//   - with the inline policy and no ACK/flush, nothing accepted in order is
//     held back and no gap is ever delivered;
//   - pool accounting: chunks in use == chunks the streams hold, per-flow cap
//     and history length respected, and every chunk back after release().
//
// Input: [cfg][pool (bits 0-3), passive conflicts (bit 4)][isn:4] then 7-byte ops
//   [kind][off:3][len:2][variant]; kind bit0 stream, bits1-3 op
//   (5 peer ACK, 6 flush, else segment), bit4 FIN, bit6 SYN, bits6+7 RST.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "dataplane/l7/stream/segment_pool.h"
#include "dataplane/l7/stream/tcp_reassembler.h"

namespace {

using namespace rampart::dp;

constexpr int64_t kMinOff = -4096;
constexpr int64_t kModelLo = -8192;
constexpr int64_t kModelSpan = (1 << 18) + 16384;
constexpr uint32_t kMaxLen = 4500;
constexpr uint16_t kUnset = 0;
constexpr uint16_t kAmbiguous = 0xFFFF;  // offered by a segment the reassembler (partly) refused

#define FUZZ_CHECK(c)                                                               \
  do {                                                                              \
    if (!(c)) {                                                                     \
      __builtin_trap();                                                             \
    }                                                                               \
  } while (0)

uint8_t canonical(int64_t p) { return static_cast<uint8_t>(p * 131 + (p >> 8) * 7 + 1); }
uint8_t content(int64_t p, uint8_t variant) {
  if (variant == 0 || (p + variant) % 5 != 0) return canonical(p);
  return static_cast<uint8_t>(canonical(p) ^ variant);
}

// First accepted byte + 1 per position. Allocated once; each run clears
// only the range it wrote, which keeps executions fast.
uint16_t g_first[2][kModelSpan];

struct Model {
  explicit Model(int i) : first(g_first[i]) {}
  ~Model() {
    if (hi > lo) std::memset(first + (lo - kModelLo), 0, static_cast<std::size_t>(hi - lo) * sizeof(uint16_t));
  }
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  void touch(int64_t a, int64_t b) {
    lo = std::min(lo, a);
    hi = std::max(hi, b);
  }

  uint16_t* first;
  int64_t lo = kModelLo + kModelSpan;
  int64_t hi = kModelLo;
  int64_t pos = 0;   // next stream position the consumer expects
  bool started = false;
  bool ended = false;
  bool gap_allowed = false;
  uint64_t data_bytes = 0;

  uint16_t& at(int64_t p) {
    FUZZ_CHECK(p >= kModelLo && p < kModelLo + kModelSpan);
    return first[p - kModelLo];
  }

  static void fn(void* ctx, StreamEvent ev, const uint8_t* data, uint32_t len) {
    auto* m = static_cast<Model*>(ctx);
    FUZZ_CHECK(m->started && !m->ended);
    switch (ev) {
      case StreamEvent::kData:
        FUZZ_CHECK(len > 0);
        for (uint32_t i = 0; i < len; ++i) {
          const uint16_t f = m->at(m->pos + i);
          FUZZ_CHECK(f != kUnset);                         // never invented
          if (f != kAmbiguous) FUZZ_CHECK(f == data[i] + 1u);  // first data wins
        }
        m->pos += len;
        m->data_bytes += len;
        break;
      case StreamEvent::kGap:
        FUZZ_CHECK(len > 0 && m->gap_allowed);
        m->pos += len;
        break;
      case StreamEvent::kFin:
      case StreamEvent::kRst:
        FUZZ_CHECK(len == 0);
        m->ended = true;
        break;
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size < 6) return 0;
  ReassemblyConfig cfg;
  cfg.on_cap = (in[0] & 1) != 0 ? CapPolicy::kSkipGap : CapPolicy::kDropSegment;
  cfg.history_chunks = static_cast<uint8_t>((in[0] >> 1) & 3);
  cfg.flow_cap_bytes = (1u + ((in[0] >> 3) & 7)) * SegmentPool::kChunkBytes;
  cfg.window_bytes = (in[0] & 0x80) != 0 ? 16 * 1024 : 64 * 1024;
  cfg.refuse_conflicts = (in[1] & 0x10) == 0;
  const bool midstream0 = (in[0] & 0x40) != 0;
  const uint32_t cap_chunks = cfg.flow_cap_bytes / SegmentPool::kChunkBytes;
  SegmentPool pool(2 + (in[1] & 15));
  TcpReassembler r(cfg, pool);
  uint32_t isn0;
  std::memcpy(&isn0, in + 2, 4);
  const uint32_t isn[2] = {isn0, isn0 ^ 0x80000000u};

  TcpStream s[2] = {};
  Model m[2] = {Model(0), Model(1)};
  static uint8_t buf[kMaxLen];
  for (int i = 0; i < 2; ++i) {
    if (i == 0 && midstream0) continue;
    m[i].started = true;  // SYN: data starts at isn + 1 = position 0
    r.add_segment(s[i], isn[i], nullptr, 0, stream_flag::kSyn, StreamConsumer{&Model::fn, &m[i]});
  }

  for (size_t o = 6; o + 7 <= size; o += 7) {
    const uint8_t* op = in + o;
    const int i = op[0] & 1;
    const int kind = (op[0] >> 1) & 7;
    const int64_t off = static_cast<int64_t>((uint32_t{op[3]} & 3) << 16 | uint32_t{op[2]} << 8 | op[1]) + kMinOff;
    const uint32_t len = (uint32_t{op[5]} << 8 | op[4]) % kMaxLen;
    const uint8_t variant = op[6];
    Model& mm = m[i];
    const StreamConsumer out{&Model::fn, &mm};
    const bool was_closed = (s[i].flags & TcpStream::kClosed) != 0;

    if (kind == 5) {
      mm.gap_allowed = true;
      r.peer_ack(s[i], isn[i] + 1 + static_cast<uint32_t>(off), out);
    } else if (kind == 6) {
      mm.gap_allowed = true;
      r.flush(s[i], out);
    } else {
      uint8_t flags = 0;
      if ((op[0] & 0xC0) == 0xC0) {
        flags = stream_flag::kRst;
      } else if ((op[0] & 0x40) != 0) {
        flags = stream_flag::kSyn;
      }
      if ((op[0] & 0x10) != 0) flags |= stream_flag::kFin;
      const int64_t dpos = off + ((flags & stream_flag::kSyn) != 0 ? 1 : 0);
      for (uint32_t b = 0; b < len; ++b) buf[b] = content(dpos + b, variant);
      if ((s[i].flags & TcpStream::kInit) == 0) {  // mid-stream pickup starts here
        mm.started = true;
        mm.pos = dpos;
      }
      if (cfg.on_cap == CapPolicy::kSkipGap) mm.gap_allowed = true;
      // The model learns the bytes before the call (the consumer runs inside
      // it): unset positions become this segment's bytes, or ambiguous if the
      // call turns out to refuse any of them (fixed up right after).
      static int64_t fresh[kMaxLen];
      uint32_t nfresh = 0;
      mm.touch(dpos, dpos + len);
      if ((flags & stream_flag::kRst) == 0) {
        for (uint32_t b = 0; b < len; ++b) {
          uint16_t& f = mm.at(dpos + b);
          if (f == kUnset) {
            f = static_cast<uint16_t>(buf[b] + 1u);
            fresh[nfresh++] = dpos + b;
          }
        }
      }
      const SegmentOutcome res = r.add_segment(s[i], isn[i] + 1 + static_cast<uint32_t>(off), len ? buf : nullptr,
                                               len, flags, out);
      constexpr uint16_t kRefusals = SegmentOutcome::kOutOfWindow | SegmentOutcome::kBeyondFin |
                                     SegmentOutcome::kCapHit | SegmentOutcome::kPoolExhausted |
                                     SegmentOutcome::kAfterClose;
      const bool conflict_refused =
          cfg.refuse_conflicts && res.drop && (res.events & SegmentOutcome::kOverlapDifferent) != 0;
      if (conflict_refused) {
        // Refused whole: none of its bytes was accepted.
        FUZZ_CHECK(res.delivered == 0);
        for (uint32_t k = 0; k < nfresh; ++k) mm.at(fresh[k]) = kUnset;
      } else if (res.drop || (res.events & kRefusals) != 0) {
        for (uint32_t k = 0; k < nfresh; ++k) mm.at(fresh[k]) = kAmbiguous;
      }
      if (cfg.on_cap == CapPolicy::kDropSegment && res.drop && !conflict_refused)
        FUZZ_CHECK((res.events & (kRefusals & ~SegmentOutcome::kBeyondFin & ~SegmentOutcome::kAfterClose)) != 0);
      if (cfg.refuse_conflicts && (res.events & SegmentOutcome::kOverlapDifferent) != 0) FUZZ_CHECK(res.drop);
      if (was_closed) FUZZ_CHECK(res.events == SegmentOutcome::kAfterClose && res.delivered == 0);
    }

    // Accounting after every step.
    FUZZ_CHECK(pool.in_use() == uint32_t{s[0].chunks} + s[1].chunks);
    for (const TcpStream& t : s) {
      FUZZ_CHECK(t.chunks <= cap_chunks);
      FUZZ_CHECK(t.hist_chunks <= cfg.history_chunks && t.hist_chunks <= t.chunks);
      if ((t.flags & TcpStream::kClosed) != 0) FUZZ_CHECK(t.chunks == 0);
    }
    // Inline policy, no ACK/flush: every accepted byte contiguous with the
    // delivered stream has been delivered, i.e. nothing is held back.
    if (mm.started && !mm.ended && !mm.gap_allowed) {
      FUZZ_CHECK(static_cast<int32_t>(s[i].next_seq - (isn[i] + 1u)) == mm.pos);
      int64_t p = mm.pos;
      while (p < kModelLo + kModelSpan && mm.at(p) != kUnset && mm.at(p) != kAmbiguous) ++p;
      FUZZ_CHECK(p == mm.pos);
    }
  }

  FUZZ_CHECK(r.stats().delivered_bytes.get() == m[0].data_bytes + m[1].data_bytes);
  r.release(s[0]);
  r.release(s[1]);
  FUZZ_CHECK(pool.in_use() == 0);
  return 0;
}
