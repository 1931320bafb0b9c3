// The checked YAML loader (controlplane/compiler/yaml_load.h): duplicate
// keys, merge keys, non-scalar keys and second documents are errors with
// file:line:column (both places for a duplicate), every one is reported,
// and policy compilation goes through it (a duplicate can no longer make
// the last value win).

#include "controlplane/compiler/yaml_load.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "controlplane/compiler/policy_compiler.h"

namespace rampart::cp {
namespace {

std::string all(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += e + "\n";
  return s;
}

// The loader's errors for `text` (named y.yaml); the root must load.
std::vector<std::string> problems(const std::string& text) {
  std::vector<std::string> errors;
  auto loaded = load_yaml_checked(text, "y.yaml", &errors);
  EXPECT_TRUE(loaded.ok()) << all(errors);
  if (loaded.ok()) {
    EXPECT_EQ(loaded->problems, static_cast<int>(errors.size())) << all(errors);
  }
  return errors;
}

TEST(YamlLoad, CleanTextHasNoProblems) {
  std::vector<std::string> errors;
  auto loaded = load_yaml_checked("---\na: 1\nb: {c: [1, 2], d: x}\n...\n# trailing comment\n", "y.yaml", &errors);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->problems, 0);
  EXPECT_TRUE(errors.empty()) << all(errors);
  EXPECT_EQ(loaded->root["b"]["d"].Scalar(), "x");
}

TEST(YamlLoad, DuplicateKeyNamesBothPlaces) {
  const auto e = problems("a: 1\nb: 2\na: 3\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "y.yaml:3:1: error: duplicate key 'a' (first at y.yaml:1:1)");
}

TEST(YamlLoad, DuplicatesAtAnyDepthAndInFlowStyleAreAllReported) {
  const auto e = problems(
      "top:\n"
      "  - name: x\n"
      "    inner: {k: 1, k: 2}\n"
      "    deeper:\n"
      "      - {p: {q: 1, q: 2}}\n"
      "    name: y\n"
      "top: again\n");
  ASSERT_EQ(e.size(), 4u) << all(e);
  EXPECT_EQ(e[0], "y.yaml:3:19: error: duplicate key 'k' (first at y.yaml:3:13)");
  EXPECT_EQ(e[1], "y.yaml:5:20: error: duplicate key 'q' (first at y.yaml:5:14)");
  EXPECT_EQ(e[2], "y.yaml:6:5: error: duplicate key 'name' (first at y.yaml:2:5)");
  EXPECT_EQ(e[3], "y.yaml:7:1: error: duplicate key 'top' (first at y.yaml:1:1)");
}

TEST(YamlLoad, ThirdOccurrenceIsReportedAgainstTheFirst) {
  const auto e = problems("a: 1\na: 2\na: 3\n");
  ASSERT_EQ(e.size(), 2u) << all(e);
  EXPECT_EQ(e[1], "y.yaml:3:1: error: duplicate key 'a' (first at y.yaml:1:1)");
}

TEST(YamlLoad, SameMapOnlyNotSiblings) {
  // Equal keys in different mappings are not duplicates.
  EXPECT_TRUE(problems("l:\n  - {a: 1}\n  - {a: 2}\nm: {a: 1}\n").empty());
}

TEST(YamlLoad, KeysEqualAfterQuotingOrScalarResolution) {
  struct Pair {
    const char* first;
    const char* second;
    bool duplicate;
  };
  const Pair pairs[] = {
      {"a", "\"a\"", true},        // quoting does not change a string
      {"'a'", "\"a\"", true},
      {"1", "0x1", true},          // core schema ints
      {"1", "+1", true},
      {"8", "0o10", true},
      {"0", "-0", true},
      {"007", "7", true},
      {"true", "True", true},      // core schema bools
      {"FALSE", "false", true},
      {"null", "~", true},         // core schema nulls
      {"1.0", "1e0", true},        // core schema floats
      {".inf", "+.INF", true},
      {"\"1\"", "1", true},        // our readers see the text "1" for both
      {"\"0x1\"", "1", false},     // a quoted scalar is a string: not resolved
      {"1", "1.0", false},         // an int and a float are different values
      {"a", "A", false},
      {"yes", "true", false},      // YAML 1.1 booleans are strings in 1.2
  };
  for (const Pair& p : pairs) {
    const auto e = problems(std::string(p.first) + ": 1\n" + p.second + ": 2\n");
    EXPECT_EQ(e.size(), p.duplicate ? 1u : 0u) << p.first << " vs " << p.second << ": " << all(e);
    if (p.duplicate && !e.empty()) {
      EXPECT_NE(e[0].find("(first at y.yaml:1:1)"), std::string::npos) << e[0];
    }
  }
}

TEST(YamlLoad, AliasKeyCountsAsItsScalar) {
  const auto e = problems("&k a: 1\n*k : 2\n");
  ASSERT_EQ(e.size(), 1u) << all(e);
  EXPECT_EQ(e[0], "y.yaml:2:1: error: duplicate key 'a' (first at y.yaml:1:1)");
}

TEST(YamlLoad, MergeKeysAreRefused) {
  const auto e = problems("base: &b {action: deny}\nrule:\n  <<: *b\n  action: allow\n");
  ASSERT_EQ(e.size(), 1u) << all(e);
  EXPECT_EQ(e[0], "y.yaml:3:3: error: merge keys ('<<') are not supported: write the keys out");
  // A quoted "<<" is an ordinary key.
  EXPECT_TRUE(problems("\"<<\": 1\n").empty());
}

TEST(YamlLoad, NonScalarKeysAreRefused) {
  const auto e = problems("? [a, b]\n: 1\n? {c: d}\n: 2\n");
  ASSERT_EQ(e.size(), 2u) << all(e);
  EXPECT_EQ(e[0], "y.yaml:1:3: error: a mapping key must be a scalar, not a mapping or a list");
  EXPECT_EQ(e[1], "y.yaml:3:3: error: a mapping key must be a scalar, not a mapping or a list");
}

TEST(YamlLoad, SecondDocumentIsAnErrorAtItsLine) {
  auto e = problems("a: 1\n---\nb: 2\n");
  ASSERT_EQ(e.size(), 1u) << all(e);
  EXPECT_EQ(e[0].rfind("y.yaml:2:1: error: a second YAML document starts here", 0), 0u) << e[0];
  // An empty document after '---' is a second document too.
  e = problems("a: 1\n---\n# nothing\n");
  ASSERT_EQ(e.size(), 1u) << all(e);
  EXPECT_EQ(e[0].rfind("y.yaml:2:1: error:", 0), 0u) << e[0];
  // A leading '---' and a closing '...' are one document.
  EXPECT_TRUE(problems("---\na: 1\n...\n").empty());
}

TEST(YamlLoad, SyntaxErrorIsAnErrorWithPosition) {
  std::vector<std::string> errors;
  auto loaded = load_yaml_checked("a: [1, 2\nb: 3\n", "y.yaml", &errors);
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("y.yaml:", 0), 0u);
  EXPECT_NE(errors[0].find("error: YAML syntax"), std::string::npos);
}

// Found by the policy_yaml fuzzer: yaml-cpp 0.7 returns empty documents
// for this text forever without reading on; the loader looped.
TEST(YamlLoad, TextYamlCppCannotReadPastIsASyntaxErrorNotAHang) {
  for (const char* text : {",0x, ]\nb: &b [*f]\n", ", ]\n", "a: 1\n---\n, ]\n"}) {
    std::vector<std::string> errors;
    auto loaded = load_yaml_checked(text, "y.yaml", &errors);
    EXPECT_FALSE(loaded.ok() && loaded->problems == 0) << text;
    EXPECT_FALSE(errors.empty()) << text;
  }
  std::vector<std::string> errors;
  EXPECT_FALSE(load_yaml_checked(", ]\n", "y.yaml", &errors).ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("y.yaml:1:1: error: YAML syntax: ", 0), 0u) << errors[0];
}

TEST(YamlLoad, DeepNestingIsAnErrorNotACrash) {
  std::vector<std::string> errors;
  const std::string deep = "a: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  auto loaded = load_yaml_checked(deep, "y.yaml", &errors);
  EXPECT_FALSE(loaded.ok());
  EXPECT_FALSE(errors.empty());
}

TEST(YamlLoad, AliasesAreNotExpanded) {
  // "Billion laughs": 10 levels of 10 aliases each is 10^10 nodes if a
  // check walked the expanded tree. The check sees each alias once.
  std::ostringstream y;
  y << "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 10; ++i) {
    y << "l" << i << ": &l" << i << " [";
    for (int j = 0; j < 10; ++j) y << (j ? ", " : "") << "*l" << i - 1;
    y << "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(problems(y.str()).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// The defect as found: the last value won.
TEST(YamlLoad, PolicyWithDuplicateKeysIsRefusedNotTheLastWins) {
  std::vector<std::string> errors;
  auto p = compile_policy_yaml(R"(default_action: deny
rules:
  - name: r
    action: deny
    action: allow
    protocol: tcp
    dst_ports: 22
  - name: s
    action: deny
    dst: {a: 1}
default_action: allow
)",
                               "p.yaml", &errors);
  ASSERT_FALSE(p.ok());
  const std::string e = all(errors);
  EXPECT_NE(e.find("p.yaml:5:5: error: duplicate key 'action' (first at p.yaml:4:5)"), std::string::npos) << e;
  EXPECT_NE(e.find("p.yaml:11:1: error: duplicate key 'default_action' (first at p.yaml:1:1)"), std::string::npos)
      << e;
  // The compiler's own errors are still reported beside the loader's.
  EXPECT_NE(e.find("p.yaml:10:10: error: 'dst' must be a value or a list of values"), std::string::npos) << e;
  EXPECT_EQ(errors.size(), 3u) << e;
  EXPECT_NE(p.error().message.find("3 errors"), std::string::npos) << p.error().message;
}

TEST(YamlLoad, PolicyWithTwoDocumentsIsRefused) {
  std::vector<std::string> errors;
  auto p = compile_policy_yaml("default_action: deny\n---\ndefault_action: allow\n", "p.yaml", &errors);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 1u) << all(errors);
  EXPECT_EQ(errors[0].rfind("p.yaml:2:1: error: a second YAML document starts here", 0), 0u) << errors[0];
}

