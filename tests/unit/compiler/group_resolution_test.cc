// Group resolution against workload labels: selectors match all their
// labels, members are sorted and deduplicated host prefixes plus static
// CIDRs, and a rule left with no address is left out, never "any".

#include "controlplane/compiler/group_resolution.h"

#include <gtest/gtest.h>

#include "controlplane/compiler/cidr.h"
#include "controlplane/compiler/policy_compiler.h"

namespace rampart::cp {
namespace {

LabeledAddress workload(const char* ip, std::map<std::string, std::string> labels) {
  std::string why;
  return {*parse_cidr(ip, &why), std::move(labels)};
}

std::vector<std::string> formatted(const std::vector<Cidr>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(format_cidr(c));
  return out;
}

CompiledPolicy compiled(const char* text) {
  std::vector<std::string> errors;
  auto p = compile_policy_yaml(text, "p.yaml", &errors);
  EXPECT_TRUE(p.ok()) << (errors.empty() ? "" : errors[0]);
  return p.ok() ? *p : CompiledPolicy{};
}

constexpr const char* kPolicy = R"(groups:
  - name: web
    selector: {app: web, tier: front}
    mode: monitor
  - name: db
    selector: {app: db}
    cidrs: [198.18.9.0/24]
rules:
  - name: to-web
    action: allow
    src: 198.18.0.0/24
    dst: group:web
  - name: web-to-db
    action: allow
    src: group:web
    dst: group:db
  - name: deny-rest
    action: deny
)";

TEST(GroupResolution, SelectorsMatchAllTheirLabels) {
  CompiledPolicy p = compiled(kPolicy);
  std::vector<InactiveRule> inactive;
  ASSERT_TRUE(resolve_groups(p,
                             {workload("198.18.1.20", {{"app", "web"}, {"tier", "front"}, {"x", "y"}}),
                              workload("198.18.1.10", {{"app", "web"}, {"tier", "front"}}),
                              workload("198.18.1.30", {{"app", "web"}}),                        // tier missing
                              workload("198.18.1.40", {{"app", "web"}, {"tier", "back"}}),      // tier differs
                              workload("2001:db8::5", {{"app", "web"}, {"tier", "front"}}),     // IPv6: /128
                              workload("198.18.9.7", {{"app", "db"}}),                          // in the static /24 too
                              workload("198.18.2.1", {{"app", "db"}})},
                             &inactive)
                  .ok());
  EXPECT_TRUE(fully_resolved(p));
  EXPECT_TRUE(inactive.empty());
  ASSERT_EQ(p.groups.size(), 2u);
  EXPECT_EQ(p.groups[0].name, "web");
  EXPECT_EQ(p.groups[0].mode, GroupMode::kMonitor);
  EXPECT_EQ(p.groups[0].source, "p.yaml:2");
  EXPECT_EQ(formatted(p.groups[0].members),
            (std::vector<std::string>{"198.18.1.10/32", "198.18.1.20/32", "2001:db8::5/128"}));
  EXPECT_EQ(formatted(p.groups[1].members),
            (std::vector<std::string>{"198.18.2.1/32", "198.18.9.0/24", "198.18.9.7/32"}));
  ASSERT_EQ(p.rules.size(), 3u);
  EXPECT_EQ(formatted(p.rules[0].src), (std::vector<std::string>{"198.18.0.0/24"}));
  EXPECT_EQ(formatted(p.rules[0].dst), formatted(p.groups[0].members));
  EXPECT_EQ(formatted(p.rules[1].dst), formatted(p.groups[1].members));
  EXPECT_TRUE(p.rules[2].src.empty());  // written without src: any, as before
}

TEST(GroupResolution, DuplicateWorkloadsAreOneMember) {
  CompiledPolicy p = compiled(kPolicy);
  std::vector<InactiveRule> inactive;
  const auto w = workload("198.18.1.10", {{"app", "web"}, {"tier", "front"}});
  ASSERT_TRUE(resolve_groups(p, {w, w}, &inactive).ok());
  EXPECT_EQ(formatted(p.groups[0].members), (std::vector<std::string>{"198.18.1.10/32"}));
}

TEST(GroupResolution, AnEmptyGroupLeavesItsRulesOutNeverAny) {
  CompiledPolicy p = compiled(kPolicy);
  std::vector<InactiveRule> inactive;
  ASSERT_TRUE(resolve_groups(p, {}, &inactive).ok());
  EXPECT_TRUE(fully_resolved(p));
  ASSERT_EQ(p.groups.size(), 2u);
  EXPECT_TRUE(p.groups[0].members.empty());  // still listed, with its mode
  // to-web (dst web empty) and web-to-db (src web empty) match nothing:
  // left out; deny-rest stays.
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].name, "deny-rest");
  ASSERT_EQ(inactive.size(), 2u);
  EXPECT_EQ(format_inactive(inactive[0], "warning"),
            "p.yaml:9: warning: rule 'to-web' is inactive (left out, it matches nothing): dst group 'web' has no "
            "members");
  EXPECT_EQ(inactive[1].rule, "web-to-db");
  EXPECT_EQ(inactive[1].why, "src group 'web' has no members");
  for (const auto& r : p.rules) {
    EXPECT_TRUE(r.src_groups.empty());
    EXPECT_TRUE(r.dst_groups.empty());
  }
}

