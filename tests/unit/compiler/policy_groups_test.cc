// Policy v0 groups, modes and signature sets: parsing, every error with its
// position, and the standalone (static) resolution compile_policy_file does.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "controlplane/compiler/cidr.h"
#include "controlplane/compiler/group_resolution.h"
#include "controlplane/compiler/policy_compiler.h"

namespace rampart::cp {
namespace {

Result<CompiledPolicy> compile(const char* text, std::vector<std::string>* errors) {
  return compile_policy_yaml(text, "p.yaml", errors);
}

std::string all(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += e + "\n";
  return s;
}

bool has(const std::vector<std::string>& v, const std::string& needle) {
  return all(v).find(needle) != std::string::npos;
}

TEST(PolicyGroups, GroupsModesAndReferences) {
  std::vector<std::string> errors;
  auto p = compile(R"(groups:
  - name: web
    selector: {app: web, tier: front}
    mode: monitor
  - name: lab
    cidrs: [198.18.1.0/24, "2001:db8::/64"]
  - name: both
    selector: {app: db}
    cidrs: 198.18.9.0/24
    mode: discover
rules:
  - name: to-web
    action: allow
    src: [198.18.0.0/24, group:lab]
    dst: group:web
)",
                   &errors);
  ASSERT_TRUE(p.ok()) << all(errors);
  ASSERT_EQ(p->group_definitions.size(), 3u);
  const GroupDefinition& web = p->group_definitions[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.mode, GroupMode::kMonitor);
  ASSERT_EQ(web.selector.size(), 2u);
  EXPECT_EQ(web.selector[0], (std::pair<std::string, std::string>{"app", "web"}));
  EXPECT_EQ(web.source, "p.yaml:2");
  EXPECT_EQ(web.name_at, "p.yaml:2:11");
  EXPECT_EQ(p->group_definitions[1].mode, GroupMode::kProtect);  // the default
  EXPECT_EQ(p->group_definitions[1].cidrs.size(), 2u);
  EXPECT_EQ(p->group_definitions[2].mode, GroupMode::kDiscover);
  ASSERT_EQ(p->rules.size(), 1u);
  const CompiledRule& r = p->rules[0];
  ASSERT_EQ(r.src.size(), 1u);
  ASSERT_EQ(r.src_groups.size(), 1u);
  EXPECT_EQ(r.src_groups[0].name, "lab");
  EXPECT_EQ(r.src_groups[0].at, "p.yaml:14:26");
  ASSERT_EQ(r.dst_groups.size(), 1u);
  EXPECT_TRUE(r.dst.empty());
  // Unresolved: not for an appliance, and no signature_sets key.
  EXPECT_FALSE(fully_resolved(*p));
  EXPECT_FALSE(p->has_signature_sets);
  EXPECT_TRUE(p->groups.empty());
}

TEST(PolicyGroups, EveryGroupErrorHasItsPosition) {
  std::vector<std::string> errors;
  auto p = compile(R"(groups:
  - name: web
    selector: {app: [a, b]}
  - name: web
    cidrs: [198.18.0.0/24]
  - name: Bad
    cidrs: 198.18.0.0/24
  - name: nothing
    mode: protect
  - name: m
    cidrs: 198.18.0.0/24
    mode: enforce
  - name: e
    selector: {}
  - name: c
    cidrs: [198.18.0.1/24, group:web]
    colour: red
  - cidrs: 198.18.0.0/24
  - just-a-string
rules:
  - action: allow
    src: group:Web
)",
                   &errors);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(has(errors, "p.yaml:3:21: error: selector label 'app' must have a single value")) << all(errors);
  EXPECT_TRUE(has(errors, "p.yaml:4:11: error: duplicate group name 'web'"));
  EXPECT_TRUE(has(errors, "p.yaml:6:11: error: group name must match"));
  EXPECT_TRUE(has(errors, "p.yaml:8:5: error: group 'nothing' has neither 'selector' nor 'cidrs'"));
  EXPECT_TRUE(has(errors, "p.yaml:12:11: error: 'mode: enforce' is not a mode"));
  EXPECT_TRUE(has(errors, "p.yaml:14:15: error: 'selector' must be a non-empty mapping"));
  EXPECT_TRUE(has(errors, "p.yaml:16:13: error: 'cidrs': '198.18.0.1/24' has host bits set"));
  EXPECT_TRUE(has(errors, "p.yaml:16:28: error: 'cidrs': a group cannot contain a group"));
  EXPECT_TRUE(has(errors, "p.yaml:17:5: error: unknown group key 'colour'"));
  EXPECT_TRUE(has(errors, "p.yaml:18:5: error: group has no 'name'"));
  EXPECT_TRUE(has(errors, "p.yaml:19:5: error: a group must be a mapping"));
  EXPECT_TRUE(has(errors, "p.yaml:22:10: error: 'src: group:Web': 'Web' is not a group name"));
  EXPECT_EQ(errors.size(), 12u) << all(errors);
}

TEST(PolicyGroups, FamilyChecksWaitForResolutionWhenASideNamesGroups) {
  std::vector<std::string> errors;
  auto p = compile(R"(groups:
  - name: v6
    cidrs: "2001:db8::/64"
rules:
  - name: r
    action: deny
    src: [198.18.0.0/24]
    dst: group:v6
)",
                   &errors);
  ASSERT_TRUE(p.ok()) << all(errors);
  // Standalone: resolved statically, the rule can never match: an error.
  CompiledPolicy copy = *p;
  EXPECT_FALSE(resolve_static_groups(copy, &errors).ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "p.yaml:5: error: rule 'r' is inactive (left out, it matches nothing): its src and dst addresses have no "
            "IP family in common");
  EXPECT_FALSE(fully_resolved(copy));  // unchanged on failure
}

