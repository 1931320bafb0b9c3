#pragma once
// Group resolution: a compiled policy's groups (label selector and/or
// static CIDRs) become addresses. Fills CompiledPolicy::groups (one
// GroupScope per definition; members: the static CIDRs plus the host
// prefix, /32 or /128, of every workload whose labels contain all the
// selector's pairs; sorted, deduplicated) and expands every rule's group
// references into its src / dst.
//
// Safety: an empty src / dst means "any address". A rule whose side named
// groups and ended up with no address matches nothing, so it is left out
// of the resolved rules (never widened to "any") and reported as an
// InactiveRule; so is a rule whose resolved addresses can never match
// (no IP family in common, or ICMP against IPv6 only).
//
// The controller resolves against its inventory (desired_state.h); a
// standalone rampartd has no inventory and uses resolve_static_groups
// (compile_policy_file does). Pure functions: cold, allocating, any thread.

#include <map>
#include <string>
#include <vector>

#include "controlplane/compiler/model.h"
#include "common/result.h"

namespace rampart::cp {

// One workload address and its labels, as the inventory knows them.
struct LabeledAddress {
  Cidr host;  // a host prefix: /32 (IPv4) or /128 (IPv6)
  std::map<std::string, std::string> labels;
};

// A rule resolution left out because it matches nothing.
struct InactiveRule {
  std::string rule;    // its name
  std::string source;  // "file:line" of the rule
  std::string why;     // e.g. "dst group 'web' has no members"
};

// "file:line: <severity>: rule 'NAME' is inactive (left out): WHY"
std::string format_inactive(const InactiveRule& r, const char* severity);

// Every group reference of every rule names a group the policy defines.
// Errors are appended at the reference: "file:line:col: error: ...".
void check_group_references(const CompiledPolicy& policy, std::vector<std::string>* errors);

// Resolves `policy` in place against `workloads` (see above). Fails, with
// `policy` unchanged, only if a reference names an undefined group
// (check_group_references reports those with positions). Afterwards the
// policy is fully_resolved(); inactive rules are appended to *inactive.
Result<Ok> resolve_groups(CompiledPolicy& policy, const std::vector<LabeledAddress>& workloads,
                          std::vector<InactiveRule>* inactive);

// Resolution without an inventory (standalone rampartd): groups with a
// selector, unknown references and rules that can never match are errors
// (each "file:line[:col]: error: ..." in *errors), and `policy` is left
// unchanged; else as resolve_groups.
Result<Ok> resolve_static_groups(CompiledPolicy& policy, std::vector<std::string>* errors);

}  // namespace rampart::cp
