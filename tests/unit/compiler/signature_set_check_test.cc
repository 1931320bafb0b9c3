// The controller's check of a policy's signature sets: errors name the
// document line and the line inside the set.

#include "controlplane/compiler/signature_set_check.h"

#include <gtest/gtest.h>

#include "controlplane/compiler/policy_compiler.h"

namespace rampart::cp {
namespace {

TEST(SignatureSetCheck, ErrorsNameTheDocumentAndTheSetLine) {
  std::vector<std::string> errors;
  auto p = compile_policy_yaml(R"(signature_sets:
  - name: good
    rules: |
      alert http any any -> any any (msg:"x"; http.uri; content:"evil"; sid:1000001; rev:1;)
  - name: bad
    rules: |
      # first line is a comment
      alert http any any -> any any (msg:"y"; content:"z"; sid:1000001;)
      alert http any any -> any any (msg:"y"; bogus_keyword; sid:1000003;)
)",
                               "d.yaml", &errors);
  ASSERT_TRUE(p.ok()) << (errors.empty() ? "" : errors[0]);
  check_signature_sets(*p, &errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "d.yaml:8: error: bad:2: duplicate sid 1000001 (first at good:1)");
  EXPECT_EQ(errors[1].rfind("d.yaml:9: error: bad:3: ", 0), 0u) << errors[1];
}

TEST(SignatureSetCheck, UnsupportedRulesAreErrorsToo) {
  std::vector<std::string> errors;
  CompiledPolicy p;
  p.signature_sets.push_back({"s", "alert smb any any -> any any (msg:\"x\"; sid:9;)\n", "d.yaml:3", 5, ""});
  check_signature_sets(p, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("d.yaml:5: error: s:1: unsupported: ", 0), 0u) << errors[0];
}

TEST(SignatureSetCheck, WhatOnlyTheCompilerRefusesIsAnErrorWhenCompiling) {
  CompiledPolicy p;
  p.signature_sets.push_back({"ok", "alert http any any -> any any (msg:\"x\"; http.uri; content:\"a\"; sid:1;)\n",
                              "d.yaml:3", 5, "d.yaml:3:11"});
  p.signature_sets.push_back({"s",
                              "# comment\nalert icmp any any -> any any (msg:\"p\"; content:\"abcd\"; sid:2;)\n"
                              "alert tcp any any -> any any (msg:\"re\"; pcre:\"/a[]b/\"; sid:3;)\n",
                              "d.yaml:7", 9, "d.yaml:7:11"});
  std::vector<std::string> errors;
  check_signature_sets(p, &errors);  // parsing only: they parse
  EXPECT_TRUE(errors.empty()) << errors[0];
  SignatureCheckOptions opt;
  opt.compile = true;
  check_signature_sets(p, &errors, opt);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "d.yaml:10: error: s:2: unsupported: content on ICMP payloads is not inspected (sid 2)");
  EXPECT_EQ(errors[1].rfind("d.yaml:11: error: s:3: unsupported: ", 0), 0u) << errors[1];
}

TEST(SignatureSetCheck, ValidSetsPass) {
  std::vector<std::string> errors;
  CompiledPolicy p;
  p.signature_sets.push_back(
      {"s", "alert http any any -> any any (msg:\"x\"; http.uri; content:\"evil\"; sid:7; rev:1;)\n", "d.yaml:3", 5,
       ""});
  SignatureCheckOptions opt;
  opt.compile = true;
  check_signature_sets(p, &errors, opt);
  EXPECT_TRUE(errors.empty()) << errors[0];
}

}  // namespace
}  // namespace rampart::cp
