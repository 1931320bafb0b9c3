// Composition of policy documents into the controller's effective policy.

#include "controlplane/controller/policy_composer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "controlplane/compiler/group_resolution.h"

namespace rampart::controller {
namespace {

bool contains(const std::vector<std::string>& errors, const std::string& needle) {
  for (const auto& e : errors) {
    if (e.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(PolicyComposer, NoDocumentsIsTheV0Default) {
  std::vector<std::string> errors;
  auto p = compose_policy({}, &errors);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->default_action, policy::Action::kAllow);
  EXPECT_TRUE(p->non_ip_allow);
  EXPECT_TRUE(p->rules.empty());
  EXPECT_TRUE(errors.empty());
}

TEST(PolicyComposer, RulesConcatenatedInNameOrder) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"web", "rules:\n  - name: http\n    action: allow\n    protocol: tcp\n    dst_ports: 80\n"},
                           {"base", "default_action: deny\nnon_ip: deny\nrules:\n  - name: dns\n    action: allow\n"
                                    "    protocol: udp\n    dst_ports: 53\n"}},
                          &errors);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->rules.size(), 2u);
  EXPECT_EQ(p->rules[0].name, "dns");  // base < web
  EXPECT_EQ(p->rules[1].name, "http");
  EXPECT_EQ(p->rules[0].source, "base.yaml:4");
  EXPECT_EQ(p->rules[1].source, "web.yaml:2");
  EXPECT_EQ(p->default_action, policy::Action::kDeny);
  EXPECT_FALSE(p->non_ip_allow);
}

TEST(PolicyComposer, DefaultActionSetTwiceNamesBothDocuments) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"a", "default_action: deny\n"}, {"b", "rules: []\ndefault_action: allow\n"}}, &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "b.yaml:2:17: error: 'default_action' is already set by a.yaml:1:17: at most one document may set it");
}

TEST(PolicyComposer, NonIpSetTwice) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"a", "non_ip: deny\n"}, {"b", "non_ip: allow\n"}}, &errors);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(contains(errors, "b.yaml:1:9: error: 'non_ip' is already set by a.yaml:1:9"));
}

TEST(PolicyComposer, CompilerErrorsNameTheDocument) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"ok", "default_action: deny\n"},
                           {"web", "rules:\n  - name: x\n    action: permit\n"},
                           {"zz", "bogus: 1\n"}},
                          &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 2u) << errors[0];
  EXPECT_EQ(errors[0].rfind("web.yaml:3:13: error: ", 0), 0u) << errors[0];
  EXPECT_EQ(errors[1].rfind("zz.yaml:1:1: error: unknown key 'bogus'", 0), 0u) << errors[1];
}

TEST(PolicyComposer, DuplicateRuleNamesAcrossDocuments) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"a", "rules:\n  - name: web\n    action: allow\n"},
                           {"b", "rules:\n  - action: deny\n  - name: web\n    action: deny\n"}},
                          &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "b.yaml:3:11: error: duplicate rule name 'web': also defined at a.yaml:2:11 (rule names are unique "
            "across documents)");
}

TEST(PolicyComposer, UnnamedRulesGetTheDocumentName) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"a", "rules:\n  - action: allow\n"}, {"b", "rules:\n  - action: deny\n"}}, &errors);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->rules.size(), 2u);
  EXPECT_EQ(p->rules[0].name, "a.rule-1");
  EXPECT_EQ(p->rules[1].name, "b.rule-1");
}

TEST(PolicyComposer, GroupInOneDocumentRuleInAnother) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"groups", "groups:\n  - name: web\n    selector: {app: web}\n    mode: monitor\n"},
                           {"rules", "rules:\n  - name: to-web\n    action: allow\n    dst: group:web\n"}},
                          &errors);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->group_definitions.size(), 1u);
  EXPECT_EQ(p->group_definitions[0].source, "groups.yaml:2");
  ASSERT_EQ(p->rules.size(), 1u);
  ASSERT_EQ(p->rules[0].dst_groups.size(), 1u);  // resolution is DesiredState's
  EXPECT_FALSE(policy::fully_resolved(*p));
  EXPECT_TRUE(p->has_signature_sets);  // the controller is authoritative: no sets means none
  EXPECT_TRUE(p->signature_sets.empty());
}

TEST(PolicyComposer, UnknownGroupIsReportedAtTheReference) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"a", "groups:\n  - name: web\n    cidrs: 198.18.1.0/24\n"},
                           {"b", "rules:\n  - name: r\n    action: allow\n    src: [198.18.0.0/24, group:wbe]\n"}},
                          &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "b.yaml:4:26: error: rule 'r' refers to group 'wbe', which is not defined");
}

TEST(PolicyComposer, DuplicateGroupsAndSignatureSetsAcrossDocuments) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"a", "groups:\n  - name: web\n    cidrs: 198.18.1.0/24\nsignature_sets:\n  - name: s\n"
                                 "    rules: '# none'\n"},
                           {"b", "signature_sets:\n  - name: s\n    rules: '# none'\ngroups:\n  - name: web\n"
                                 "    selector: {app: web}\n"}},
                          &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0],
            "b.yaml:5:11: error: duplicate group name 'web': also defined at a.yaml:2:11 (group names are unique "
            "across documents)");
  EXPECT_EQ(errors[1],
            "b.yaml:2:11: error: duplicate signature set name 's': also defined at a.yaml:5:11 (signature set names "
            "are unique across documents)");
}