TEST(YamlLoad, PolicyFileDuplicateNamesTheFile) {
  const std::string path = ::testing::TempDir() + "/dup-policy.yaml";
  {
    std::ofstream f(path);
    f << "non_ip: deny\nnon_ip: allow\n";
  }
  std::vector<std::string> errors;
  auto p = compile_policy_file(path, &errors);
  std::filesystem::remove(path);
  ASSERT_FALSE(p.ok());
  ASSERT_EQ(errors.size(), 1u) << all(errors);
  EXPECT_EQ(errors[0], path + ":2:1: error: duplicate key 'non_ip' (first at " + path + ":1:1)");
}

// Every C++ YAML read goes through load_yaml_checked: no other source file
// of the project calls yaml-cpp's loaders.
TEST(YamlLoad, IsTheOnlyYamlEntryPoint) {
  namespace fs = std::filesystem;
  const fs::path root = RAMPART_SOURCE_ROOT;
  std::vector<std::string> offenders;
  for (const char* dir : {"controlplane", "dataplane", "tools"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      const auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".cc" && ext != ".h")) continue;
      if (e.path().filename() == "yaml_load.cc") continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text = ss.str();
      for (const char* call : {"YAML::Load", "YAML::LoadFile", "YAML::LoadAll", "YAML::Parser"}) {
        if (text.find(call) != std::string::npos) offenders.push_back(e.path().string() + ": " + call);
      }
    }
  }
  EXPECT_TRUE(offenders.empty()) << all(offenders);
}

}  // namespace
}  // namespace rampart::cp