TEST(PolicyGroups, SignatureSets) {
  std::vector<std::string> errors;
  auto p = compile(R"P(signature_sets:
  - name: web-extra
    rules: |
      # comment
      alert http any any -> any any (msg:"x"; http.uri; content:"evil"; sid:1000001; rev:1;)
  - name: inline
    rules: "alert tcp any any -> any any (msg:\"y\"; content:\"z\"; sid:1000002;)"
)P",
                   &errors);
  ASSERT_TRUE(p.ok()) << all(errors);
  EXPECT_TRUE(p->has_signature_sets);
  ASSERT_EQ(p->signature_sets.size(), 2u);
  EXPECT_EQ(p->signature_sets[0].name, "web-extra");
  EXPECT_EQ(p->signature_sets[0].source, "p.yaml:2");
  EXPECT_EQ(p->signature_sets[0].text_line, 4);  // the line after "rules: |"
  EXPECT_EQ(p->signature_sets[0].text.rfind("# comment\nalert http", 0), 0u);
  EXPECT_EQ(p->signature_sets[1].text_line, 7);
  // The key alone says "exactly these sets": none.
  auto none = compile("signature_sets: []\n", &errors);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->has_signature_sets);
  EXPECT_TRUE(none->signature_sets.empty());
}

TEST(PolicyGroups, EverySignatureSetErrorHasItsPosition) {
  std::vector<std::string> errors;
  auto p = compile(R"(signature_sets:
  - name: a
  - name: b
    rules: ""
  - name: b
    rules: x
  - name: c
    rules: [x]
    extra: 1
signature_setz: []
)",
                   &errors);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(has(errors, "p.yaml:2:5: error: signature set 'a' has no 'rules' text")) << all(errors);
  EXPECT_TRUE(has(errors, "p.yaml:4:12: error: signature set 'b': 'rules' must be the rule text"));
  EXPECT_TRUE(has(errors, "p.yaml:5:11: error: duplicate signature set name 'b'"));
  EXPECT_TRUE(has(errors, "p.yaml:8:12: error: signature set 'c': 'rules' must be the rule text"));
  EXPECT_TRUE(has(errors, "p.yaml:9:5: error: unknown signature set key 'extra'"));
  EXPECT_TRUE(has(errors, "p.yaml:10:1: error: unknown key 'signature_setz'"));
  EXPECT_EQ(errors.size(), 6u) << all(errors);
}

class PolicyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart-policy-XXXXXX.yaml";
    const int fd = mkstemps(tmpl, 5);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = tmpl;
  }
  void TearDown() override { ::unlink(path_.c_str()); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  std::string path_;
};

TEST_F(PolicyFile, StaticGroupsResolveToTheirCidrs) {
  write(R"(groups:
  - name: lab
    cidrs: [198.18.1.0/24, 198.18.1.0/24, "2001:db8::/64"]
    mode: monitor
rules:
  - name: r
    action: allow
    src: [group:lab, 198.18.1.0/24, 10.0.0.0/8]
)");
  std::vector<std::string> errors;
  auto p = compile_policy_file(path_, &errors);
  ASSERT_TRUE(p.ok()) << all(errors);
  EXPECT_TRUE(fully_resolved(*p));
  ASSERT_EQ(p->groups.size(), 1u);
  EXPECT_EQ(p->groups[0].mode, GroupMode::kMonitor);
  ASSERT_EQ(p->groups[0].members.size(), 2u);  // deduplicated
  EXPECT_EQ(format_cidr(p->groups[0].members[0]), "198.18.1.0/24");
  EXPECT_EQ(format_cidr(p->groups[0].members[1]), "2001:db8::/64");
  ASSERT_EQ(p->rules.size(), 1u);
  ASSERT_EQ(p->rules[0].src.size(), 3u);  // written CIDRs first, then new members
  EXPECT_EQ(format_cidr(p->rules[0].src[2]), "2001:db8::/64");
  EXPECT_TRUE(p->rules[0].src_groups.empty());
}

TEST_F(PolicyFile, SelectorGroupsNeedTheController) {
  write(R"(groups:
  - name: web
    selector: {app: web}
rules:
  - action: allow
    dst: [group:web, group:nope]
)");
  std::vector<std::string> errors;
  auto p = compile_policy_file(path_, &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 2u) << all(errors);
  EXPECT_NE(errors[0].find(":2:11: error: group 'web': selector groups need rampart-controller"), std::string::npos)
      << errors[0];
  EXPECT_NE(errors[1].find(":6:22: error: rule 'rule-1' refers to group 'nope', which is not defined"),
            std::string::npos)
      << errors[1];
}

TEST_F(PolicyFile, WithoutGroupsNothingChanges) {
  write("default_action: deny\nrules:\n  - action: allow\n    dst: 198.18.0.0/24\n");
  std::vector<std::string> errors;
  auto p = compile_policy_file(path_, &errors);
  ASSERT_TRUE(p.ok()) << all(errors);
  EXPECT_TRUE(fully_resolved(*p));
  EXPECT_TRUE(p->groups.empty());
  EXPECT_FALSE(p->has_signature_sets);
  EXPECT_EQ(p->rules.size(), 1u);
}

}  // namespace
}  // namespace rampart::cp
