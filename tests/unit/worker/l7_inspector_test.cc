// L7Inspector on its own (real Hyperscan, real DPDK rings): what inline
// blocking must never depend on, and how slots are taken and given back.

#include "dataplane/worker/l7_inspector.h"

#include <gtest/gtest.h>

#include <string>

#include "controlplane/compiler/signature_compiler.h"
#include "controlplane/compiler/signature_parser.h"

namespace rampart::dp {
namespace {

constexpr uint8_t kClient[16] = {198, 18, 0, 1};
constexpr uint8_t kServer[16] = {198, 18, 0, 2};
const std::string kAttack = "GET /files/etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n";
const std::string kBenign = "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n";

class L7InspectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cp::SignatureSet set;
    cp::parse_signatures(
        "drop http any any -> any any (msg:\"t\"; flow:to_server; http.uri; content:\"/etc/passwd\"; sid:1;)\n",
        "t.rules", cp::SignatureVars::defaults(), set);
    ASSERT_TRUE(set.errors.empty() && set.unsupported.empty());
    auto compiled = cp::compile_signatures(std::move(set.signatures), {});
    ASSERT_TRUE(compiled.ok());
    auto m = SignatureMatcher::build(std::move(*compiled));
    ASSERT_TRUE(m.ok());
    matcher_ = std::move(*m);
  }
  void make(const L7Config& cfg) {
    auto l = L7Inspector::create(++worker_, cfg, matcher_.get(), 0);
    ASSERT_TRUE(l.ok()) << l.error().message;
    l7_ = std::move(*l);
  }
  // One client segment of flow `id` at stream offset `off` (ISN 1000).
  L7Verdict send(int32_t slot, uint64_t id, uint32_t off, const std::string& data, uint64_t now = 0,
                 bool* released = nullptr) {
    PacketMeta m{};
    m.tcp_flags = 0x18;
    m.tcp_seq = 1001 + off;
    const L7FlowInfo info{kClient, kServer, static_cast<uint16_t>(40000 + id), 80, 4, 0, id, now, 0};
    bool r = false;
    const L7Verdict v = l7_->on_segment(slot, m, reinterpret_cast<const uint8_t*>(data.data()),
                                        static_cast<uint32_t>(data.size()), true, info, released ? released : &r);
    return v;
  }
  int32_t attach(uint32_t owner, uint64_t now = 0, SlotEviction* ev = nullptr) {
    SlotEviction e;
    return l7_->attach(owner, StreamStart{{1001, 5001}, 3, false}, now, ev ? ev : &e);
  }

  static inline uint16_t worker_ = 100;
  std::unique_ptr<SignatureMatcher> matcher_;
  std::unique_ptr<L7Inspector> l7_;
};

// Live mode never waits for the writer: a full alert ring loses records
// (counted), and every attack is blocked all the same.
TEST_F(L7InspectorTest, BlockingDoesNotDependOnTheAlertRecord) {
  L7Config cfg;
  cfg.alert_ring_size = 8;  // holds 7
  make(cfg);
  for (uint32_t i = 0; i < 20; ++i) {
    const int32_t slot = attach(i);
    ASSERT_NE(slot, L7Inspector::kNoSlot);
    bool released = false;
    EXPECT_EQ(send(slot, i, 0, kAttack, 0, &released), L7Verdict::kBlock) << "flow " << i;
    EXPECT_TRUE(released) << "a blocked flow gives its slot back";
  }
  EXPECT_EQ(l7_->stats().flows_blocked.get(), 20u);
  EXPECT_EQ(l7_->stats().alerts.get(), 20u);
  EXPECT_EQ(l7_->stats().alerts_lost.get(), 13u);
}

