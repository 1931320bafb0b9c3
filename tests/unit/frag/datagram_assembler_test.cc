#include "dataplane/frag/datagram_assembler.h"

#include <rte_mbuf.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "dataplane/parse/packet_parser.h"
#include "dataplane/stats/worker_stats.h"
#include "tests/unit/packet_builder.h"

namespace rampart::dp {
namespace {

// Fragments of a TCP datagram are fed to a FragmentTracker in some order;
// the assembled datagram must be byte for byte the frame the sender would
// have sent unfragmented, and parse like it.
class DatagramAssemblerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pool_ = rte_pktmbuf_pool_create("dgram_test_pool", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    ASSERT_NE(pool_, nullptr);
  }
  void SetUp() override {
    auto t = FragmentTracker::create(("da" + std::to_string(++seq_)).c_str(), FragConfig{}, 99, 0,
                                     stats_.drops.data());
    ASSERT_TRUE(t.ok());
    tracker_ = std::move(*t);
    out_ = std::make_unique<uint8_t[]>(kMaxAssembledBytes);
  }

  // The whole frame `f` describes, and its fragments: the L4 part (TCP
  // header + payload) cut at `cuts` (byte offsets, multiples of 8).
  static std::vector<test::Bytes> fragments(test::Frame f, const std::vector<uint16_t>& cuts) {
    test::Frame whole = f;
    const test::Bytes full = whole.build();
    const std::size_t l4_at = full.size() - (20 + f.payload.size());
    const test::Bytes l4(full.begin() + static_cast<long>(l4_at), full.end());
    std::vector<test::Bytes> out;
    std::vector<uint16_t> edges = cuts;
    edges.insert(edges.begin(), 0);
    edges.push_back(static_cast<uint16_t>(l4.size()));
    for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
      test::Frame g = f;
      g.v6_fragment = f.family == 6;
      g.frag_offset = edges[i];
      g.more_fragments = i + 2 < edges.size();
      g.l4_override.assign(l4.begin() + edges[i], l4.begin() + edges[i + 1]);
      out.push_back(g.build());
    }
    return out;
  }

  // Feeds frames in the given order; returns the assembled frame (empty if
  // the datagram did not complete).
  test::Bytes assemble(const std::vector<test::Bytes>& frames, const std::vector<std::size_t>& order) {
    for (std::size_t k : order) {
      const test::Bytes& b = frames[k];
      rte_mbuf* m = rte_pktmbuf_alloc(pool_);
      EXPECT_NE(m, nullptr);
      std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(b.size())), b.data(), b.size());
      PacketMeta meta;
      EXPECT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), meta),
                DropReason::kNone);
      int32_t slot = -1;
      if (tracker_->add(m, meta, 0, &slot) != FragmentTracker::Outcome::kComplete) continue;
      FragmentTracker::Datagram& d = tracker_->datagram(slot);
      DropReason why = DropReason::kNone;
      const uint32_t n = assemble_datagram(d, out_.get(), &why);
      EXPECT_EQ(why, DropReason::kNone);
      for (uint32_t i = 0; i < d.count; ++i) rte_pktmbuf_free(d.frags[i].mbuf);
      tracker_->release(slot);
      return test::Bytes(out_.get(), out_.get() + n);
    }
    return {};
  }

  static inline rte_mempool* pool_ = nullptr;
  static inline int seq_ = 0;
  WorkerStats stats_;
  std::unique_ptr<FragmentTracker> tracker_;
  std::unique_ptr<uint8_t[]> out_;
};

test::Frame request(int family) {
  test::Frame f;
  f.family = family;
  if (family == 6) {
    f.src = "2001:db8::1";
    f.dst = "2001:db8::2";
  }
  f.tcp_flags = 0x18;
  f.frag_id = 0x1234;
  const std::string req = "GET /static/%2e%2e/etc/passwd HTTP/1.1\r\nHost: shop.test\r\n\r\n";
  f.payload.assign(req.begin(), req.end());
  return f;
}

TEST_F(DatagramAssemblerTest, Ipv4InAnyOrderIsTheUnfragmentedFrame) {
  test::Frame f = request(4);
  f.ipv4_options = {0x94, 0x04, 0x00, 0x00};  // router alert: kept from the first fragment
  const test::Bytes whole = f.build();
  const auto frames = fragments(f, {24, 48});
  EXPECT_EQ(assemble(frames, {0, 1, 2}), whole);
  EXPECT_EQ(assemble(frames, {2, 1, 0}), whole);
  EXPECT_EQ(assemble(frames, {1, 2, 0}), whole);
}

TEST_F(DatagramAssemblerTest, Ipv4TcpHeaderSplitAcrossFragments) {
  const test::Frame f = request(4);
  const test::Bytes whole = f.build();
  const test::Bytes got = assemble(fragments(f, {8, 16}), {1, 0, 2});
  ASSERT_EQ(got, whole);
  PacketMeta m;
  ASSERT_EQ(parse_packet(got.data(), static_cast<uint32_t>(std::min<std::size_t>(got.size(), kMaxHeaderBytes)),
                         static_cast<uint32_t>(got.size()), m),
            DropReason::kNone);
  EXPECT_FALSE(m.is_fragment);
  EXPECT_EQ(m.dst_port, 80);
  EXPECT_EQ(m.payload_len, f.payload.size());
}

TEST_F(DatagramAssemblerTest, Ipv6FragmentHeaderLeavesTheChain) {
  test::Frame f = request(6);
  f.v6_ext = {0, 60};  // hop-by-hop, destination options: unfragmentable part
  const test::Bytes whole = f.build();
  const auto frames = fragments(f, {32});
  EXPECT_EQ(assemble(frames, {1, 0}), whole);
  test::Frame g = request(6);  // no extension header: the base header names 44
  EXPECT_EQ(assemble(fragments(g, {24, 48}), {0, 2, 1}), g.build());
}

}  // namespace
}  // namespace rampart::dp
