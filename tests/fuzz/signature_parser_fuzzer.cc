// libFuzzer target for the signature parser (controlplane/compiler/
// signature_parser.cc). The input is rule text. Invariants:
//  - every rule line is accounted for exactly once:
//    signatures + errors + unsupported == rule_lines;
//  - every message names its origin and says "error" or "unsupported";
//  - a loaded signature is consistent: unique gid:sid, at least one content
//    or pcre, non-empty content bytes, depth/within cover their content,
//    relative and absolute modifiers not mixed, flow directions exclusive;
//  - parsing is deterministic, and splitting the text at a line boundary
//    (outside a '\' continuation) into two parse_signatures calls on the same
//    set gives the same counts (duplicate sids are still caught across calls);
//  - no crash, no out-of-bounds access (ASan/UBSan in tools/fuzz.sh), no hang
//    on deep brackets, long lines or long continuation chains.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "controlplane/compiler/signature_parser.h"

namespace {

using rampart::cp::parse_signatures;
using rampart::policy::Signature;
using rampart::cp::SignatureSet;
using rampart::cp::SignatureVars;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "signature_parser_fuzzer: invariant violated: %s\n", what);
  std::abort();
}

void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

void check_set(const SignatureSet& set, const std::string& origin) {
  check(set.signatures.size() + set.errors.size() + set.unsupported.size() == set.rule_lines,
        "signatures + errors + unsupported != rule_lines");
  for (const std::string& e : set.errors) {
    check(starts_with(e, origin + ":"), "error message does not start with the origin");
    check(e.find(": error: ") != std::string::npos, "error message lacks ': error: '");
  }
  for (const std::string& u : set.unsupported) {
    check(starts_with(u, origin + ":"), "unsupported message does not start with the origin");
    check(u.find(": unsupported: ") != std::string::npos, "unsupported message lacks ': unsupported: '");
  }
  std::set<uint64_t> ids;
  for (const Signature& s : set.signatures) {
    check(ids.insert((uint64_t{s.gid} << 32) | s.sid).second, "duplicate gid:sid loaded");
    check(!s.contents.empty() || !s.pcres.empty(), "signature without content or pcre loaded");
    check(starts_with(s.source, origin + ":"), "signature source does not name the origin");
    check(!(s.flow_to_server && s.flow_to_client), "flow to_server and to_client together");
    for (const auto& c : s.contents) {
      check(!c.bytes.empty(), "empty content loaded");
      const bool has_abs = c.offset >= 0 || c.depth >= 0;
      const bool has_rel = c.distance != INT32_MIN || c.within >= 0;
      check(!(has_abs && has_rel), "content mixes relative and absolute modifiers");
      check(c.offset >= -1 && c.depth >= -1 && c.within >= -1, "negative offset/depth/within loaded");
      check(c.depth < 0 || static_cast<std::size_t>(c.depth) >= c.bytes.size(), "depth shorter than content");
      check(c.within < 0 || static_cast<std::size_t>(c.within) >= c.bytes.size(), "within shorter than content");
    }
  }
}

// A split point after a '\n' whose physical line does not continue ('\' or
// '\\\r' at its end), picked from the input's first byte.
std::size_t split_point(std::string_view text, uint8_t pick) {
  std::size_t candidates[64];
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size() && n < 64; ++i) {
    if (text[i] != '\n') continue;
    std::size_t end = i;
    if (end > 0 && text[end - 1] == '\r') --end;
    if (end > 0 && text[end - 1] == '\\') continue;
    candidates[n++] = i + 1;
  }
  if (n == 0) return text.size();
  return candidates[pick % n];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const SignatureVars vars = SignatureVars::defaults();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string origin = "fuzz.rules";

  SignatureSet whole;
  parse_signatures(text, origin, vars, whole);
  check_set(whole, origin);

  SignatureSet again;
  parse_signatures(text, origin, vars, again);
  check(again.rule_lines == whole.rule_lines && again.signatures.size() == whole.signatures.size() &&
            again.errors == whole.errors && again.unsupported == whole.unsupported,
        "parsing is not deterministic");

  // Two calls, one set: the counts must not depend on where the text is cut.
  const std::size_t cut = split_point(text, size > 0 ? data[0] : 0);
  SignatureSet split;
  parse_signatures(text.substr(0, cut), origin, vars, split);
  parse_signatures(text.substr(cut), origin, vars, split);
  check_set(split, origin);
  check(split.rule_lines == whole.rule_lines, "rule_lines depends on the split");
  check(split.signatures.size() == whole.signatures.size(), "loaded signatures depend on the split");
  check(split.errors.size() == whole.errors.size(), "error count depends on the split");
  check(split.unsupported.size() == whole.unsupported.size(), "unsupported count depends on the split");
  return 0;
}
