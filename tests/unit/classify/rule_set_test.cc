// The policy as the workers see it: CompiledPolicy -> RuleSet (real rte_acl)
// -> verdicts for packets of both families.

#include "dataplane/ruleset/rule_set.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "controlplane/compiler/cidr.h"
#include "controlplane/compiler/policy_compiler.h"
#include "dataplane/parse/packet_parser.h"
#include "tests/unit/packet_builder.h"

namespace rampart::dp {
namespace {

std::unique_ptr<const RuleSet> build(const char* yaml, uint32_t gen = 1) {
  std::vector<std::string> errors;
  auto p = cp::compile_policy_yaml(yaml, "t.yaml", &errors);
  EXPECT_TRUE(p.ok()) << (errors.empty() ? "" : errors[0]);
  auto rs = RuleSet::build(*p, gen, 0);
  EXPECT_TRUE(rs.ok()) << (rs.ok() ? "" : rs.error().message);
  return std::move(*rs);
}

// The parsed frame and its ACL key.
PacketMeta meta_of(const test::Frame& f, AclKey& k) {
  const auto b = f.build();
  PacketMeta m;
  EXPECT_EQ(parse_packet(b.data(), static_cast<uint32_t>(b.size()), static_cast<uint32_t>(b.size()), m),
            DropReason::kNone);
  make_acl_key(m, k);
  return m;
}

uint32_t classify(const RuleSet& rs, const test::Frame& f) {
  AclKey k;
  const PacketMeta m = meta_of(f, k);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(&k);
  uint32_t r = 99;
  if (m.l3 == L3::kIpv4) {
    rs.acl().classify_burst_v4(&p, &r, 1);
  } else {
    rs.acl().classify_burst_v6(&p, &r, 1);
  }
  return r;
}

constexpr const char* kPolicy = R"(default_action: deny
rules:
  - name: telnet-reject
    action: reject
    protocol: tcp
    dst_ports: 23
  - name: web-from-clients
    action: allow
    protocol: tcp
    src: [198.18.0.0/24, "2001:db8:0:1::/64"]
    dst_ports: [80, 443, 8000-8080]
  - name: deny-bad-host
    action: deny
    src: 198.18.0.66
  - name: dns
    action: allow
    protocol: udp
    dst_ports: 53
  - name: ping
    action: allow
    protocol: icmp
)";

TEST(RuleSet, FirstMatchWinsInOrder) {
  auto rs = build(kPolicy);
  // .66 is in 198.18.0.0/24 and rule 2 comes before rule 3.
  EXPECT_EQ(classify(*rs, {.src = "198.18.0.66", .dport = 80}), 2u);
  EXPECT_EQ(classify(*rs, {.src = "198.18.0.66", .dport = 22}), 3u);
  EXPECT_EQ(classify(*rs, {.src = "198.18.0.5", .dport = 23}), 1u);
  EXPECT_EQ(rs->verdict(1), FlowVerdict::kReject);
  EXPECT_EQ(rs->verdict(2), FlowVerdict::kAllow);
  EXPECT_EQ(rs->verdict(3), FlowVerdict::kDeny);
}

TEST(RuleSet, PortRangesAndLists) {
  auto rs = build(kPolicy);
  EXPECT_EQ(classify(*rs, {.dport = 443}), 2u);
  EXPECT_EQ(classify(*rs, {.dport = 8000}), 2u);
  EXPECT_EQ(classify(*rs, {.dport = 8080}), 2u);
  EXPECT_EQ(classify(*rs, {.dport = 8081}), 0u);
  EXPECT_EQ(classify(*rs, {.dport = 7999}), 0u);
}

TEST(RuleSet, CidrBoundaries) {
  auto rs = build(kPolicy);
  EXPECT_EQ(classify(*rs, {.src = "198.18.0.255", .dport = 80}), 2u);
  EXPECT_EQ(classify(*rs, {.src = "198.18.1.0", .dport = 80}), 0u);
}

TEST(RuleSet, ProtocolMatters) {
  auto rs = build(kPolicy);
  EXPECT_EQ(classify(*rs, {.proto = 17, .dport = 53}), 4u);
  EXPECT_EQ(classify(*rs, {.proto = 6, .dport = 53}), 0u);
  EXPECT_EQ(classify(*rs, {.proto = 1}), 5u);
  EXPECT_EQ(classify(*rs, {.proto = 17, .dport = 80}), 0u);
}

TEST(RuleSet, Ipv6RulesOnlyMatchIpv6) {
  auto rs = build(kPolicy);
  EXPECT_EQ(classify(*rs, {.family = 6, .src = "2001:db8:0:1::7", .dst = "2001:db8::1", .dport = 80}), 2u);
  EXPECT_EQ(classify(*rs, {.family = 6, .src = "2001:db8:0:2::7", .dst = "2001:db8::1", .dport = 80}), 0u);
  // Rules without addresses apply to both families.
  EXPECT_EQ(classify(*rs, {.family = 6, .src = "2001:db8:0:2::7", .dst = "2001:db8::1", .dport = 23}), 1u);
  EXPECT_EQ(classify(*rs, {.family = 6, .src = "2001:db8::9", .dst = "2001:db8::1", .proto = 17, .dport = 53}), 4u);
  // "icmp" is ICMPv4: ICMPv6 falls to the default.
  EXPECT_EQ(classify(*rs, {.family = 6, .src = "2001:db8::9", .dst = "2001:db8::1", .proto = 58, .icmp_type = 128}),
            0u);
}

TEST(RuleSet, DefaultAndNonIp) {
  auto rs = build("default_action: reject\nnon_ip: deny\n");
  EXPECT_EQ(rs->verdict(0), FlowVerdict::kReject);
  EXPECT_FALSE(rs->non_ip_allow());
  EXPECT_EQ(classify(*rs, {.dport = 80}), 0u);
}

TEST(RuleSet, ThousandRulesBuildAndClassify) {
  std::string yaml = "default_action: deny\nrules:\n";
  for (int i = 0; i < 1000; ++i) {
    yaml += "  - action: " + std::string(i == 999 ? "allow" : "deny") + "\n    protocol: tcp\n    dst_ports: " +
            std::to_string(10000 + i) + "\n";
  }
  auto rs = build(yaml.c_str(), 7);
  EXPECT_EQ(rs->rules().size(), 1000u);
  EXPECT_EQ(classify(*rs, {.dport = 10999}), 1000u);
  EXPECT_EQ(classify(*rs, {.dport = 10500}), 501u);
  EXPECT_EQ(classify(*rs, {.dport = 9999}), 0u);
}


// Group modes: a second classifier gives a new flow's mode, the strictest
// of the groups its two addresses belong to.
policy::GroupMode mode_of(const RuleSet& rs, const test::Frame& f) {
  AclKey k;
  const PacketMeta m = meta_of(f, k);
  return rs.mode_of(k, m.l3 == L3::kIpv4);
}

policy::Cidr cidr(const char* text) {
  std::string why;
  auto c = cp::parse_cidr(text, &why);
  EXPECT_TRUE(c.has_value()) << why;
  return *c;
}

std::unique_ptr<const RuleSet> build_with_groups(std::vector<policy::GroupScope> groups) {
  policy::CompiledPolicy p;
  p.default_action = policy::Action::kDeny;
  p.groups = std::move(groups);
  auto rs = RuleSet::build(p, 7, 0);
  EXPECT_TRUE(rs.ok()) << (rs.ok() ? "" : rs.error().message);
  return std::move(*rs);
}

TEST(RuleSetModes, NoModeClassifierWhenEveryGroupProtects) {
  auto rs = build_with_groups({{"a", policy::GroupMode::kProtect, {cidr("198.18.0.0/24")}, "t:1"}});
  EXPECT_FALSE(rs->has_modes());
}

TEST(RuleSetModes, EitherAddressStrictestWins) {
  auto rs = build_with_groups({
      {"watch", policy::GroupMode::kMonitor, {cidr("198.18.1.0/24"), cidr("2001:db8:1::/64")}, "t:1"},
      {"learn", policy::GroupMode::kDiscover, {cidr("198.18.2.0/24")}, "t:2"},
      {"guard", policy::GroupMode::kProtect, {cidr("198.18.2.9")}, "t:3"},
  });
  ASSERT_TRUE(rs->has_modes());
  // In no group: protect.
  EXPECT_EQ(mode_of(*rs, {.src = "198.18.0.1", .dst = "198.18.0.2"}), policy::GroupMode::kProtect);
  // Either end in a monitor group, as source or destination.
  EXPECT_EQ(mode_of(*rs, {.src = "198.18.0.1", .dst = "198.18.1.5"}), policy::GroupMode::kMonitor);
  EXPECT_EQ(mode_of(*rs, {.src = "198.18.1.5", .dst = "198.18.0.1"}), policy::GroupMode::kMonitor);
  EXPECT_EQ(mode_of(*rs, {.src = "198.18.2.1", .dst = "198.18.0.1"}), policy::GroupMode::kDiscover);
  // monitor beats discover; protect beats both, also when the protect
  // group is listed last and is a host inside the discover group.
  EXPECT_EQ(mode_of(*rs, {.src = "198.18.2.1", .dst = "198.18.1.1"}), policy::GroupMode::kMonitor);
  EXPECT_EQ(mode_of(*rs, {.src = "198.18.2.9", .dst = "198.18.0.1"}), policy::GroupMode::kProtect);
  EXPECT_EQ(mode_of(*rs, {.src = "198.18.1.1", .dst = "198.18.2.9"}), policy::GroupMode::kProtect);
  EXPECT_EQ(mode_of(*rs, {.family = 6, .src = "2001:db8::1", .dst = "2001:db8:1::9"}), policy::GroupMode::kMonitor);
  EXPECT_EQ(mode_of(*rs, {.family = 6, .src = "2001:db8::1", .dst = "2001:db8:2::9"}), policy::GroupMode::kProtect);
}

TEST(RuleSetModes, GroupWithoutMembersMatchesNothing) {
  // An empty member list must not read as "any address".
  auto rs = build_with_groups({{"empty", policy::GroupMode::kDiscover, {}, "t:1"},
                               {"watch", policy::GroupMode::kMonitor, {cidr("198.18.1.0/24")}, "t:2"}});
  EXPECT_EQ(mode_of(*rs, {.src = "198.18.0.1", .dst = "198.18.0.2"}), policy::GroupMode::kProtect);
  auto only_empty = build_with_groups({{"empty", policy::GroupMode::kMonitor, {}, "t:1"}});
  EXPECT_EQ(mode_of(*only_empty, {.src = "198.18.0.1", .dst = "198.18.0.2"}), policy::GroupMode::kProtect);
}

// A build whose caller gave up stops at the next question: between the
// steps, and every few thousand rules or members inside them.
TEST(RuleSet, CancelledBuildStopsAtTheNextCheck) {
  policy::CompiledPolicy p;
  for (int i = 0; i < 20000; ++i) {
    policy::CompiledRule r;
    r.name = "r" + std::to_string(i);
    r.protocol = 6;
    r.dst_ports.push_back({static_cast<uint16_t>(1000 + i % 5000), static_cast<uint16_t>(1000 + i % 5000)});
    p.rules.push_back(std::move(r));
    p.groups.push_back({"g" + std::to_string(i), policy::GroupMode::kMonitor,
                        {cidr(fmt::format("10.{}.{}.1", i >> 8, i & 255).c_str())}, "t"});
  }
  int asked = 0;
  auto never = RuleSet::build(p, 3, 0, [&asked] { return ++asked < 0; });
  ASSERT_TRUE(never.ok());
  const int questions = asked;
  EXPECT_GT(questions, 8);  // inside the rule expansion and the group table, and between them
  for (int stop_at : {1, 3, questions / 2, questions}) {
    int n = 0;
    auto rs = RuleSet::build(p, 4, 0, [&n, stop_at] { return ++n >= stop_at; });
    ASSERT_FALSE(rs.ok()) << "stop at question " << stop_at;
    EXPECT_TRUE(is_cancelled(rs.error())) << rs.error().message;
    EXPECT_EQ(n, stop_at);  // not asked again after it said so: the build stopped there
  }
}

// A rule whose sides multiply past kMaxAclEntries is refused before it is
// expanded (it would take gigabytes), naming the rule.
TEST(RuleSet, CrossProductOverTheLimitIsAnError) {
  policy::CompiledPolicy p;
  policy::CompiledRule r;
  r.name = "wide";
  r.source = "t.yaml:3";
  for (int i = 0; i < 1024; ++i) {
    r.src.push_back(cidr(fmt::format("10.0.{}.{}", i >> 8, i & 255).c_str()));
    r.dst.push_back(cidr(fmt::format("10.1.{}.{}", i >> 8, i & 255).c_str()));
  }
  p.rules.push_back(r);
  auto rs = RuleSet::build(p, 5, 0);
  ASSERT_FALSE(rs.ok());
  EXPECT_NE(rs.error().message.find("the rules expand into more than 524288 IPv4 classifier entries"),
            std::string::npos)
      << rs.error().message;
  EXPECT_NE(rs.error().message.find("rule 0 'wide' (t.yaml:3)"), std::string::npos) << rs.error().message;
  p.rules[0].dst.resize(512);  // 1024 x 512 = 524288: at the limit
  EXPECT_TRUE(RuleSet::build(p, 6, 0).ok());
}

TEST(RuleSetModes, EnforcedVerdict) {
  EXPECT_EQ(enforced_verdict(FlowVerdict::kDeny, policy::GroupMode::kProtect), FlowVerdict::kDeny);
  EXPECT_EQ(enforced_verdict(FlowVerdict::kReject, policy::GroupMode::kMonitor), FlowVerdict::kAllow);
  EXPECT_EQ(enforced_verdict(FlowVerdict::kDeny, policy::GroupMode::kDiscover), FlowVerdict::kAllow);
  EXPECT_EQ(enforced_verdict(FlowVerdict::kAllow, policy::GroupMode::kMonitor), FlowVerdict::kAllow);
}

}  // namespace
}  // namespace rampart::dp
