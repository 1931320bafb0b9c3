#include "controlplane/compiler/policy_compiler.h"

#include <gtest/gtest.h>

#include "controlplane/compiler/cidr.h"

namespace rampart::cp {
namespace {

Result<CompiledPolicy> compile(const char* text, std::vector<std::string>* errors) {
  return compile_policy_yaml(text, "p.yaml", errors);
}

TEST(PolicyCompiler, FullRule) {
  std::vector<std::string> errors;
  auto p = compile(R"(default_action: deny
non_ip: deny
rules:
  - name: web
    action: allow
    protocol: tcp
    src: [198.18.0.0/24, "2001:db8::/32"]
    dst: 198.18.1.10
    src_ports: 1024-65535
    dst_ports: [80, "8000-8080"]
)",
                   &errors);
  ASSERT_TRUE(p.ok()) << (errors.empty() ? "" : errors[0]);
  EXPECT_EQ(p->default_action, Action::kDeny);
  EXPECT_FALSE(p->non_ip_allow);
  ASSERT_EQ(p->rules.size(), 1u);
  const CompiledRule& r = p->rules[0];
  EXPECT_EQ(r.name, "web");
  EXPECT_EQ(r.protocol, 6);
  ASSERT_EQ(r.src.size(), 2u);
  EXPECT_EQ(r.src[1].family, 6);
  EXPECT_EQ(r.dst[0].prefix_len, 32);
  ASSERT_EQ(r.dst_ports.size(), 2u);
  EXPECT_EQ(r.dst_ports[1].lo, 8000);
  EXPECT_EQ(r.dst_ports[1].hi, 8080);
  EXPECT_EQ(r.source, "p.yaml:4");
}

TEST(PolicyCompiler, EveryErrorIsReportedWithItsLine) {
  std::vector<std::string> errors;
  auto p = compile(R"(default_action: maybe
rules:
  - name: a
    action: allow
    protocol: tcpp
  - name: b
    action: deny
    src: 198.18.0.1/24
    dst_ports: 70000
    protocol: tcp
  - name: c
    action: allow
    dst_ports: 80
  - action: allow
    colour: blue
  - name: a
    action: deny
)",
                   &errors);
  ASSERT_FALSE(p.ok());
  auto has = [&errors](const std::string& needle) {
    for (const auto& e : errors)
      if (e.find(needle) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("p.yaml:1:17: error: 'default_action: maybe' is not an action"));
  EXPECT_TRUE(has("p.yaml:5:15: error: 'protocol: tcpp' is unknown"));
  EXPECT_TRUE(has("p.yaml:8:10: error: 'src': '198.18.0.1/24' has host bits set"));
  EXPECT_TRUE(has("p.yaml:9:16: error: 'dst_ports: 70000' is not a port"));
  EXPECT_TRUE(has("p.yaml:13:16: error: rule 'c' matches ports but its protocol is not tcp, udp or sctp"));
  EXPECT_TRUE(has("p.yaml:15:5: error: unknown rule key 'colour'"));
  EXPECT_TRUE(has("p.yaml:16:5: error: duplicate rule name 'a'"));
  EXPECT_EQ(errors.size(), 7u);
}

TEST(PolicyCompiler, SyntaxErrorHasPosition) {
  std::vector<std::string> errors;
  auto p = compile("rules: [\n  - {action: allow\n", &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("p.yaml:"), std::string::npos);
  EXPECT_NE(errors[0].find("YAML syntax"), std::string::npos);
}

TEST(PolicyCompiler, UnknownTopLevelKeyIsAnErrorNotIgnored) {
  std::vector<std::string> errors;
  auto p = compile("default_acton: deny\n", &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("p.yaml:1:1: error: unknown key 'default_acton'"), std::string::npos);
}

TEST(PolicyCompiler, RulesThatCanNeverMatchAreErrors) {
  std::vector<std::string> errors;
  auto p = compile(R"(rules:
  - action: deny
    src: 198.18.0.0/15
    dst: "2001:db8::/32"
  - action: deny
    protocol: icmp
    dst: "2001:db8::/32"
)",
                   &errors);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(errors.size(), 2u);
}

TEST(PolicyCompiler, EmptyAndMissingFiles) {
  std::vector<std::string> errors;
  EXPECT_FALSE(compile("", &errors).ok());
  EXPECT_FALSE(compile_policy_file("/nonexistent/policy.yaml", &errors).ok());
  EXPECT_NE(errors.back().find("cannot open"), std::string::npos);
}

TEST(PolicyCompiler, EmbeddedDefaultAllowsEverything) {
  const CompiledPolicy p = embedded_default_policy();
  EXPECT_EQ(p.default_action, Action::kAllow);
  EXPECT_TRUE(p.non_ip_allow);
  EXPECT_TRUE(p.rules.empty());
}

TEST(Cidr, ParsesAndRejects) {
  std::string why;
  auto c = parse_cidr("2001:db8::/32", &why);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(format_cidr(*c), "2001:db8::/32");
  EXPECT_FALSE(parse_cidr("198.18.0.0/33", &why).has_value());
  EXPECT_FALSE(parse_cidr("198.18.0.256", &why).has_value());
  EXPECT_FALSE(parse_cidr("198.18.0.0/", &why).has_value());
  EXPECT_FALSE(parse_cidr("2001:db8::1/64", &why).has_value());
  EXPECT_NE(why.find("host bits"), std::string::npos);
}

}  // namespace
}  // namespace rampart::cp