TEST(GroupResolution, MixedSidesKeepTheirCidrsAndBothEmptySidesAreNamed) {
  CompiledPolicy p = compiled(R"(groups:
  - name: a
    selector: {app: a}
  - name: b
    selector: {app: b}
rules:
  - name: mixed
    action: deny
    src: [group:a, 198.18.0.0/24]
  - name: both
    action: deny
    src: [group:a, group:b]
    dst: group:b
)");
  std::vector<InactiveRule> inactive;
  ASSERT_TRUE(resolve_groups(p, {}, &inactive).ok());
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(formatted(p.rules[0].src), (std::vector<std::string>{"198.18.0.0/24"}));
  ASSERT_EQ(inactive.size(), 1u);
  EXPECT_EQ(inactive[0].why, "src groups 'a', 'b' and dst group 'b' have no members");
}

TEST(GroupResolution, MembersOfTheWrongFamilyMakeARuleInactive) {
  CompiledPolicy p = compiled(R"(groups:
  - name: a
    selector: {app: a}
rules:
  - name: icmp-to-a
    action: allow
    protocol: icmp
    dst: group:a
)");
  std::vector<InactiveRule> inactive;
  ASSERT_TRUE(resolve_groups(p, {workload("2001:db8::1", {{"app", "a"}})}, &inactive).ok());
  EXPECT_TRUE(p.rules.empty());
  ASSERT_EQ(inactive.size(), 1u);
  EXPECT_EQ(inactive[0].why, "its protocol and the address family of its members disagree");
}

TEST(GroupResolution, UnknownReferences) {
  CompiledPolicy p = compiled("rules:\n  - name: r\n    action: allow\n    dst: [group:ghost]\n");
  std::vector<std::string> errors;
  check_group_references(p, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "p.yaml:4:11: error: rule 'r' refers to group 'ghost', which is not defined");
  std::vector<InactiveRule> inactive;
  EXPECT_FALSE(resolve_groups(p, {}, &inactive).ok());
  EXPECT_FALSE(fully_resolved(p));  // unchanged
  EXPECT_EQ(p.rules.size(), 1u);
}

TEST(GroupResolution, FullyResolvedNeedsEveryGroupScoped) {
  CompiledPolicy p = compiled("groups:\n  - name: a\n    cidrs: 198.18.0.0/24\n    mode: discover\n");
  EXPECT_FALSE(fully_resolved(p));  // a discover group without its scope would run as protect
  std::vector<InactiveRule> inactive;
  ASSERT_TRUE(resolve_groups(p, {}, &inactive).ok());
  EXPECT_TRUE(fully_resolved(p));
  EXPECT_TRUE(fully_resolved(embedded_default_policy()));
}

}  // namespace
}  // namespace rampart::cp
