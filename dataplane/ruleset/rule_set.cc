#include "dataplane/ruleset/rule_set.h"

#include <algorithm>

#include <fmt/format.h>


namespace rampart::dp {

policy::GroupMode RuleSet::mode_of(const AclKey& key, bool ipv4) const {
  return ipv4 ? modes_->mode_of_v4(key.v4.src, key.v4.dst) : modes_->mode_of_v6(key.v6.src, key.v6.dst);
}

Result<std::unique_ptr<const RuleSet>> RuleSet::build(const policy::CompiledPolicy& policy, uint32_t generation,
                                                      int socket, const CancelCheck& cancelled) {
  // Defence in depth: a rule still naming groups would have an empty
  // src/dst here, which reads as "any address".
  if (!policy::fully_resolved(policy)) {
    return Error{fmt::format("building the rule set from {}: its groups are not resolved to addresses", policy.origin)};
  }
  std::unique_ptr<RuleSet> rs(new RuleSet());
  auto acl = AclClassifier::build(policy.rules, fmt::format("rampart_acl_g{}", generation), socket, cancelled);
  if (!acl) {
    if (is_cancelled(acl.error())) return acl.error();
    return Error{fmt::format("building the rule set from {}: {}", policy.origin, acl.error().message)};
  }
  rs->acl_ = std::move(*acl);
  if (cancel_requested(cancelled)) return cancelled_error();
  rs->verdicts_.reserve(policy.rules.size());
  rs->rules_.reserve(policy.rules.size());
  for (const auto& r : policy.rules) {
    rs->verdicts_.push_back(to_verdict(r.action));
    rs->rules_.push_back(RuleInfo{r.name, r.action, r.source});
  }
  const bool any_mode = std::any_of(policy.groups.begin(), policy.groups.end(),
                                    [](const policy::GroupScope& g) { return g.mode != policy::GroupMode::kProtect; });
  if (any_mode) {
    auto modes = GroupModeTable::build(policy.groups, cancelled);
    if (!modes) return modes.error();  // cancelled: its only failure
    rs->modes_ = std::make_unique<GroupModeTable>(std::move(*modes));
  }
  rs->default_verdict_ = to_verdict(policy.default_action);
  rs->non_ip_allow_ = policy.non_ip_allow;
  rs->generation_ = generation;
  rs->origin_ = policy.origin;
  return std::unique_ptr<const RuleSet>(std::move(rs));
}

}  // namespace rampart::dp
