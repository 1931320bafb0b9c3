#pragma once
// TcpReassembler: one worker's TCP stream reassembly for the L7 stage. Each
// direction of a flow keeps a TcpStream (24 bytes, plain data, lives next to
// the Flow); the worker's single TcpReassembler holds the configuration, the
// SegmentPool and the counters, and turns segments into an in-order byte
// stream for a consumer.
//
// - In-order bytes go straight from the packet to the consumer (no copy);
//   only out-of-order bytes and a short history of delivered bytes are
//   copied into pool chunks.
// - Overlaps: first data wins. Overlapping bytes are compared with what was
//   seen first (buffered, or delivered and still in the history): equal is a
//   retransmission, different is an evasion attempt, counted and flagged in
//   the SegmentOutcome so the caller can alert. Inline (the default) such a
//   segment is refused whole and the caller advised to drop it, so the
//   receiver can only ever get the bytes that were inspected.
// - Memory: a per-flow cap (flow_cap_bytes) and the pool size (global per
//   worker). What happens at either is CapPolicy; see
//   docs/design/stream-reassembly.md.
// - Segments further than window_bytes from the next expected byte are
//   dropped and counted; 32-bit sequence wraparound is handled throughout.
//
// Cold: the constructor. Hot: everything else, owning worker only; nothing
// allocates. Every TcpStream must be release()d before the flow is freed,
// or its chunks leak from the pool.

#include <cstdint>

#include "dataplane/l7/stream/segment_pool.h"
#include "dataplane/stats/counter.h"

namespace rampart::dp {

// What a consumer receives, always in stream order.
enum class StreamEvent : uint8_t {
  kData,  // `len` bytes at `data` (valid only during the call)
  kGap,   // `len` bytes were skipped and will never be delivered
  kFin,   // orderly end: every byte before the FIN was delivered or gapped
  kRst,   // reset: the stream ends here, buffered bytes are discarded
};

// A consumer is a function pointer and its context: no std::function, no
// allocation, one indirect call per delivered run.
struct StreamConsumer {
  void (*fn)(void* ctx, StreamEvent ev, const uint8_t* data, uint32_t len);
  void* ctx;
};

// Per-direction state. Zero-initialised means "nothing seen yet".
struct TcpStream {
  uint32_t next_seq;     // next byte the consumer expects
  uint32_t fin_seq;      // sequence number of the FIN (valid with kFinSeen)
  uint32_t ooo_head;     // out-of-order chunks, sorted, disjoint, all after next_seq
  uint32_t hist_head;    // delivered bytes kept to check overlaps, oldest first
  uint32_t hist_tail;
  uint16_t chunks;       // pool chunks held (out-of-order + history)
  uint8_t hist_chunks;   // of which history
  uint8_t flags;         // kInit, kFinSeen, kClosed

  static constexpr uint8_t kInit = 1;
  static constexpr uint8_t kFinSeen = 2;
  static constexpr uint8_t kClosed = 4;  // FIN delivered or RST: nothing more is accepted
};
static_assert(sizeof(TcpStream) == 24, "TcpStream lives in every flow twice; keep it small");

// TCP flags add_segment() looks at (same bit values as the TCP header).
namespace stream_flag {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
}  // namespace stream_flag

// What one call did, for the caller's decision and alerting.
struct SegmentOutcome {
  enum : uint16_t {
    kRetransmit = 1 << 0,         // only old bytes, all equal to what was seen
    kOverlapSame = 1 << 1,        // new bytes plus overlapping equal bytes
    kOverlapDifferent = 1 << 2,   // overlapping bytes differ: evasion attempt (alert); refused inline
    kOverlapUnverified = 1 << 3,  // old bytes no longer in the history: not compared
    kOutOfWindow = 1 << 4,        // dropped: too far before or after next_seq
    kBeyondFin = 1 << 5,          // bytes after the FIN were ignored
    kCapHit = 1 << 6,             // per-flow cap reached
    kPoolExhausted = 1 << 7,      // worker pool empty
    kGap = 1 << 8,                // a gap was delivered to the consumer
    kAfterClose = 1 << 9,         // stream already closed: segment ignored
    kFinMismatch = 1 << 10,       // FIN contradicts earlier data or an earlier FIN: ignored
    kRstIgnored = 1 << 11,        // RST outside the window: ignored
  };
  uint32_t delivered = 0;  // bytes delivered to the consumer by this call (gaps excluded)
  uint16_t events = 0;
  // Inline advice: drop this packet. The reassembler refused bytes the
  // receiver would accept (CapPolicy::kDropSegment at a cap or outside the
  // window; refuse_conflicts on an overlap with different bytes); dropping
  // the packet keeps the receiver's stream identical to the inspected one,
  // and a correct sender will retransmit.
  bool drop = false;
};

enum class CapPolicy : uint8_t {
  kDropSegment,  // inline (default): refuse the out-of-order segment, advise drop
  kSkipGap,      // passive: skip the oldest hole (kGap to the consumer) to make room
};

struct ReassemblyConfig {
  uint32_t flow_cap_bytes = 64 * 1024;  // pool memory one stream may hold (chunks x 2 KiB)
  uint32_t window_bytes = 1u << 20;     // accepted distance from next_seq, both ways; <= 2^30
  uint8_t history_chunks = 2;           // delivered bytes kept for overlap checks (0: none)
  CapPolicy on_cap = CapPolicy::kDropSegment;
  // Inline: a segment whose overlap differs from what was inspected is
  // refused whole (nothing of it delivered, drop advised). Passive (false):
  // first data wins, the segment's new bytes still fill holes.
  bool refuse_conflicts = true;
};

// Per-worker counters (single writer, any reader).
struct ReassemblyStats {
  Counter segments;
  Counter delivered_bytes;
  Counter buffered_bytes;      // bytes copied into out-of-order chunks
  Counter retransmits;
  Counter overlaps_same;
  Counter overlaps_different;  // evasion attempts
  Counter conflicts_refused;   // ... refused whole (refuse_conflicts)
  Counter overlaps_unverified;
  Counter out_of_window;
  Counter beyond_fin;
  Counter cap_hits;
  Counter pool_exhausted;
  Counter segments_refused;    // kDropSegment: segments (partly) not buffered
  Counter gaps;
  Counter gap_bytes;
  Counter midstream_pickups;
  Counter after_close;
  Counter fin_mismatch;
  Counter rst_ignored;
  Counter discarded_bytes;     // buffered bytes never delivered (RST, release)
  Counter history_skipped;     // delivered bytes not kept for lack of memory
  Counter collapsed_chunks;    // out-of-order chunks freed by packing adjacent bytes at a cap
};

class TcpReassembler {
 public:
  TcpReassembler(const ReassemblyConfig& cfg, SegmentPool& pool);
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;

