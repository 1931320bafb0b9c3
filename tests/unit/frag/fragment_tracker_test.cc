#include "dataplane/frag/fragment_tracker.h"

#include <rte_mbuf.h>

#include <gtest/gtest.h>

#include <array>

#include "dataplane/parse/packet_parser.h"
#include "dataplane/stats/worker_stats.h"
#include "tests/unit/packet_builder.h"

namespace rampart::dp {
namespace {

using Outcome = FragmentTracker::Outcome;

class FragmentTrackerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pool_ = rte_pktmbuf_pool_create("frag_test_pool", 4096, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    ASSERT_NE(pool_, nullptr);
  }
  void SetUp() override { make(FragConfig{}); }
  void make(const FragConfig& cfg) {
    tracker_.reset();
    auto t = FragmentTracker::create(("ft" + std::to_string(++seq_)).c_str(), cfg, 1234, 0, stats_.drops.data());
    ASSERT_TRUE(t.ok());
    tracker_ = std::move(*t);
  }
  // One IPv4 UDP fragment: offset in bytes, `len` payload bytes of `fill`.
  Outcome add(uint16_t offset, uint16_t len, bool more, uint64_t now = 0, uint8_t fill = 0xab, uint32_t id = 7,
              bool tiny_first = false) {
    test::Frame f{.proto = 17, .sport = 5000, .dport = 53, .frag_offset = offset, .more_fragments = more, .frag_id = id};
    if (offset == 0 && !tiny_first) {
      f.payload = test::Bytes(len - 8u, fill);
    } else {
      f.l4_override = test::Bytes(len, fill);
    }
    const auto b = f.build();
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    EXPECT_NE(m, nullptr);
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(b.size())), b.data(), b.size());
    PacketMeta meta;
    EXPECT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), meta),
              DropReason::kNone);
    EXPECT_TRUE(meta.is_fragment);
    int32_t slot = -1;
    const Outcome o = tracker_->add(m, meta, now, &slot);
    if (o == Outcome::kComplete) {
      last_complete_count_ = tracker_->datagram(slot).count;
      last_first_dport_ = tracker_->datagram(slot).first.dst_port;
      for (uint32_t i = 0; i < tracker_->datagram(slot).count; ++i) {
        rte_pktmbuf_free(tracker_->datagram(slot).frags[i].mbuf);
      }
      tracker_->release(slot);
    }
    if (o == Outcome::kForwardUnchecked) rte_pktmbuf_free(m);
    return o;
  }
  uint64_t drops(DropReason r) const { return stats_.drops[static_cast<std::size_t>(r)].get(); }

  static inline rte_mempool* pool_ = nullptr;
  static inline int seq_ = 0;
  WorkerStats stats_;
  std::unique_ptr<FragmentTracker> tracker_;
  uint32_t last_complete_count_ = 0;
  uint16_t last_first_dport_ = 0;
};

TEST_F(FragmentTrackerTest, InOrderCompletes) {
  EXPECT_EQ(add(0, 24, true), Outcome::kHeld);
  EXPECT_EQ(add(24, 24, true), Outcome::kHeld);
  EXPECT_EQ(add(48, 10, false), Outcome::kComplete);
  EXPECT_EQ(last_complete_count_, 3u);
  EXPECT_EQ(last_first_dport_, 53);
  EXPECT_EQ(tracker_->active(), 0u);
  EXPECT_EQ(tracker_->held_bytes(), 0u);
}

TEST_F(FragmentTrackerTest, OutOfOrderCompletes) {
  EXPECT_EQ(add(48, 10, false), Outcome::kHeld);
  EXPECT_EQ(add(24, 24, true), Outcome::kHeld);
  EXPECT_EQ(add(0, 24, true), Outcome::kComplete);
  EXPECT_EQ(last_first_dport_, 53);
}

TEST_F(FragmentTrackerTest, OverlapDropsTheWholeDatagramAndLaterPieces) {
  EXPECT_EQ(add(0, 24, true), Outcome::kHeld);
  EXPECT_EQ(add(16, 16, true), Outcome::kDropped);  // overlaps bytes 16..24
  EXPECT_EQ(drops(DropReason::kFragOverlap), 2u);
  EXPECT_EQ(add(32, 8, false), Outcome::kDropped);  // the datagram is poisoned
  EXPECT_EQ(drops(DropReason::kFragOverlap), 3u);
  EXPECT_EQ(tracker_->held_bytes(), 0u);
}