TEST(PolicyComposer, BrokenSignatureSetIsRefused) {
  std::vector<std::string> errors;
  auto p = compose_policy({{"sigs", "signature_sets:\n  - name: web-extra\n    rules: |\n"
                                    "      alert http any any -> any any (msg:\"x\"; content:\"a\"; sid:1;)\n"
                                    "      alert http any any -> any any (msg:\"x\"; content:\"a\"; sid:1;)\n"}},
                          &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("sigs.yaml:5: error: web-extra:2: duplicate sid 1", 0), 0u) << errors[0];
}

// What only the signature compiler refuses (the appliance runs it too) is
// refused by the composition, at the rule's line in the document and in
// the set.
TEST(PolicyComposer, SignaturesOnlyTheCompilerRefusesAreRefused) {
  std::vector<std::string> errors;
  auto p = compose_policy(
      {{"a", "rules:\n  - name: r\n    action: allow\n"},
       {"sigs", "signature_sets:\n  - name: web-extra\n    rules: |\n"
                "      alert http any any -> any any (msg:\"ok\"; http.uri; content:\"evil\"; sid:1;)\n"
                "      alert icmp any any -> any any (msg:\"ping\"; content:\"abcd\"; sid:2;)\n"
                "  - name: more\n    rules: |\n"
                "      # a comment\n"
                "      alert tcp any any -> any any (msg:\"bad re\"; pcre:\"/a[]b/\"; sid:3;)\n"
                "      alert tcp any any -> any any (msg:\"neg\"; content:!\"x\"; sid:4;)\n"}},
      &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0],
            "sigs.yaml:5: error: web-extra:2: unsupported: content on ICMP payloads is not inspected (sid 2)");
  EXPECT_EQ(errors[1].rfind("sigs.yaml:9: error: more:2: unsupported: ", 0), 0u) << errors[1];
  EXPECT_NE(errors[1].find("(sid 3)"), std::string::npos) << errors[1];
  EXPECT_EQ(errors[2].rfind("sigs.yaml:10: error: more:3: unsupported: only negated", 0), 0u) << errors[2];
}

TEST(PolicyComposer, SignaturesAreCompiledOnlyWhenTheyParse) {
  // A parse error is reported alone (the appliance stops there too).
  std::vector<std::string> errors;
  auto p = compose_policy({{"sigs", "signature_sets:\n  - name: s\n    rules: |\n"
                                    "      alert icmp any any -> any any (msg:\"ping\"; content:\"abcd\"; sid:2;)\n"
                                    "      alert http any any -> any any (msg:\"x\"; bogus_keyword; sid:3;)\n"}},
                          &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("sigs.yaml:5: error: s:2: ", 0), 0u) << errors[0];
  // Without compiling, the compiler's refusals pass.
  errors.clear();
  ComposeOptions parse_only;
  parse_only.compile_signatures = false;
  EXPECT_TRUE(compose_policy({{"sigs", "signature_sets:\n  - name: s\n    rules: |\n"
                                       "      alert icmp any any -> any any (msg:\"p\"; content:\"abcd\"; sid:2;)\n"}},
                             &errors, parse_only)
                  .ok());
}

TEST(PolicyComposer, SignatureSetsAlreadyCheckedAreNotCheckedAgain) {
  const std::string doc = "signature_sets:\n  - name: s\n    rules: |\n"
                          "      alert icmp any any -> any any (msg:\"p\"; content:\"abcd\"; sid:2;)\n";
  std::vector<std::string> errors;
  ComposeOptions opt;
  std::vector<policy::SignatureSetText> checked;
  checked.push_back({"s", "alert icmp any any -> any any (msg:\"p\"; content:\"abcd\"; sid:2;)\n", "x", 0, ""});
  opt.checked_signature_sets = &checked;
  EXPECT_TRUE(compose_policy({{"sigs", doc}}, &errors, opt).ok());  // the caller vouches for them
  checked[0].text += "# changed\n";
  EXPECT_FALSE(compose_policy({{"sigs", doc}}, &errors, opt).ok());
}

TEST(PolicyComposer, CompiledSignaturesUseTheCache) {
  char tmpl[] = "/tmp/rampart-composer-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string cache = std::string(tmpl) + "/.hs-cache";
  ComposeOptions opt;
  opt.signature_cache_dir = cache;
  std::vector<std::string> errors;
  const std::string doc = "signature_sets:\n  - name: s\n    rules: |\n"
                          "      alert http any any -> any any (msg:\"x\"; http.uri; content:\"evil\"; sid:7;)\n";
  ASSERT_TRUE(compose_policy({{"sigs", doc}}, &errors, opt).ok()) << (errors.empty() ? "" : errors[0]);
  EXPECT_FALSE(std::filesystem::is_empty(cache));
  std::filesystem::remove_all(tmpl);
}

TEST(PolicyComposer, DocumentNames) {
  EXPECT_TRUE(valid_document_name("web"));
  EXPECT_TRUE(valid_document_name("0-base.v2_x"));
  EXPECT_TRUE(valid_document_name(std::string(63, 'a')));
  EXPECT_FALSE(valid_document_name(std::string(64, 'a')));
  EXPECT_FALSE(valid_document_name(""));
  EXPECT_FALSE(valid_document_name("-web"));
  EXPECT_FALSE(valid_document_name(".web"));
  EXPECT_FALSE(valid_document_name("Web"));
  EXPECT_FALSE(valid_document_name("a/b"));
  EXPECT_FALSE(valid_document_name("a b"));
}

}  // namespace
}  // namespace rampart::controller