  // Starts a released (or zeroed) stream at a known next sequence number
  // (ISN + 1 from conntrack's handshake, or where inspection stopped
  // earlier), so the first segment seen is not taken as the stream start.
  void start(TcpStream& s, uint32_t next_seq);
  // One TCP segment of this direction: its sequence number, payload and TCP
  // flags. The first segment seen initialises the stream (unless start()
  // did): a SYN from its ISN, anything else mid-stream from its own
  // sequence number.
  SegmentOutcome add_segment(TcpStream& s, uint32_t seq, const uint8_t* data, uint32_t len, uint8_t flags,
                             const StreamConsumer& out);
  // The other direction acknowledged `ack`: bytes before it reached the
  // receiver. A hole below it will never be filled (capture loss, asymmetric
  // path): skip it as a gap now instead of holding the stream.
  SegmentOutcome peer_ack(TcpStream& s, uint32_t ack, const StreamConsumer& out);
  // Flow ending without RST (timeout, shutdown): deliver everything still
  // buffered, holes as gaps, then kFin if the FIN was reached.
  void flush(TcpStream& s, const StreamConsumer& out);
  // Returns every chunk to the pool; undelivered bytes are counted as
  // discarded. The stream is left closed. Call when the flow ends.
  void release(TcpStream& s);

  const ReassemblyStats& stats() const { return stats_; }
  const ReassemblyConfig& config() const { return cfg_; }

 private:
  uint32_t alloc_ooo(TcpStream& s, SegmentOutcome& r);
  uint32_t alloc_history(TcpStream& s);
  uint32_t pop_history(TcpStream& s);
  void drop_history(TcpStream& s);
  void push_history(TcpStream& s, uint32_t c);
  void record_history(TcpStream& s, uint32_t seq, const uint8_t* data, uint32_t len);
  void deliver(TcpStream& s, const uint8_t* data, uint32_t len, const StreamConsumer& out, SegmentOutcome& r);
  void gap_to(TcpStream& s, uint32_t seq, const StreamConsumer& out, SegmentOutcome& r);
  void drain(TcpStream& s, const StreamConsumer& out, SegmentOutcome& r);
  void note_fin(TcpStream& s, uint32_t fin_seq, SegmentOutcome& r);
  void handle_rst(TcpStream& s, uint32_t seq, const StreamConsumer& out, SegmentOutcome& r);
  void free_ooo(TcpStream& s);
  // Packs adjacent out-of-order chunks into as few as they fit in.
  void collapse_ooo(TcpStream& s);
  // True when a byte of [start, end) (relative to s.next_seq) differs from
  // the delivered history or the buffered bytes it overlaps. Reads only.
  bool conflicts(const TcpStream& s, const uint8_t* data, int64_t start, int64_t end) const;

  ReassemblyConfig cfg_;
  SegmentPool& pool_;
  uint32_t cap_chunks_;
  uint32_t history_reserve_;  // history never takes the last pool chunks
  ReassemblyStats stats_;
};

}  // namespace rampart::dp
