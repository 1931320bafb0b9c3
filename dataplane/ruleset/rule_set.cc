#include "dataplane/ruleset/rule_set.h"

#include <fmt/format.h>

namespace rampart::dp {

Result<std::unique_ptr<const RuleSet>> RuleSet::build(const cp::CompiledPolicy& policy, uint32_t generation,
                                                      int socket) {
  std::unique_ptr<RuleSet> rs(new RuleSet());
  auto acl = AclClassifier::build(policy.rules, fmt::format("rampart_acl_g{}", generation), socket);
  if (!acl) return Error{fmt::format("building the rule set from {}: {}", policy.origin, acl.error().message)};
  rs->acl_ = std::move(*acl);
  for (const auto& r : policy.rules) {
    rs->verdicts_.push_back(to_verdict(r.action));
    rs->rules_.push_back(RuleInfo{r.name, r.action, r.source});
  }
  rs->default_verdict_ = to_verdict(policy.default_action);
  rs->non_ip_allow_ = policy.non_ip_allow;
  rs->generation_ = generation;
  rs->origin_ = policy.origin;
  return std::unique_ptr<const RuleSet>(std::move(rs));
}

}  // namespace rampart::dp
