#include "controlplane/controller/policy_composer.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "controlplane/compiler/policy_compiler.h"

namespace rampart::controller {
namespace {

struct Setter {
  std::string where;  // "a.yaml:3:1"
};

}  // namespace

bool valid_document_name(std::string_view name) { return cp::valid_policy_name(name); }

Result<cp::CompiledPolicy> compose_policy(std::vector<DocumentText> documents, std::vector<std::string>* errors) {
  std::sort(documents.begin(), documents.end(),
            [](const DocumentText& a, const DocumentText& b) { return a.name < b.name; });
  const std::size_t before = errors->size();
  cp::CompiledPolicy out;  // the v0 defaults: allow, non-IP allow
  out.origin = "controller";
  std::optional<Setter> default_action_by, non_ip_by;
  std::map<std::string, std::string> rule_at;  // name -> where it is defined
  for (const auto& doc : documents) {
    const std::string file = doc.name + ".yaml";
    auto compiled = cp::compile_policy_yaml(doc.yaml, file, errors);
    if (!compiled) continue;
    // TODO(rampart): resolution against the inventory; until then refuse
    // what cannot be resolved (an empty src/dst would read as "any").
    if (!compiled->group_definitions.empty() || !compiled->signature_sets.empty() ||
        std::any_of(compiled->rules.begin(), compiled->rules.end(),
                    [](const cp::CompiledRule& r) { return !r.src_groups.empty() || !r.dst_groups.empty(); })) {
      errors->push_back(fmt::format("{}: error: groups and signature sets are not supported by this controller yet",
                                    file));
      continue;
    }
    // Where the document sets default_action / non_ip and names its rules
    // comes from the compiler: the YAML is parsed once.
    auto claim = [&](const std::string& here, const char* key, std::optional<Setter>* by) {
      if (here.empty()) return false;
      if (*by) {
        errors->push_back(fmt::format("{}: error: '{}' is already set by {}: at most one document may set it", here,
                                      key, (*by)->where));
        return false;
      }
      *by = Setter{here};
      return true;
    };
    if (claim(compiled->default_action_at, "default_action", &default_action_by)) {
      out.default_action = compiled->default_action;
    }
    if (claim(compiled->non_ip_at, "non_ip", &non_ip_by)) out.non_ip_allow = compiled->non_ip_allow;
    for (std::size_t i = 0; i < compiled->rules.size(); ++i) {
      cp::CompiledRule& r = compiled->rules[i];
      std::string here = r.name_at;
      if (here.empty()) {
        r.name = fmt::format("{}.rule-{}", doc.name, i + 1);
        here = r.source;
      }
      auto [it, fresh] = rule_at.emplace(r.name, here);
      if (!fresh) {
        errors->push_back(fmt::format("{}: error: duplicate rule name '{}': also defined at {} (rule names are "
                                      "unique across documents)",
                                      here, r.name, it->second));
        continue;
      }
      out.rules.push_back(std::move(r));
    }
  }
  const std::size_t n = errors->size() - before;
  if (n != 0) return Error{fmt::format("{} error{} in the policy documents", n, n == 1 ? "" : "s")};
  return out;
}

}  // namespace rampart::controller
