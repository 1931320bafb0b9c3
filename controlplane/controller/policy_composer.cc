#include "controlplane/controller/policy_composer.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "controlplane/compiler/group_resolution.h"
#include "controlplane/compiler/policy_compiler.h"
#include "controlplane/compiler/signature_set_check.h"

namespace rampart::controller {
namespace {

struct Setter {
  std::string where;  // "a.yaml:3:1"
};

bool same_sets(const std::vector<policy::SignatureSetText>& a, const std::vector<policy::SignatureSetText>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const policy::SignatureSetText& x, const policy::SignatureSetText& y) {
                      return x.name == y.name && x.text == y.text;
                    });
}

}  // namespace

bool valid_document_name(std::string_view name) { return cp::valid_policy_name(name); }

Result<policy::CompiledPolicy> compose_policy(std::vector<DocumentText> documents, std::vector<std::string>* errors,
                                          const ComposeOptions& opt) {
  std::sort(documents.begin(), documents.end(),
            [](const DocumentText& a, const DocumentText& b) { return a.name < b.name; });
  const std::size_t before = errors->size();
  policy::CompiledPolicy out;  // the v0 defaults: allow, non-IP allow
  out.origin = "controller";
  // The controller is authoritative for signature sets: the fleet runs
  // exactly the sets the documents define, possibly none.
  out.has_signature_sets = true;
  std::optional<Setter> default_action_by, non_ip_by;
  std::map<std::string, std::string> rule_at, group_at, set_at;  // name -> where it is defined
  auto unique = [&](const char* what, const std::string& name, const std::string& here,
                    std::map<std::string, std::string>& at) {
    auto [it, fresh] = at.emplace(name, here);
    if (!fresh) {
      errors->push_back(fmt::format("{}: error: duplicate {} name '{}': also defined at {} ({} names are unique "
                                    "across documents)",
                                    here, what, name, it->second, what));
    }
    return fresh;
  };
  for (const auto& doc : documents) {
    const std::string file = doc.name + ".yaml";
    auto compiled = cp::compile_policy_yaml(doc.yaml, file, errors);
    if (!compiled) continue;
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
      policy::CompiledRule& r = compiled->rules[i];
      std::string here = r.name_at;
      if (here.empty()) {
        r.name = fmt::format("{}.rule-{}", doc.name, i + 1);
        here = r.source;
      }
      if (unique("rule", r.name, here, rule_at)) out.rules.push_back(std::move(r));
    }
    for (auto& g : compiled->group_definitions) {
      if (unique("group", g.name, g.name_at, group_at)) out.group_definitions.push_back(std::move(g));
    }
    for (auto& set : compiled->signature_sets) {
      if (unique("signature set", set.name, set.name_at.empty() ? set.source : set.name_at, set_at)) {
        out.signature_sets.push_back(std::move(set));
      }
    }
  }
  // References may point into another document: checked on the whole.
  if (errors->size() == before) cp::check_group_references(out, errors);
  // Once for the whole composition: the sets are compiled together, as
  // the appliance does (sids are unique across sets).
  if (opt.checked_signature_sets == nullptr || !same_sets(out.signature_sets, *opt.checked_signature_sets)) {
    cp::SignatureCheckOptions check;
    check.compile = opt.compile_signatures;
    check.cache_dir = opt.signature_cache_dir;
    cp::check_signature_sets(out, errors, check);
  }
  const std::size_t n = errors->size() - before;
  if (n != 0) return Error{fmt::format("{} error{} in the policy documents", n, n == 1 ? "" : "s")};
  return out;
}

}  // namespace rampart::controller
