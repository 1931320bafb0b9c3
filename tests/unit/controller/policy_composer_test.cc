// Composition of policy documents into the controller's effective policy.

#include "controlplane/controller/policy_composer.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(p->default_action, cp::Action::kAllow);
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
  EXPECT_EQ(p->default_action, cp::Action::kDeny);
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
