#include "controlplane/compiler/signature_set_check.h"

#include <charconv>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "controlplane/compiler/signature_compiler.h"
#include "controlplane/compiler/signature_parser.h"

namespace rampart::cp {
namespace {

// The parser reports "SET:LINE: error: message" (SET is the origin we gave
// it, a set name, which has no ':') or "SET:LINE: unsupported: message";
// rewritten as "DOC:LINE': error: SET:LINE: [unsupported: ]message",
// DOC:LINE' being the rule's place in the document.
std::string relocate(const std::string& msg, const std::map<std::string, const SignatureSetText*>& sets,
                     std::string_view kind) {
  const auto c1 = msg.find(':');
  if (c1 == std::string::npos) return msg;
  auto it = sets.find(msg.substr(0, c1));
  const auto c2 = msg.find(':', c1 + 1);
  int line = 0;
  if (it == sets.end() || c2 == std::string::npos) return msg;
  std::from_chars(msg.data() + c1 + 1, msg.data() + c2, line);
  const SignatureSetText& set = *it->second;
  std::string where = set.source;
  if (set.text_line > 0 && line > 0) {
    where = fmt::format("{}:{}", set.source.substr(0, set.source.rfind(':')), set.text_line + line - 1);
  }
  std::string rest = msg.substr(c2 + 1);  // " error: message" / " unsupported: message"
  const std::string tag = fmt::format(" {}: ", kind);
  if (rest.rfind(tag, 0) == 0) rest = rest.substr(tag.size());
  return fmt::format("{}: error: {}: {}{}", where, msg.substr(0, c2), kind == "error" ? "" : "unsupported: ", rest);
}

}  // namespace

std::string signature_set_message_at(const CompiledPolicy& policy, const std::string& message, std::string_view kind) {
  std::map<std::string, const SignatureSetText*> by_name;
  for (const auto& set : policy.signature_sets) by_name[set.name] = &set;
  return relocate(message, by_name, kind);
}

void check_signature_sets(const CompiledPolicy& policy, std::vector<std::string>* errors,
                          const SignatureCheckOptions& opt) {
  const SignatureVars vars = SignatureVars::defaults();
  SignatureSet all;
  std::map<std::string, const SignatureSetText*> by_name;
  for (const auto& set : policy.signature_sets) {
    by_name[set.name] = &set;
    parse_signatures(set.text, set.name, vars, all);
  }
  for (const auto& e : all.errors) errors->push_back(relocate(e, by_name, "error"));
  for (const auto& u : all.unsupported) errors->push_back(relocate(u, by_name, "unsupported"));
  // The compiler's own refusals come after the parser's, like on the
  // appliance, which stops before compiling a set that does not parse.
  if (!opt.compile || !all.errors.empty() || !all.unsupported.empty() || all.signatures.empty()) return;
  SignatureCompileOptions copt;
  copt.cache_dir = opt.cache_dir;
  copt.threads = opt.threads;
  auto compiled = compile_signatures(std::move(all.signatures), copt);
  if (!compiled) {
    errors->push_back(
        fmt::format("{}: error: signature sets: {}", policy.signature_sets.front().source, compiled.error().message));
    return;
  }
  for (const auto& u : compiled->unsupported) errors->push_back(relocate(u, by_name, "unsupported"));
}

}  // namespace rampart::cp
