#include "dataplane/conntrack/flow_table.h"

#include <gtest/gtest.h>

#include <set>

namespace rampart::dp {
namespace {

FlowKey key_for(uint32_t i) {
  FlowKey k;
  std::memset(&k, 0, sizeof(k));
  k.addr_lo[0] = 198;
  k.addr_lo[1] = 18;
  k.addr_lo[2] = static_cast<uint8_t>(i >> 8);
  k.addr_lo[3] = static_cast<uint8_t>(i);
  k.addr_hi[0] = 198;
  k.addr_hi[1] = 19;
  k.port_lo = static_cast<uint16_t>(1024 + i);
  k.port_hi = 80;
  k.proto = 6;
  k.family = 4;
  return k;
}

TEST(FlowTable, InsertLookupRemove) {
  auto t = FlowTable::create("ft_basic", 64, 0);
  ASSERT_TRUE(t.ok());
  FlowTable& ft = **t;
  const FlowKey k = key_for(1);
  EXPECT_LT(ft.lookup(k), 0);
  const int32_t pos = ft.insert(k);
  ASSERT_GE(pos, 0);
  EXPECT_EQ(ft.lookup(k), pos);
  EXPECT_EQ(std::memcmp(&ft.at(pos).key, &k, sizeof(FlowTuple)), 0);
  EXPECT_EQ(ft.size(), 1u);
  ft.remove(pos);
  EXPECT_LT(ft.lookup(k), 0);
  EXPECT_EQ(ft.size(), 0u);
}

TEST(FlowTable, FullMeansExactlyCapacity) {
  auto t = FlowTable::create("ft_full", 256, 0);
  ASSERT_TRUE(t.ok());
  FlowTable& ft = **t;
  std::set<int32_t> positions;
  for (uint32_t i = 0; i < 256; ++i) {
    const int32_t pos = ft.insert(key_for(i));
    ASSERT_GE(pos, 0) << i;
    positions.insert(pos);
  }
  EXPECT_EQ(positions.size(), 256u) << "every flow has its own slot";
  EXPECT_EQ(ft.insert(key_for(999)), -ENOSPC);
}

TEST(FlowTable, BulkLookupMatchesSingle) {
  auto t = FlowTable::create("ft_bulk", 128, 0);
  ASSERT_TRUE(t.ok());
  FlowTable& ft = **t;
  FlowKey keys[8];
  const FlowKey* ptrs[8];
  for (uint32_t i = 0; i < 8; ++i) {
    keys[i] = key_for(i);
    ptrs[i] = &keys[i];
    if (i % 2 == 0) ft.insert(keys[i]);
  }
  int32_t pos[8];
  uint32_t hashes[8];
  for (uint32_t i = 0; i < 8; ++i) hashes[i] = flow_hash(keys[i]);
  ft.lookup_burst(ptrs, hashes, 8, pos);
  for (uint32_t i = 0; i < 8; ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(pos[i], ft.lookup(keys[i]));
      EXPECT_GE(pos[i], 0);
    } else {
      EXPECT_LT(pos[i], 0);
    }
  }
}

TEST(FlowHash, SeededAndSpread) {
  // Distinct keys spread over the 32-bit range, and a new seed changes the
  // hash of the same key.
  std::set<uint32_t> seen;
  for (uint32_t i = 0; i < 1000; ++i) seen.insert(flow_hash(key_for(i)));
  EXPECT_GT(seen.size(), 995u);
  const uint32_t before = flow_hash(key_for(1));
  static uint64_t state = 12345;
  flow_hash_init([] { return state = state * 6364136223846793005ull + 1442695040888963407ull; });
  EXPECT_NE(flow_hash(key_for(1)), before);
}

TEST(FlowTable, RemoveAllReportsEveryFlow) {
  auto t = FlowTable::create("ft_remove_all", 4096, 0);
  ASSERT_TRUE(t.ok());
  FlowTable& ft = **t;
  for (uint32_t i = 0; i < 4096; ++i) ASSERT_GE(ft.insert(key_for(i)), 0);
  uint32_t seen = 0;
  ft.remove_all([&seen](const Flow&) { ++seen; });
  EXPECT_EQ(seen, 4096u);
  EXPECT_EQ(ft.size(), 0u);
}

TEST(FlowTable, ExpireSomeVisitsEverythingAcrossCalls) {
  auto t = FlowTable::create("ft_expire", 128, 0);
  ASSERT_TRUE(t.ok());
  FlowTable& ft = **t;
  for (uint32_t i = 0; i < 100; ++i) ft.at(ft.insert(key_for(i))).last_seen_ns = i;
  int removed = 0;
  for (int round = 0; round < 20; ++round) {
    ft.expire_some(16, [](const Flow& f) { return f.last_seen_ns < 50; }, [&removed](const Flow&) { ++removed; });
  }
  EXPECT_EQ(removed, 50);
  EXPECT_EQ(ft.size(), 50u);
  int rest = 0;
  ft.remove_all([&rest](const Flow&) { ++rest; });
  EXPECT_EQ(rest, 50);
  EXPECT_EQ(ft.size(), 0u);
}

}  // namespace
}  // namespace rampart::dp
