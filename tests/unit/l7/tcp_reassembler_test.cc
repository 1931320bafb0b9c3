#include "dataplane/l7/stream/tcp_reassembler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>

#include "dataplane/l7/stream/segment_pool.h"

namespace rampart::dp {
namespace {

using Ev = SegmentOutcome;
constexpr uint32_t kChunk = SegmentPool::kChunkBytes;

// Records what the consumer saw: data verbatim, a gap as '#' per byte (so
// tests read the stream as one string), and the end event.
struct Sink {
  std::string stream;
  uint32_t gap_events = 0;
  int fins = 0;
  int rsts = 0;

  static void fn(void* ctx, StreamEvent ev, const uint8_t* data, uint32_t len) {
    auto* s = static_cast<Sink*>(ctx);
    switch (ev) {
      case StreamEvent::kData:
        EXPECT_EQ(s->fins + s->rsts, 0) << "data after the end";
        s->stream.append(reinterpret_cast<const char*>(data), len);
        break;
      case StreamEvent::kGap:
        ++s->gap_events;
        s->stream.append(len, '#');
        break;
      case StreamEvent::kFin: ++s->fins; break;
      case StreamEvent::kRst: ++s->rsts; break;
    }
  }
  StreamConsumer consumer() { return StreamConsumer{&Sink::fn, this}; }
};

class Reassembly : public ::testing::Test {
 protected:
  explicit Reassembly(uint32_t pool_chunks = 64) : pool_(pool_chunks) {}

  void make(const ReassemblyConfig& cfg) { r_.emplace(cfg, pool_); }
  TcpReassembler& r() {
    if (!r_) make(ReassemblyConfig{});
    return *r_;
  }
  Ev add(TcpStream& s, Sink& k, uint32_t seq, const std::string& d, uint8_t flags = 0) {
    return r().add_segment(s, seq, reinterpret_cast<const uint8_t*>(d.data()), static_cast<uint32_t>(d.size()),
                           flags, k.consumer());
  }
  Ev add(uint32_t seq, const std::string& d, uint8_t flags = 0) { return add(s_, sink_, seq, d, flags); }
  Ev syn(uint32_t isn) { return add(isn, "", stream_flag::kSyn); }
  const ReassemblyStats& st() { return r().stats(); }

