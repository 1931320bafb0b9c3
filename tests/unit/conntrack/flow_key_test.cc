#include "dataplane/conntrack/flow_key.h"

#include "dataplane/conntrack/flow_hash.h"

#include <gtest/gtest.h>

#include "dataplane/parse/packet_parser.h"
#include "tests/unit/packet_builder.h"

namespace rampart::dp {
namespace {

PacketMeta meta_of(const test::Frame& f) {
  const auto b = f.build();
  PacketMeta m;
  EXPECT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m),
            DropReason::kNone);
  return m;
}

TEST(FlowKey, BothDirectionsGiveOneKey) {
  FlowKey a, b;
  const bool a_lo = make_flow_key(meta_of({.src = "198.18.0.9", .dst = "198.18.0.2", .sport = 5555, .dport = 80}), a);
  const bool b_lo = make_flow_key(meta_of({.src = "198.18.0.2", .dst = "198.18.0.9", .sport = 80, .dport = 5555}), b);
  EXPECT_EQ(std::memcmp(&a, &b, sizeof(a)), 0);
  EXPECT_NE(a_lo, b_lo);
}

TEST(FlowKey, HashedBuilderMatchesTheReference) {
  // The hot-path builder must produce byte-identical keys and exactly
  // flow_hash() of them, for both families, both orientations, VLANs.
  const test::Frame frames[] = {
      {.src = "198.18.0.9", .dst = "198.18.0.2", .sport = 5555, .dport = 80},
      {.src = "198.18.0.2", .dst = "198.18.0.9", .sport = 80, .dport = 5555},
      {.vlans = {42}, .src = "198.18.0.1", .dst = "198.18.0.1", .sport = 9, .dport = 7},
      {.family = 6, .src = "2001:db8::1", .dst = "2001:db8:0:1::1", .proto = 17, .sport = 1, .dport = 53},
      {.family = 6, .src = "2001:db8:0:1::1", .dst = "2001:db8::1", .proto = 17, .sport = 53, .dport = 1},
      {.family = 6, .src = "2001:db8::5", .dst = "2001:db8::5", .sport = 2, .dport = 1},
  };
  for (const auto& f : frames) {
    const PacketMeta m = meta_of(f);
    FlowKey ref, fast;
    std::memset(&fast, 0xee, sizeof(fast));
    const bool ref_lo = make_flow_key(m, ref);
    bool fast_lo;
    const uint32_t h = make_flow_key_hashed(m, fast, &fast_lo);
    EXPECT_EQ(std::memcmp(&ref, &fast, sizeof(ref)), 0) << f.src << " -> " << f.dst;
    EXPECT_EQ(ref_lo, fast_lo);
    EXPECT_EQ(h, flow_hash(ref));
  }
}

TEST(FlowKey, VlanSeparatesFlows) {
  FlowKey a, b;
  make_flow_key(meta_of({.vlans = {10}}), a);
  make_flow_key(meta_of({.vlans = {20}}), b);
  EXPECT_NE(std::memcmp(&a, &b, sizeof(a)), 0);
}

TEST(FlowKey, SameAddressDifferentPortsIsStillSymmetric) {
  FlowKey a, b;
  make_flow_key(meta_of({.src = "198.18.0.1", .dst = "198.18.0.1", .sport = 1, .dport = 2}), a);
  make_flow_key(meta_of({.src = "198.18.0.1", .dst = "198.18.0.1", .sport = 2, .dport = 1}), b);
  EXPECT_EQ(std::memcmp(&a, &b, sizeof(a)), 0);
}

}  // namespace
}  // namespace rampart::dp
