#pragma once
// RuleSet: the immutable, fully built policy the workers classify against:
// the rte_acl contexts, each rule's action and name, the default action,
// the non-IP action and, when some group is not in protect mode, the table
// that gives a new flow's group mode (group_mode_table.h; docs/policy.md,
// "Groups and modes"). Built (cold) by the control thread from a
// CompiledPolicy; published only if every step succeeded. Workers read it
// concurrently and never modify it.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/policy/compiled_policy.h"
#include "dataplane/classify/acl_classifier.h"
#include "dataplane/classify/group_mode_table.h"
#include "common/cancel_check.h"
#include "common/result.h"
#include "dataplane/conntrack/flow.h"

namespace rampart::dp {

struct RuleInfo {
  std::string name;
  policy::Action action;
  std::string source;  // file:line
};

class RuleSet {
 public:
  // `cancelled` is asked between the steps and inside the long loops
  // (cancel_check.h); when it says true the build fails with
  // cancelled_error().
  // The rte_acl builds themselves (bounded by the rule count) cannot be
  // interrupted.
  static Result<std::unique_ptr<const RuleSet>> build(const policy::CompiledPolicy& policy, uint32_t generation,
                                                      int socket, const CancelCheck& cancelled = {});

  // Verdict for an ACL result (0: no rule matched -> default action).
  FlowVerdict verdict(uint32_t rule_number) const {
    return rule_number == 0 ? default_verdict_ : verdicts_[rule_number - 1];
  }
  const AclClassifier& acl() const { return *acl_; }
  // Whether any group is in monitor or discover mode (else every flow is
  // protect and mode_of() need not be called).
  bool has_modes() const { return modes_ != nullptr; }
  // The mode of a new flow: the strictest of the groups its addresses
  // belong to; protect when in none. `key` as for acl() (make_acl_key).
  policy::GroupMode mode_of(const AclKey& key, bool ipv4) const;
  bool non_ip_allow() const { return non_ip_allow_; }
  uint32_t generation() const { return generation_; }
  FlowVerdict default_verdict() const { return default_verdict_; }
  const std::vector<RuleInfo>& rules() const { return rules_; }
  const std::string& origin() const { return origin_; }

 private:
  RuleSet() = default;
  std::unique_ptr<AclClassifier> acl_;
  std::unique_ptr<GroupModeTable> modes_;  // nullptr: every group protects
  std::vector<FlowVerdict> verdicts_;
  std::vector<RuleInfo> rules_;
  std::string origin_;
  FlowVerdict default_verdict_ = FlowVerdict::kAllow;
  bool non_ip_allow_ = true;
  uint32_t generation_ = 0;
};

// What a flow's packets get: the rules' verdict in protect mode, forwarded
// otherwise (monitor and discover never drop).
inline FlowVerdict enforced_verdict(FlowVerdict policy, policy::GroupMode mode) {
  return mode == policy::GroupMode::kProtect ? policy : FlowVerdict::kAllow;
}

inline FlowVerdict to_verdict(policy::Action a) {
  switch (a) {
    case policy::Action::kAllow: return FlowVerdict::kAllow;
    case policy::Action::kDeny: return FlowVerdict::kDeny;
    case policy::Action::kReject: return FlowVerdict::kReject;
  }
  return FlowVerdict::kDeny;
}

}  // namespace rampart::dp
