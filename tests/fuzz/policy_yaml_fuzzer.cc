// libFuzzer target for the policy compiler's front end: the checked YAML
// loader (controlplane/compiler/yaml_load.cc) and compile_policy_yaml
// (policy_compiler.cc), plus the CIDR parser (cidr.cc) on the input's
// first line. The input is policy YAML. Invariants:
//  - no exception leaves our code, no crash, no hang (aliases are never
//    expanded: a "billion laughs" input stays linear);
//  - the loader's problem count is the number of errors it appended, and
//    every message reads "p.yaml:LINE:COLUMN: error: ..." (or
//    "p.yaml: error: ..." without a position);
//  - compile_policy_yaml succeeds iff it appended no error, and is
//    deterministic;
//  - a compiled policy's CIDRs have a prefix length within their family
//    and no host bits, and survive format_cidr -> parse_cidr unchanged;
//  - parse_cidr accepts a text only if it is the canonical address with an
//    optional decimal prefix (no sign, no leading zero, no space, no '%'),
//    and what it accepts formats back to an equal prefix.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "controlplane/compiler/cidr.h"
#include "controlplane/compiler/policy_compiler.h"
#include "controlplane/compiler/yaml_load.h"

namespace {

using rampart::policy::Cidr;
using rampart::cp::format_cidr;
using rampart::cp::parse_cidr;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "policy_yaml_fuzzer: invariant violated: %s\n", what);
  std::abort();
}

void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

bool well_formed_message(const std::string& e) {
  if (e.rfind("p.yaml: error: ", 0) == 0) return true;
  if (e.rfind("p.yaml:", 0) != 0) return false;
  std::size_t i = 7;
  for (int field = 0; field < 2; ++field) {
    const std::size_t from = i;
    while (i < e.size() && e[i] >= '0' && e[i] <= '9') ++i;
    if (i == from || i >= e.size() || e[i] != ':') return false;
    ++i;
  }
  return e.compare(i, 8, " error: ") == 0;
}

bool same(const Cidr& a, const Cidr& b) {
  return a.family == b.family && a.prefix_len == b.prefix_len && a.addr == b.addr;
}

void check_cidr(const Cidr& c) {
  check(c.family == 4 || c.family == 6, "CIDR family");
  check(c.prefix_len <= (c.family == 4 ? 32 : 128), "CIDR prefix length out of range");
  std::string why;
  const auto again = parse_cidr(format_cidr(c), &why);
  check(again.has_value() && same(*again, c), "a compiled CIDR does not survive format -> parse");
}

void check_cidr_text(std::string_view text) {
  std::string why;
  const auto c = parse_cidr(text, &why);
  if (!c) {
    check(!why.empty(), "parse_cidr refused without a reason");
    return;
  }
  check_cidr(*c);
  for (const char ch : text) check(ch != ' ' && ch != '\t' && ch != '%' && ch != '+', "accepted a space, '%' or '+'");
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const std::string_view len = text.substr(slash + 1);
    check(!len.empty() && (len.size() == 1 || len[0] != '0'), "accepted an empty prefix or a leading zero");
    check(std::to_string(c->prefix_len) == len, "prefix length differs from the text");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_cidr_text(text.substr(0, text.find('\n')));

  std::vector<std::string> load_errors;
  const auto loaded = rampart::cp::load_yaml_checked(text, "p.yaml", &load_errors);
  for (const auto& e : load_errors) check(well_formed_message(e), "loader message is not p.yaml:LINE:COL: error:");
  if (loaded.ok()) {
    check(loaded.value().problems == static_cast<int>(load_errors.size()), "problem count != errors appended");
  } else {
    check(!load_errors.empty(), "loader failed without an error");
  }

  std::vector<std::string> errors;
  const auto policy = rampart::cp::compile_policy_yaml(text, "p.yaml", &errors);
  check(policy.ok() == errors.empty(), "compile result disagrees with its errors");
  check(errors.size() >= load_errors.size(), "the compiler dropped the loader's errors");
  for (const auto& e : errors) check(well_formed_message(e), "compiler message is not p.yaml:LINE:COL: error:");
  if (policy.ok()) {
    for (const auto& r : policy.value().rules) {
      for (const auto& c : r.src) check_cidr(c);
      for (const auto& c : r.dst) check_cidr(c);
    }
    for (const auto& g : policy.value().group_definitions) {
      for (const auto& c : g.cidrs) check_cidr(c);
    }
  }

  std::vector<std::string> again;
  const auto policy2 = rampart::cp::compile_policy_yaml(text, "p.yaml", &again);
  check(again == errors && policy2.ok() == policy.ok(), "compile is not deterministic");
  return 0;
}
