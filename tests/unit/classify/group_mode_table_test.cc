// GroupModeTable: the mode of a flow from its addresses, checked against a
// brute-force reference (every group's every member tested) over random
// nested and overlapping prefixes of both families; the address space
// edges; cancellation inside the build; and that the build time grows
// near-linearly with the number of groups.

#include "dataplane/classify/group_mode_table.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "controlplane/compiler/cidr.h"

namespace rampart::dp {
namespace {

policy::Cidr cidr(const char* text) {
  std::string why;
  auto c = cp::parse_cidr(text, &why);
  EXPECT_TRUE(c.has_value()) << text << ": " << why;
  return *c;
}

bool contains(const policy::Cidr& c, const uint8_t* addr, int family) {
  if (c.family != family) return false;
  for (int bit = 0; bit < c.prefix_len; ++bit) {
    const int byte = bit / 8;
    const uint8_t m = static_cast<uint8_t>(0x80 >> (bit % 8));
    if ((c.addr[byte] & m) != (addr[byte] & m)) return false;
  }
  return true;
}

// What the table must answer, straight from docs/policy.md: the strictest
// mode of the groups either address is in; protect when none.
policy::GroupMode reference(const std::vector<policy::GroupScope>& groups, const uint8_t* src, const uint8_t* dst,
                        int family) {
  int best = 3;
  for (const auto& g : groups) {
    for (const auto& m : g.members) {
      if (contains(m, src, family) || contains(m, dst, family)) best = std::min(best, static_cast<int>(g.mode));
    }
  }
  return best == 3 ? policy::GroupMode::kProtect : static_cast<policy::GroupMode>(best);
}

GroupModeTable build(const std::vector<policy::GroupScope>& groups) {
  auto t = GroupModeTable::build(groups, {});
  EXPECT_TRUE(t.ok());
  return std::move(*t);
}

policy::GroupMode mode_v4(const GroupModeTable& t, const char* src, const char* dst) {
  const policy::Cidr s = cidr(src), d = cidr(dst);
  return t.mode_of_v4(s.addr.data(), d.addr.data());
}

TEST(GroupModeTable, StrictestOfEitherAddress) {
  const auto t = build({
      {"watch", policy::GroupMode::kMonitor, {cidr("198.18.1.0/24")}, "t:1"},
      {"learn", policy::GroupMode::kDiscover, {cidr("198.18.0.0/16")}, "t:2"},
      {"guard", policy::GroupMode::kProtect, {cidr("198.18.1.9")}, "t:3"},
  });
  EXPECT_EQ(mode_v4(t, "198.19.0.1", "198.19.0.2"), policy::GroupMode::kProtect);  // in no group
  EXPECT_EQ(mode_v4(t, "198.18.7.1", "198.19.0.2"), policy::GroupMode::kDiscover);
  EXPECT_EQ(mode_v4(t, "198.19.0.2", "198.18.1.7"), policy::GroupMode::kMonitor);  // nested in discover
  EXPECT_EQ(mode_v4(t, "198.18.1.9", "198.19.0.2"), policy::GroupMode::kProtect);  // a host inside both
  EXPECT_EQ(mode_v4(t, "198.18.1.8", "198.18.1.10"), policy::GroupMode::kMonitor);  // either side of it
  EXPECT_EQ(mode_v4(t, "198.18.7.1", "198.18.1.255"), policy::GroupMode::kMonitor);
  EXPECT_EQ(mode_v4(t, "198.18.255.255", "198.17.255.255"), policy::GroupMode::kDiscover);
}

TEST(GroupModeTable, WholeAddressSpaceAndItsEdges) {
  const auto t = build({
      {"all", policy::GroupMode::kDiscover, {cidr("0.0.0.0/0"), cidr("::/0")}, "t:1"},
      {"top", policy::GroupMode::kMonitor, {cidr("255.255.255.255"), cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")}, "t:2"},
      {"bottom", policy::GroupMode::kProtect, {cidr("0.0.0.0"), cidr("::")}, "t:3"},
  });
  EXPECT_EQ(mode_v4(t, "1.2.3.4", "5.6.7.8"), policy::GroupMode::kDiscover);
  EXPECT_EQ(mode_v4(t, "1.2.3.4", "255.255.255.255"), policy::GroupMode::kMonitor);
  EXPECT_EQ(mode_v4(t, "255.255.255.254", "1.2.3.4"), policy::GroupMode::kDiscover);
  EXPECT_EQ(mode_v4(t, "255.255.255.255", "0.0.0.0"), policy::GroupMode::kProtect);
  const policy::Cidr a = cidr("2001:db8::1"), top = cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), zero = cidr("::");
  EXPECT_EQ(t.mode_of_v6(a.addr.data(), a.addr.data()), policy::GroupMode::kDiscover);
  EXPECT_EQ(t.mode_of_v6(a.addr.data(), top.addr.data()), policy::GroupMode::kMonitor);
  EXPECT_EQ(t.mode_of_v6(zero.addr.data(), top.addr.data()), policy::GroupMode::kProtect);
}

TEST(GroupModeTable, NoMembersNoVotes) {
  const auto t = build({{"empty", policy::GroupMode::kDiscover, {}, "t:1"}});
  EXPECT_EQ(mode_v4(t, "198.18.0.1", "198.18.0.2"), policy::GroupMode::kProtect);
  const policy::Cidr a = cidr("2001:db8::1");
  EXPECT_EQ(t.mode_of_v6(a.addr.data(), a.addr.data()), policy::GroupMode::kProtect);
}

// Random prefixes inside a small region, so they nest, repeat and touch;
// random addresses probed in and around them.
policy::Cidr random_prefix(std::mt19937& rng, int family) {
  policy::Cidr c;
  c.family = static_cast<uint8_t>(family);
  const int width = family == 4 ? 32 : 128;
  c.prefix_len = static_cast<uint8_t>(width - static_cast<int>(rng() % 12));
  if (rng() % 16 == 0) c.prefix_len = static_cast<uint8_t>(rng() % (width + 1));
  c.addr[0] = family == 4 ? 198 : 0x20;
  c.addr[1] = family == 4 ? 18 : 0x01;
  const int last = family == 4 ? 3 : 15;
  c.addr[last - 1] = static_cast<uint8_t>(rng() % 4);
  c.addr[last] = static_cast<uint8_t>(rng());
  for (int bit = c.prefix_len; bit < width; ++bit) c.addr[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  return c;
}

void check_against_reference(int family, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<policy::GroupScope> groups;
  for (int g = 0; g < 40; ++g) {
    policy::GroupScope s{"g" + std::to_string(g), static_cast<policy::GroupMode>(rng() % 3), {}, "t:1"};
    const int members = static_cast<int>(rng() % 4);
    for (int m = 0; m < members; ++m) s.members.push_back(random_prefix(rng, family));
    groups.push_back(std::move(s));
  }
  const auto t = build(groups);
  for (int probe = 0; probe < 3000; ++probe) {
    policy::Cidr src = random_prefix(rng, family), dst = random_prefix(rng, family);
    const int last = family == 4 ? 3 : 15;
    src.addr[last] = static_cast<uint8_t>(rng());
    dst.addr[last] = static_cast<uint8_t>(rng());
    const policy::GroupMode got = family == 4 ? t.mode_of_v4(src.addr.data(), dst.addr.data())
                                          : t.mode_of_v6(src.addr.data(), dst.addr.data());
    ASSERT_EQ(got, reference(groups, src.addr.data(), dst.addr.data(), family))
        << "seed " << seed << " src " << cp::format_cidr(src) << " dst " << cp::format_cidr(dst);
  }
}

TEST(GroupModeTable, MatchesTheReferenceIpv4) {
  for (uint32_t seed = 1; seed <= 30; ++seed) check_against_reference(4, seed);
}

TEST(GroupModeTable, MatchesTheReferenceIpv6) {
  for (uint32_t seed = 1; seed <= 30; ++seed) check_against_reference(6, seed);
}

std::vector<policy::GroupScope> host_groups(int n) {
  std::vector<policy::GroupScope> groups;
  for (int i = 0; i < n; ++i) {
    policy::Cidr c;
    c.prefix_len = 32;
    c.addr = {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    groups.push_back({"g" + std::to_string(i), i % 2 ? policy::GroupMode::kMonitor : policy::GroupMode::kDiscover, {c}, "t"});
  }
  return groups;
}

TEST(GroupModeTable, CancelledInsideTheBuild) {
  const auto groups = host_groups(50000);
  int asked = 0;
  auto t = GroupModeTable::build(groups, [&asked] { return ++asked >= 3; });
  EXPECT_FALSE(t.ok());
  EXPECT_EQ(asked, 3);  // gave up at the third question, inside the member loop
  int whole = 0;
  ASSERT_TRUE(GroupModeTable::build(groups, [&whole] { return ++whole < 0; }).ok());
  EXPECT_GT(whole, 20);  // asked every few thousand members and between the steps
}

double build_seconds(int groups) {
  const auto g = host_groups(groups);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(GroupModeTable::build(g, {}).ok());
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(GroupModeTable, BuildTimeGrowsNearLinearly) {
  // 16 times the groups may cost at most 64 times as long (quadratic: 256
  // times); the best of three runs keeps a busy machine's noise out.
  double small = 1e9, large = 1e9;
  for (int i = 0; i < 3; ++i) {
    small = std::min(small, build_seconds(4000));
    large = std::min(large, build_seconds(64000));
  }
  EXPECT_LT(large, 64 * small + 0.01) << "4,000 groups " << small << " s, 64,000 groups " << large << " s";
}

}  // namespace
}  // namespace rampart::dp