// RFC 1858 tiny fragments: an IPv4 datagram whose first fragment holds
// only part of the TCP header completes (the worker judges the rebuilt
// datagram, as the receiving stack does); the same over IPv6 is refused
// (RFC 8200 4.5: the first fragment must hold the upper-layer header).
TEST_F(FragmentTrackerTest, TinyFirstFragmentCompletesOverIpv4AndIsRefusedOverIpv6) {
  EXPECT_EQ(add(8, 16, false), Outcome::kHeld);
  EXPECT_EQ(add(0, 8, true), Outcome::kComplete)
      << "an 8-byte first fragment holds a complete UDP header";
  for (const int family : {4, 6}) {
    const std::string src = family == 4 ? "198.18.0.1" : "2001:db8::1";
    const std::string dst = family == 4 ? "198.18.0.2" : "2001:db8::2";
    // TCP needs 20 bytes: 8 are not enough.
    test::Frame f{.family = family, .src = src, .dst = dst, .proto = 6, .v6_fragment = family == 6,
                  .more_fragments = true, .frag_id = 99, .l4_override = test::Bytes(8, 0)};
    const auto b = f.build();
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(b.size())), b.data(), b.size());
    PacketMeta meta;
    ASSERT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), meta),
              DropReason::kNone);
    int32_t slot = -1;
    EXPECT_EQ(tracker_->add(m, meta, 0, &slot), Outcome::kHeld);
    test::Frame g{.family = family, .src = src, .dst = dst, .proto = 6, .v6_fragment = family == 6,
                  .frag_offset = 8, .frag_id = 99, .l4_override = test::Bytes(32, 0)};
    const auto c = g.build();
    rte_mbuf* n = rte_pktmbuf_alloc(pool_);
    std::memcpy(rte_pktmbuf_append(n, static_cast<uint16_t>(c.size())), c.data(), c.size());
    ASSERT_EQ(parse_packet(c.data(), static_cast<uint32_t>(c.size()), static_cast<uint32_t>(c.size()), meta),
              DropReason::kNone);
    if (family == 4) {
      ASSERT_EQ(tracker_->add(n, meta, 0, &slot), Outcome::kComplete);
      EXPECT_EQ(tracker_->datagram(slot).count, 2u);
      for (uint32_t i = 0; i < tracker_->datagram(slot).count; ++i) {
        rte_pktmbuf_free(tracker_->datagram(slot).frags[i].mbuf);
      }
      tracker_->release(slot);
    } else {
      EXPECT_EQ(tracker_->add(n, meta, 0, &slot), Outcome::kDropped);
    }
  }
  EXPECT_EQ(drops(DropReason::kFragTinyFirst), 2u) << "both IPv6 fragments";
}

TEST_F(FragmentTrackerTest, IncompleteDatagramTimesOut) {
  EXPECT_EQ(add(0, 24, true, 1'000), Outcome::kHeld);
  tracker_->expire_some(1'000 + 29'000'000'000ull, 10000);
  EXPECT_EQ(drops(DropReason::kFragTimeout), 0u);
  tracker_->expire_some(1'000 + 31'000'000'000ull, 10000);
  EXPECT_EQ(drops(DropReason::kFragTimeout), 1u);
  EXPECT_EQ(tracker_->active(), 0u);
}

TEST_F(FragmentTrackerTest, MemcapFailClosedAndFailOpen) {
  FragConfig cfg;
  cfg.memcap_bytes = 3 * RTE_MBUF_DEFAULT_BUF_SIZE;  // room for three fragments
  make(cfg);
  for (uint32_t id = 1; id <= 3; ++id) EXPECT_EQ(add(0, 24, true, 0, 0xab, id), Outcome::kHeld);
  EXPECT_EQ(add(0, 24, true, 0, 0xab, 4), Outcome::kDropped);
  EXPECT_EQ(drops(DropReason::kFragMemcap), 1u);
  tracker_->flush();
  EXPECT_EQ(drops(DropReason::kFragTimeout), 3u);

  cfg.forward_on_memcap = true;
  make(cfg);
  for (uint32_t id = 1; id <= 3; ++id) EXPECT_EQ(add(0, 24, true, 0, 0xab, id), Outcome::kHeld);
  EXPECT_EQ(add(0, 24, true, 0, 0xab, 4), Outcome::kForwardUnchecked);
  EXPECT_EQ(tracker_->memcap_bypassed(), 1u);
  tracker_->flush();
}

TEST_F(FragmentTrackerTest, SecondLastFragmentWithOtherEndIsBadLength) {
  EXPECT_EQ(add(24, 8, false), Outcome::kHeld);
  EXPECT_EQ(add(40, 8, false), Outcome::kDropped);
  EXPECT_EQ(drops(DropReason::kFragBadLength), 2u);
}

}  // namespace
}  // namespace rampart::dp
