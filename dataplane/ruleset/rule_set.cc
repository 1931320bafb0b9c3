#include "dataplane/ruleset/rule_set.h"

#include <algorithm>

#include <fmt/format.h>

#include "controlplane/compiler/group_resolution.h"

namespace rampart::dp {
namespace {

// Stricter modes first: the first rule that matches gives the strictest
// mode among the groups of the flow's two addresses.
int strictness_rank(cp::GroupMode m) {
  switch (m) {
    case cp::GroupMode::kProtect: return 0;
    case cp::GroupMode::kMonitor: return 1;
    case cp::GroupMode::kDiscover: return 2;
  }
  return 0;
}

}  // namespace

cp::GroupMode RuleSet::mode_of(const AclKey& key, bool ipv4) const {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(&key);
  uint32_t r = 0;
  if (ipv4) {
    modes_->classify_burst_v4(&p, &r, 1);
  } else {
    modes_->classify_burst_v6(&p, &r, 1);
  }
  return r == 0 ? cp::GroupMode::kProtect : mode_of_rule_[r - 1];
}

Result<std::unique_ptr<const RuleSet>> RuleSet::build(const cp::CompiledPolicy& policy, uint32_t generation,
                                                      int socket) {
  // Defence in depth: a rule still naming groups would have an empty
  // src/dst here, which reads as "any address".
  if (!cp::fully_resolved(policy)) {
    return Error{fmt::format("building the rule set from {}: its groups are not resolved to addresses", policy.origin)};
  }
  std::unique_ptr<RuleSet> rs(new RuleSet());
  auto acl = AclClassifier::build(policy.rules, fmt::format("rampart_acl_g{}", generation), socket);
  if (!acl) return Error{fmt::format("building the rule set from {}: {}", policy.origin, acl.error().message)};
  rs->acl_ = std::move(*acl);
  for (const auto& r : policy.rules) {
    rs->verdicts_.push_back(to_verdict(r.action));
    rs->rules_.push_back(RuleInfo{r.name, r.action, r.source});
  }
  const bool any_mode = std::any_of(policy.groups.begin(), policy.groups.end(),
                                    [](const cp::GroupScope& g) { return g.mode != cp::GroupMode::kProtect; });
  if (any_mode) {
    std::vector<const cp::GroupScope*> order;
    for (const auto& g : policy.groups) {
      // A group without members matches nothing (an empty CIDR list would
      // mean "any address").
      if (!g.members.empty()) order.push_back(&g);
    }
    std::stable_sort(order.begin(), order.end(), [](const cp::GroupScope* a, const cp::GroupScope* b) {
      return strictness_rank(a->mode) < strictness_rank(b->mode);
    });
    std::vector<cp::CompiledRule> mode_rules;
    for (const cp::GroupScope* g : order) {
      cp::CompiledRule from;
      from.name = g->name;
      from.src = g->members;
      cp::CompiledRule to;
      to.name = g->name;
      to.dst = g->members;
      mode_rules.push_back(std::move(from));
      mode_rules.push_back(std::move(to));
      rs->mode_of_rule_.push_back(g->mode);
      rs->mode_of_rule_.push_back(g->mode);
    }
    auto modes = AclClassifier::build(mode_rules, fmt::format("rampart_mode_g{}", generation), socket);
    if (!modes) return Error{fmt::format("building the group modes of {}: {}", policy.origin, modes.error().message)};
    rs->modes_ = std::move(*modes);
  }
  rs->default_verdict_ = to_verdict(policy.default_action);
  rs->non_ip_allow_ = policy.non_ip_allow;
  rs->generation_ = generation;
  rs->origin_ = policy.origin;
  return std::unique_ptr<const RuleSet>(std::move(rs));
}

}  // namespace rampart::dp