  SegmentPool pool_;
  std::optional<TcpReassembler> r_;
  TcpStream s_{};
  Sink sink_;
};

TEST_F(Reassembly, StateIsSmall) {
  EXPECT_EQ(sizeof(TcpStream), 24u);
  EXPECT_EQ(alignof(TcpStream), 4u);
}

TEST_F(Reassembly, InOrderFromSyn) {
  syn(1000);
  EXPECT_EQ(add(1001, "hello").delivered, 5u);
  EXPECT_EQ(add(1006, " world").delivered, 6u);
  EXPECT_EQ(sink_.stream, "hello world");
  EXPECT_EQ(st().delivered_bytes.get(), 11u);
  EXPECT_EQ(st().buffered_bytes.get(), 0u);
  EXPECT_EQ(st().midstream_pickups.get(), 0u);
  EXPECT_EQ(s_.ooo_head, SegmentPool::kNone);
  EXPECT_EQ(s_.hist_chunks, 1);  // history keeps the delivered bytes
  r().release(s_);
  EXPECT_EQ(pool_.in_use(), 0u);
}

TEST_F(Reassembly, SynWithDataStartsAfterIsn) {
  add(500, "tfo", stream_flag::kSyn);
  add(504, "!");
  EXPECT_EQ(sink_.stream, "tfo!");
}

TEST_F(Reassembly, MidstreamPickupStartsAtFirstSegment) {
  add(77777, "abc");
  add(77780, "def");
  EXPECT_EQ(sink_.stream, "abcdef");
  EXPECT_EQ(st().midstream_pickups.get(), 1u);
}

TEST_F(Reassembly, OutOfOrderIsBufferedThenDelivered) {
  syn(0);
  Ev a = add(7, "world");
  EXPECT_EQ(a.delivered, 0u);
  EXPECT_EQ(st().buffered_bytes.get(), 5u);
  EXPECT_EQ(pool_.in_use(), 1u);
  Ev b = add(1, "hello ");
  EXPECT_EQ(b.delivered, 11u);
  EXPECT_EQ(sink_.stream, "hello world");
  EXPECT_EQ(b.events, 0);
  EXPECT_EQ(s_.ooo_head, SegmentPool::kNone);
  r().release(s_);
  EXPECT_EQ(pool_.in_use(), 0u);
}

// Every arrival order of 4 segments, disjoint and overlapping (same bytes):
// the stream is always the same and nothing is flagged as an evasion.
TEST_F(Reassembly, EveryPermutationOfFourSegments) {
  const std::string payload = "0123456789abcdefghijklmnopqrstuv";
  struct Piece {
    uint32_t off, len;
  };
  const std::array<std::array<Piece, 4>, 2> layouts = {{
      {{{0, 8}, {8, 8}, {16, 8}, {24, 8}}},     // disjoint
      {{{0, 10}, {6, 12}, {15, 10}, {22, 10}}},  // overlapping
  }};
  for (const auto& pieces : layouts) {
    std::array<int, 4> order = {0, 1, 2, 3};
    int perms = 0;
    do {
      TcpStream s{};
      Sink k;
      add(s, k, 0xFFFFFFF0u, "", stream_flag::kSyn);  // crosses 2^32 as well
      for (int i : order)
        add(s, k, 0xFFFFFFF1u + pieces[i].off, payload.substr(pieces[i].off, pieces[i].len));
      EXPECT_EQ(k.stream, payload) << "order " << order[0] << order[1] << order[2] << order[3];
      r().release(s);
      EXPECT_EQ(pool_.in_use(), 0u);
      ++perms;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(perms, 24);
  }
  EXPECT_EQ(st().overlaps_different.get(), 0u);
  EXPECT_EQ(st().overlaps_unverified.get(), 0u);
}

TEST_F(Reassembly, ExactRetransmissionIsNotAnAnomaly) {
  syn(10);
  add(11, "GET / HTTP/1.1\r\n");
  Ev e = add(11, "GET / HTTP/1.1\r\n");
  EXPECT_EQ(e.events, Ev::kRetransmit);
  EXPECT_EQ(e.delivered, 0u);
  EXPECT_EQ(sink_.stream, "GET / HTTP/1.1\r\n");
  EXPECT_EQ(st().retransmits.get(), 1u);
  EXPECT_EQ(st().overlaps_different.get(), 0u);
}

TEST_F(Reassembly, RetransmissionOfBufferedSegment) {
  syn(10);
  add(20, "later");
  EXPECT_EQ(add(20, "later").events, Ev::kRetransmit);
  EXPECT_EQ(pool_.in_use(), 1u);
  EXPECT_EQ(st().buffered_bytes.get(), 5u);
}

TEST_F(Reassembly, PartialOverlapWithSameBytes) {
  syn(0);
  add(1, "hello");
  Ev e = add(3, "llo world");
  EXPECT_EQ(e.events, Ev::kOverlapSame);
  EXPECT_EQ(e.delivered, 6u);
  EXPECT_EQ(sink_.stream, "hello world");
  EXPECT_EQ(st().overlaps_same.get(), 1u);
}

// Ptacek & Newsham: the IDS saw "safe", the host may see "evil". Inline
// (the default) the contradicting segment is refused whole, its new bytes
// too, and the caller told to drop it: the host can only get "safe".
TEST_F(Reassembly, OverlapWithDeliveredDataDifferentIsRefusedInline) {
  syn(0);
  add(1, "GET /safe");
  Ev e = add(1, "GET /evil HTTP");
  EXPECT_TRUE(e.events & Ev::kOverlapDifferent);
  EXPECT_TRUE(e.drop);
  EXPECT_EQ(e.delivered, 0u);
  EXPECT_EQ(sink_.stream, "GET /safe");
  EXPECT_EQ(st().overlaps_different.get(), 1u);
  EXPECT_EQ(st().conflicts_refused.get(), 1u);
  EXPECT_EQ(st().retransmits.get(), 0u);
  // The sender's real continuation still goes through.
  Ev f = add(10, " HTTP");
  EXPECT_FALSE(f.drop);
  EXPECT_EQ(sink_.stream, "GET /safe HTTP");
}

TEST_F(Reassembly, OverlapWithBufferedDataDifferentIsRefusedInline) {
  syn(0);
  add(5, "BBBB");             // [5,9)
  Ev e = add(3, "xxXXXXyy");  // [3,11): 2 new, 4 conflicting, 2 new
  EXPECT_TRUE(e.events & Ev::kOverlapDifferent);
  EXPECT_TRUE(e.drop);
  add(1, "aa");
  EXPECT_EQ(sink_.stream, "aa") << "nothing of the refused segment was taken";
  add(3, "xx");
  add(9, "yy");
  EXPECT_EQ(sink_.stream, "aaxxBBBByy");
  EXPECT_EQ(st().conflicts_refused.get(), 1u);
  r().release(s_);
  EXPECT_EQ(pool_.in_use(), 0u);
}

// A FIN riding on a refused segment is not taken either.
TEST_F(Reassembly, RefusedConflictCarriesNoFin) {
  syn(0);
  add(1, "abcd");
  Ev e = add(1, "abXd", stream_flag::kFin);
  EXPECT_TRUE(e.drop);
  EXPECT_EQ(sink_.fins, 0);
  add(5, "ef", stream_flag::kFin);
  EXPECT_EQ(sink_.fins, 1);
  EXPECT_EQ(sink_.stream, "abcdef");
}

// Passive (no packet can be dropped): first data wins, the conflict is
// counted and flagged, and the segment's new bytes still fill holes.
TEST_F(Reassembly, OverlapWithDeliveredDataDifferentFirstWinsPassive) {
  ReassemblyConfig cfg;
  cfg.refuse_conflicts = false;
  make(cfg);
  syn(0);
  add(1, "GET /safe");
  Ev e = add(1, "GET /evil HTTP");
  EXPECT_TRUE(e.events & Ev::kOverlapDifferent);
  EXPECT_FALSE(e.drop);
  EXPECT_EQ(sink_.stream, "GET /safe HTTP");
  EXPECT_EQ(st().overlaps_different.get(), 1u);
  EXPECT_EQ(st().conflicts_refused.get(), 0u);
}

TEST_F(Reassembly, OverlapWithBufferedDataDifferentFirstWinsPassive) {
  ReassemblyConfig cfg;
  cfg.refuse_conflicts = false;
  make(cfg);
  syn(0);
  add(5, "BBBB");             // [5,9)
  Ev e = add(3, "xxXXXXyy");  // [3,11): 2 new, 4 conflicting, 2 new
  EXPECT_TRUE(e.events & Ev::kOverlapDifferent);
  add(1, "aa");
  EXPECT_EQ(sink_.stream, "aaxxBBBByy");
  EXPECT_EQ(st().overlaps_different.get(), 1u);
  r().release(s_);
  EXPECT_EQ(pool_.in_use(), 0u);
}

// A stream started at a known next byte (the handshake's ISN + 1) takes a
// first segment that arrives out of order as out of order, not as its start.
TEST_F(Reassembly, StartAtKnownSequenceBuffersEarlyLaterSegment) {
  r().start(s_, 1001);
  add(1005, "EFGH");
  EXPECT_EQ(sink_.stream, "");
  add(1001, "ABCD");
  EXPECT_EQ(sink_.stream, "ABCDEFGH");
  EXPECT_EQ(st().midstream_pickups.get(), 0u);
}

TEST_F(Reassembly, OverlapBeyondHistoryIsUnverified) {
  ReassemblyConfig cfg;
  cfg.history_chunks = 0;
  make(cfg);
  syn(0);
  add(1, "abcdef");
  EXPECT_EQ(pool_.in_use(), 0u);
  Ev e = add(1, "XXXdef");
  EXPECT_EQ(e.events, Ev::kOverlapUnverified);
  EXPECT_EQ(st().overlaps_unverified.get(), 1u);
  EXPECT_EQ(sink_.stream, "abcdef");
}

TEST_F(Reassembly, SequenceWraparound) {
  syn(0xFFFFFFFAu);                       // data starts at 0xFFFFFFFB
  add(0x00000001u, "ghij");               // past 2^32, out of order
  add(0xFFFFFFFBu, "abc");
  add(0xFFFFFFFEu, "def");                // crosses 2^32
  EXPECT_EQ(sink_.stream, "abcdefghij");
  EXPECT_EQ(s_.next_seq, 0x00000005u);
  EXPECT_EQ(add(0xFFFFFFFEu, "dXf").events, Ev::kOverlapDifferent);  // history across the wrap
  EXPECT_EQ(st().out_of_window.get(), 0u);
}

TEST_F(Reassembly, FarFutureAndFarPastAreOutOfWindow) {
  ReassemblyConfig cfg;
  cfg.window_bytes = 64 * 1024;
  make(cfg);
  syn(1000);
  Ev e = add(1001 + 64 * 1024, "x");
  EXPECT_EQ(e.events, Ev::kOutOfWindow);
  EXPECT_TRUE(e.drop);
  EXPECT_EQ(add(1001 - 70000, "old").events, Ev::kOutOfWindow);
  EXPECT_EQ(add(1001 + 64 * 1024 - 1, "y").events, 0);  // last byte inside: buffered
  EXPECT_EQ(st().out_of_window.get(), 2u);
  EXPECT_EQ(pool_.in_use(), 1u);
}

// kDropSegment (inline default): at the per-flow cap the segment is refused
// and the packet should be dropped; the in-order hole still gets through
// without memory, and the refused segment arrives again as a retransmission.
TEST_F(Reassembly, PerFlowCapDropPolicy) {
  ReassemblyConfig cfg;
  cfg.flow_cap_bytes = 2 * kChunk;
  cfg.history_chunks = 0;
  make(cfg);
  const std::string a(kChunk, 'a'), b(kChunk, 'b'), c(kChunk, 'c'), d(kChunk, 'd');
  syn(0);
  add(1 + kChunk, b);
  add(1 + 2 * kChunk, c);
  EXPECT_EQ(s_.chunks, 2);
  Ev e = add(1 + 3 * kChunk, d);
  EXPECT_TRUE(e.drop);
  EXPECT_TRUE(e.events & Ev::kCapHit);
  EXPECT_EQ(st().cap_hits.get(), 1u);
  EXPECT_EQ(st().segments_refused.get(), 1u);
  add(1, a);  // the hole: delivered directly, then b and c drain
  add(1 + 3 * kChunk, d);
  EXPECT_EQ(sink_.stream, a + b + c + d);
  EXPECT_EQ(sink_.gap_events, 0u);
  r().release(s_);
  EXPECT_EQ(pool_.in_use(), 0u);
}

// kSkipGap (passive): at the cap the oldest hole is skipped, the consumer is
// told, and what was buffered goes through.
TEST_F(Reassembly, PerFlowCapSkipGapPolicy) {
  ReassemblyConfig cfg;
  cfg.flow_cap_bytes = 2 * kChunk;
  cfg.history_chunks = 0;
  cfg.on_cap = CapPolicy::kSkipGap;
  make(cfg);
  const std::string b(kChunk, 'b'), c(kChunk, 'c'), e(100, 'e');
  syn(0);
  add(101, b);
  add(101 + kChunk, c);
  Ev r1 = add(101 + 2 * kChunk + 50, e);  // its own hole of 50 after c
  EXPECT_FALSE(r1.drop);
  EXPECT_TRUE(r1.events & Ev::kCapHit);
  EXPECT_TRUE(r1.events & Ev::kGap);
  EXPECT_EQ(sink_.stream, std::string(100, '#') + b + c);  // e stays buffered behind its hole
  EXPECT_EQ(st().gaps.get(), 1u);
  EXPECT_EQ(st().gap_bytes.get(), 100u);
  r().flush(s_, sink_.consumer());
  EXPECT_EQ(sink_.stream, std::string(100, '#') + b + c + std::string(50, '#') + e);
  EXPECT_EQ(st().gaps.get(), 2u);
  add(1, std::string(100, 'z'));  // the lost bytes arrive late: old data, not compared
  EXPECT_EQ(st().overlaps_unverified.get(), 1u);
  r().release(s_);
  EXPECT_EQ(pool_.in_use(), 0u);
}

TEST_F(Reassembly, HistoryIsRecycledBeforeTheCapIsHit) {
  ReassemblyConfig cfg;
  cfg.flow_cap_bytes = 2 * kChunk;
  cfg.history_chunks = 2;
  make(cfg);
  syn(0);
  add(1, std::string(3 * kChunk, 'h'));
  EXPECT_EQ(s_.hist_chunks, 2);
  Ev e = add(1 + 4 * kChunk, "x");  // needs a chunk: takes the oldest history one
  EXPECT_EQ(e.events, 0);
  EXPECT_EQ(s_.hist_chunks, 1);
  EXPECT_EQ(s_.chunks, 2);
  EXPECT_EQ(st().cap_hits.get(), 0u);
}

class SmallPool : public Reassembly {
 protected:
  SmallPool() : Reassembly(2) {}
};

TEST_F(SmallPool, GlobalPoolExhaustion) {
  ReassemblyConfig cfg;
  cfg.history_chunks = 0;
  make(cfg);
  TcpStream a{}, b{};
  Sink ka, kb;
  add(a, ka, 0, "", stream_flag::kSyn);
  add(b, kb, 0, "", stream_flag::kSyn);
  add(a, ka, 100, "a1");
  add(a, ka, 5000, "a2");
  EXPECT_EQ(pool_.in_use(), 2u);
  Ev e = add(b, kb, 100, "b1");
  EXPECT_TRUE(e.drop);
  EXPECT_TRUE(e.events & Ev::kPoolExhausted);
  EXPECT_EQ(st().pool_exhausted.get(), 1u);
  EXPECT_EQ(pool_.alloc_failures(), 1u);
  EXPECT_EQ(add(b, kb, 1, "in order needs no memory").delivered, 24u);
  r().release(a);
  EXPECT_EQ(pool_.in_use(), 0u);
  EXPECT_FALSE(add(b, kb, 100, "b1").drop);
  EXPECT_EQ(pool_.high_water(), 2u);
  r().release(b);
  EXPECT_EQ(pool_.in_use(), 0u);
}

TEST_F(Reassembly, PeerAckSkipsAHoleThatWillNeverFill) {
  syn(0);
  add(1, "abc");
  add(10, "jkl");  // 4..9 lost on a path we did not see
  EXPECT_EQ(r().peer_ack(s_, 13, sink_.consumer()).events, Ev::kGap);
  EXPECT_EQ(sink_.stream, "abc######jkl");
  EXPECT_EQ(st().gap_bytes.get(), 6u);
  EXPECT_EQ(r().peer_ack(s_, 13, sink_.consumer()).events, 0);  // nothing left to skip
}

TEST_F(Reassembly, FlushDeliversWhatIsLeftWithGaps) {
  syn(0);
  add(5, "tail");
  r().flush(s_, sink_.consumer());
  EXPECT_EQ(sink_.stream, "####tail");
  EXPECT_EQ(sink_.fins, 0);
  r().release(s_);
  EXPECT_EQ(pool_.in_use(), 0u);
}

TEST_F(Reassembly, FinIsDeliveredAfterTheLastByte) {
  syn(0);
  add(6, "world", stream_flag::kFin);  // FIN at 11, arrives before the middle
  EXPECT_EQ(sink_.fins, 0);
  add(1, "hello");
  EXPECT_EQ(sink_.stream, "helloworld");
  EXPECT_EQ(sink_.fins, 1);
  EXPECT_EQ(pool_.in_use(), 0u);  // a closed stream holds nothing
  EXPECT_EQ(add(1, "hello").events, Ev::kAfterClose);
  EXPECT_EQ(st().after_close.get(), 1u);
}

TEST_F(Reassembly, BytesBeyondTheFinAreIgnored) {
  syn(0);
  add(4, "", stream_flag::kFin);  // FIN at 4: stream is bytes 1..3
  Ev e = add(1, "abcdef");
  EXPECT_TRUE(e.events & Ev::kBeyondFin);
  EXPECT_EQ(sink_.stream, "abc");
  EXPECT_EQ(sink_.fins, 1);
  EXPECT_EQ(st().beyond_fin.get(), 1u);
}

TEST_F(Reassembly, ConflictingFinFirstWins) {
  syn(0);
  add(10, "xy");
  EXPECT_EQ(add(5, "", stream_flag::kFin).events, Ev::kFinMismatch);  // before buffered bytes
  add(12, "", stream_flag::kFin);
  EXPECT_EQ(add(20, "", stream_flag::kFin).events & Ev::kFinMismatch, Ev::kFinMismatch);
  add(1, "123456789");
  EXPECT_EQ(sink_.stream, "123456789xy");
  EXPECT_EQ(sink_.fins, 1);
  EXPECT_EQ(st().fin_mismatch.get(), 2u);
}

TEST_F(Reassembly, RstInWindowEndsTheStreamAndDiscards) {
  syn(0);
  add(1, "ab");
  add(10, "buffered");
  Ev e = add(3, "", stream_flag::kRst);
  EXPECT_EQ(sink_.rsts, 1);
  EXPECT_EQ(e.delivered, 0u);
  EXPECT_EQ(st().discarded_bytes.get(), 8u);
  EXPECT_EQ(pool_.in_use(), 0u);
  EXPECT_EQ(add(3, "c").events, Ev::kAfterClose);
}

TEST_F(Reassembly, BlindRstOutsideTheWindowIsIgnored) {
  syn(0);
  add(1, "ab");
  EXPECT_EQ(add(0x80000000u, "", stream_flag::kRst).events, Ev::kRstIgnored);
  EXPECT_EQ(add(1, "", stream_flag::kRst).events, Ev::kRstIgnored);  // behind next_seq
  EXPECT_EQ(sink_.rsts, 0);
  add(3, "c");
  EXPECT_EQ(sink_.stream, "abc");
  EXPECT_EQ(st().rst_ignored.get(), 2u);
}

TEST_F(Reassembly, ReleaseReturnsEveryChunk) {
  syn(0);
  add(1, std::string(5000, 'x'));            // history
  add(10001, std::string(3 * kChunk, 'y'));  // out of order
  EXPECT_GT(pool_.in_use(), 3u);
  EXPECT_EQ(pool_.in_use(), s_.chunks);
  r().release(s_);
  EXPECT_EQ(pool_.in_use(), 0u);
  EXPECT_EQ(s_.chunks, 0);
  EXPECT_EQ(st().discarded_bytes.get(), 3u * kChunk);
  TcpStream never{};  // zeroed, never used: nothing to free
  r().release(never);
  EXPECT_EQ(pool_.in_use(), 0u);
}

TEST(SegmentPool, CountsUseHighWaterAndFailures) {
  SegmentPool p(3);
  EXPECT_EQ(p.capacity(), 3u);
  uint32_t a = p.alloc(), b = p.alloc(), c = p.alloc();
  EXPECT_NE(a, SegmentPool::kNone);
  EXPECT_NE(b, SegmentPool::kNone);
  EXPECT_NE(c, SegmentPool::kNone);
  EXPECT_EQ(p.alloc(), SegmentPool::kNone);
  EXPECT_EQ(p.alloc_failures(), 1u);
  EXPECT_EQ(p.in_use(), 3u);
  p.free(b);
  p.free(a);
  EXPECT_EQ(p.in_use(), 1u);
  EXPECT_EQ(p.in_use_published(), 1u);
  EXPECT_EQ(p.high_water(), 3u);
  EXPECT_EQ(p.available(), 2u);
  std::memset(p.data(c), 0x5a, SegmentPool::kChunkBytes);  // whole chunk writable
  p.free(c);
  EXPECT_EQ(p.in_use(), 0u);
}

}  // namespace
}  // namespace rampart::dp

namespace rampart::dp {
namespace {

// Tiny segments in reverse order: each is prepended to the chunk it ends
// at, so 4 KiB arriving backwards in 8-byte pieces takes 2 chunks, not 512,
// and never reaches the per-flow cap (32 chunks).
TEST(ReassemblyPacking, ReverseOrderTinySegmentsShareChunks) {
  SegmentPool pool(64);
  TcpReassembler r(ReassemblyConfig{}, pool);
  TcpStream s{};
  std::string got;
  auto fn = [](void* ctx, StreamEvent ev, const uint8_t* d, uint32_t n) {
    if (ev == StreamEvent::kData) static_cast<std::string*>(ctx)->append(reinterpret_cast<const char*>(d), n);
  };
  const StreamConsumer out{fn, &got};
  r.start(s, 1);
  std::string msg(4096, 'a');
  for (std::size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<char>('a' + i % 26);
  for (std::size_t off = msg.size(); off > 8; off -= 8) {
    const SegmentOutcome o =
        r.add_segment(s, static_cast<uint32_t>(1 + off - 8), reinterpret_cast<const uint8_t*>(msg.data() + off - 8), 8,
                      0, out);
    EXPECT_FALSE(o.drop) << "offset " << off;
  }
  EXPECT_LE(s.chunks, 3u);
  EXPECT_EQ(r.stats().cap_hits.get(), 0u);
  r.add_segment(s, 1, reinterpret_cast<const uint8_t*>(msg.data()), 8, 0, out);
  EXPECT_EQ(got, msg);
  r.release(s);
  EXPECT_EQ(pool.in_use(), 0u);
}

// At the cap, out-of-order chunks that became adjacent are packed, so a
// stream that filled its gaps keeps taking data.
TEST(ReassemblyPacking, AdjacentChunksAreCollapsedAtTheCap) {
  SegmentPool pool(64);
  ReassemblyConfig cfg;
  cfg.flow_cap_bytes = 4 * SegmentPool::kChunkBytes;
  cfg.history_chunks = 0;
  TcpReassembler r(cfg, pool);
  TcpStream s{};
  std::string got;
  auto fn = [](void* ctx, StreamEvent ev, const uint8_t* d, uint32_t n) {
    if (ev == StreamEvent::kData) static_cast<std::string*>(ctx)->append(reinterpret_cast<const char*>(d), n);
  };
  const StreamConsumer out{fn, &got};
  r.start(s, 1);
  const std::string x(16, 'x');
  auto add = [&](uint32_t off) {
    return r.add_segment(s, 1 + off, reinterpret_cast<const uint8_t*>(x.data()), 16, 0, out);
  };
  // 16-byte pieces at 100, 132, 164, 196: four chunks, the cap.
  for (uint32_t k = 0; k < 4; ++k) EXPECT_FALSE(add(100 + 32 * k).drop);
  EXPECT_EQ(s.chunks, 4u);
  // The gaps at 116 and 148 fill (topping up the chunk before each), so
  // the pieces are adjacent; the next piece elsewhere collapses them.
  EXPECT_FALSE(add(116).drop);
  EXPECT_FALSE(add(148).drop);
  EXPECT_FALSE(add(400).drop) << "room made by packing adjacent chunks";
  EXPECT_GE(r.stats().collapsed_chunks.get(), 1u);
  EXPECT_EQ(r.stats().cap_hits.get(), 0u);
  r.release(s);
  EXPECT_EQ(pool.in_use(), 0u);
}

}  // namespace
}  // namespace rampart::dp
