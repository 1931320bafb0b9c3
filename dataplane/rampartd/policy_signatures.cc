#include "dataplane/rampartd/policy_signatures.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "controlplane/compiler/signature_parser.h"
#include "controlplane/compiler/signature_set_check.h"

namespace rampart::dp {

std::string signature_set_texts(const policy::CompiledPolicy& policy) {
  std::string texts;
  for (const auto& s : policy.signature_sets) {
    texts += fmt::format("{}:{}\n{}:{}\n", s.name.size(), s.name, s.text.size(), s.text);
  }
  return texts;
}

bool parse_policy_signature_sets(const policy::CompiledPolicy& policy, const std::vector<policy::Signature>& startup,
                                 bool api_paths, std::vector<policy::Signature>* out, std::vector<std::string>* errors) {
  const std::size_t before = errors->size();
  std::map<uint64_t, std::string> sids;  // (gid << 32 | sid) -> where
  for (const auto& s : startup) sids.emplace((uint64_t{s.gid} << 32) | s.sid, s.source);
  for (std::size_t i = 0; i < policy.signature_sets.size(); ++i) {
    const auto& set = policy.signature_sets[i];
    const std::string where = api_paths ? fmt::format("policy.signatures.sets[{}] ({})", i, set.name)
                                        : fmt::format("{}: signature set {}", policy.origin, set.name);
    cp::SignatureSet one;
    cp::parse_signatures(set.text, set.name, cp::SignatureVars::defaults(), one);
    // A policy file's rule is named by its file line (as the controller
    // does); a rule that came through the API by its place in the request.
    for (const auto& e : one.errors) {
      errors->push_back(api_paths ? fmt::format("{}: {}", where, e) : cp::signature_set_message_at(policy, e, "error"));
    }
    for (const auto& u : one.unsupported) {
      errors->push_back(api_paths ? fmt::format("{}: {}", where, u)
                                  : cp::signature_set_message_at(policy, u, "unsupported"));
    }
    for (auto& sig : one.signatures) {
      const uint64_t id = (uint64_t{sig.gid} << 32) | sig.sid;
      if (auto [it, fresh] = sids.emplace(id, sig.source); !fresh) {
        errors->push_back(fmt::format("{}: {}: error: duplicate sid {} (also at {})", where, sig.source, sig.sid,
                                      it->second));
        continue;
      }
      out->push_back(std::move(sig));
    }
  }
  return errors->size() == before;
}

std::vector<std::string> policy_compile_problems(const std::vector<std::string>& unsupported,
                                                 const std::vector<policy::Signature>& policy_sigs) {
  // Each entry starts with the signature's source: "NAME:LINE: unsupported: ...".
  std::set<std::string> sources;
  for (const auto& s : policy_sigs) sources.insert(s.source);
  std::vector<std::string> out;
  for (const auto& u : unsupported) {
    if (sources.count(u.substr(0, u.find(": "))) != 0) out.push_back(u);
  }
  return out;
}

}  // namespace rampart::dp
