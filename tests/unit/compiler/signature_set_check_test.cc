// The controller's check of a policy's signature sets: errors name the
// document line and the line inside the set.

#include "controlplane/compiler/signature_set_check.h"

#include <gtest/gtest.h>

#include "controlplane/compiler/policy_compiler.h"

namespace rampart::cp {
namespace {

TEST(SignatureSetCheck, ErrorsNameTheDocumentAndTheSetLine) {
  std::vector<std::string> errors, warnings;
  auto p = compile_policy_yaml(R"(signature_sets:
  - name: good
    rules: |
      alert http any any -> any any (msg:"x"; content:"evil"; http.uri; sid:1000001; rev:1;)
  - name: bad
    rules: |
      # first line is a comment
      alert http any any -> any any (msg:"y"; content:"z"; sid:1000001;)
      alert http any any -> any any (msg:"y"; bogus_keyword; sid:1000003;)
)",
                               "d.yaml", &errors);
  ASSERT_TRUE(p.ok()) << (errors.empty() ? "" : errors[0]);
  check_signature_sets(*p, &errors, &warnings);
  ASSERT_EQ(errors.size() + warnings.size(), 2u);
  std::string text;
  for (const auto& e : errors) text += e + "\n";
  for (const auto& w : warnings) text += w + "\n";
  EXPECT_NE(text.find("d.yaml:8: error: bad:2: duplicate sid 1000001 (first at good:1)"), std::string::npos) << text;
  EXPECT_NE(text.find("d.yaml:9: "), std::string::npos) << text;
  EXPECT_NE(text.find("bad:3"), std::string::npos) << text;
}

TEST(SignatureSetCheck, ValidSetsPass) {
  std::vector<std::string> errors, warnings;
  CompiledPolicy p;
  p.signature_sets.push_back(
      {"s", "alert http any any -> any any (msg:\"x\"; content:\"evil\"; http.uri; sid:7; rev:1;)\n", "d.yaml:3", 5});
  check_signature_sets(p, &errors, &warnings);
  EXPECT_TRUE(errors.empty()) << errors[0];
  EXPECT_TRUE(warnings.empty());
}

}  // namespace
}  // namespace rampart::cp