// Offline mode: a full ring calls the writer, and nothing is lost.
TEST_F(L7InspectorTest, RingFullHookEmptiesTheRingInsteadOfLosing) {
  struct Writer {
    rte_ring* ring = nullptr;
    uint64_t written = 0;
    static void drain(void* ctx) {
      auto* w = static_cast<Writer*>(ctx);
      AlertRecord a;
      while (rte_ring_sc_dequeue_elem(w->ring, &a, sizeof(a)) == 0) ++w->written;
    }
  } writer;
  L7Config cfg;
  cfg.alert_ring_size = 8;
  cfg.ring_full = RingFullHook{Writer::drain, &writer};
  make(cfg);
  writer.ring = l7_->alerts();
  for (uint32_t i = 0; i < 20; ++i) EXPECT_EQ(send(attach(i), i, 0, kAttack), L7Verdict::kBlock);
  Writer::drain(&writer);
  EXPECT_EQ(writer.written, 20u);
  EXPECT_EQ(l7_->stats().alerts_lost.get(), 0u);
}

// A slot started at the handshake's sequence number takes a later segment
// that arrives first as out of order: the attack split in two and sent
// backwards is still seen whole.
TEST_F(L7InspectorTest, SlotStartsAtTheHandshakeSequence) {
  make(L7Config{});
  const int32_t slot = attach(1);
  const std::string a = kAttack.substr(0, 12), b = kAttack.substr(12);
  EXPECT_EQ(send(slot, 1, 12, b), L7Verdict::kPass);
  EXPECT_EQ(send(slot, 1, 0, a), L7Verdict::kBlock);
}

// No slot free: a parkable flow (HTTP between requests) is parked, then a
// slot idle past evict_idle_ns is evicted; otherwise none is given.
TEST_F(L7InspectorTest, EvictionParksFirstThenTakesOnlyIdleSlots) {
  L7Config cfg;
  cfg.slots = 2;
  cfg.evict_idle_ns = 1000;
  make(cfg);
  const int32_t s0 = attach(10, 0);
  EXPECT_EQ(send(s0, 10, 0, kBenign, 0), L7Verdict::kPass);  // between requests: parkable
  const int32_t s1 = attach(11, 0);
  EXPECT_EQ(send(s1, 11, 0, "GET /partial", 0), L7Verdict::kPass);  // mid-request
  SlotEviction ev;
  const int32_t s2 = attach(12, 5, &ev);
  ASSERT_NE(s2, L7Inspector::kNoSlot);
  EXPECT_EQ(ev.owner, 10u);
  EXPECT_TRUE(ev.parked);
  EXPECT_EQ(ev.resume_seq, 1001u + kBenign.size());
  const uint32_t resume = ev.resume_seq;
  EXPECT_EQ(send(s2, 12, 0, "GET /other", 5), L7Verdict::kPass);  // mid-request too
  // Both busy mid-request, neither idle for 1000 ns yet.
  EXPECT_EQ(attach(13, 500, &ev), L7Inspector::kNoSlot);
  EXPECT_EQ(ev.owner, SlotEviction::kNoOwner);
  EXPECT_EQ(l7_->stats().slots_exhausted.get(), 1u);
  // Flow 11 idle since 0: at 1500 it is the least recently active and idle.
  const int32_t s3 = attach(13, 1500, &ev);
  ASSERT_NE(s3, L7Inspector::kNoSlot);
  EXPECT_EQ(ev.owner, 11u);
  EXPECT_FALSE(ev.parked);
  EXPECT_EQ(l7_->stats().slots_parked.get(), 1u);
  EXPECT_EQ(l7_->stats().slots_evicted.get(), 1u);
  // The parked flow resumes at its byte, as HTTP at a request boundary:
  // its next request is inspected (and blocked) like any.
  l7_->detach(s3);
  SlotEviction ev2;
  const int32_t again = l7_->attach(10, StreamStart{{resume, 0}, 1, true}, 1600, &ev2);
  ASSERT_NE(again, L7Inspector::kNoSlot);
  EXPECT_EQ(send(again, 10, static_cast<uint32_t>(kBenign.size()), kAttack, 1600), L7Verdict::kBlock);
}

}  // namespace
}  // namespace rampart::dp
