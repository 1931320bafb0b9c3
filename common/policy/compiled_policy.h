#pragma once
// CompiledPolicy: the plain-data output of the policy compiler
// (controlplane/compiler), consumed by the dataplane's RuleSet builder and
// by the controller. Part of the bottom layer (common/): no DPDK, no YAML,
// no protobuf; both sides include it, it includes neither.

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/policy/cidr.h"

namespace rampart::policy {

enum class Action : uint8_t { kAllow = 0, kDeny = 1, kReject = 2 };

const char* action_name(Action a);

struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 65535;
};

// A "group:NAME" entry of a rule's src or dst as written, before the
// group is resolved to addresses (controlplane/compiler/group_resolution.h).
struct GroupRef {
  std::string name;
  std::string at;  // "file:line:col" of the entry, for messages
};

struct CompiledRule {
  std::string name;
  Action action = Action::kAllow;
  int protocol = -1;  // -1: any, else the IP protocol number
  std::vector<Cidr> src;  // empty: any address of either family
  std::vector<Cidr> dst;
  std::vector<PortRange> src_ports;  // empty: any port
  std::vector<PortRange> dst_ports;
  std::string source;  // "file:line" of the rule, for messages
  std::string name_at;  // "file:line:col" of an explicit `name`; empty: the name is the default rule-<index>
  // Unresolved group references of src / dst. Resolution adds the groups'
  // members to src / dst and clears these (or leaves the rule out when a
  // side ends up with no address); a policy whose rules still carry any
  // is not fully_resolved() and must never reach an appliance: an empty
  // src / dst would read as "any address".
  std::vector<GroupRef> src_groups;
  std::vector<GroupRef> dst_groups;
};

// Per-group enforcement mode (docs/policy.md, "Groups and modes").
//   protect:  rules are enforced as written.
//   monitor:  rules are evaluated; a deny/reject verdict is not enforced
//             (the flow is forwarded) and is reported as a drop event with
//             "enforced": false; L7 drop signatures only alert.
//   discover: every flow is forwarded and recorded (flow records carry
//             the verdict the rules would have given); no violation events.
// A flow takes the strictest mode of the groups its two addresses belong
// to (protect > monitor > discover); a flow that touches no group: protect.
// An address in no group does not vote: a flow between a monitor member
// and it is monitored.
enum class GroupMode : uint8_t { kProtect = 0, kMonitor = 1, kDiscover = 2 };

const char* group_mode_name(GroupMode m);

// A group as the appliance sees it: resolved members and a mode. Group
// references in rules are already expanded to CIDRs by the compiler or
// the controller; the appliance needs groups only for their modes.
struct GroupScope {
  std::string name;
  GroupMode mode = GroupMode::kProtect;
  std::vector<Cidr> members;  // may be empty (a selector that matches no workload)
  std::string source;         // "file:line" of the group, for messages
};

// A group as the policy text defines it, before resolution: a label
// selector (resolved against the controller's workload inventory) and/or
// static CIDRs.
struct GroupDefinition {
  std::string name;
  GroupMode mode = GroupMode::kProtect;
  std::vector<std::pair<std::string, std::string>> selector;  // label key = value, all must match; empty: none
  std::vector<Cidr> cidrs;                                    // static members
  std::string source;                                         // "file:line" of the group
  std::string name_at;                                        // "file:line:col" of its name
};

// Signature rules (Suricata syntax, rules/README.md) carried by a policy.
struct SignatureSetText {
  std::string name;    // unique in the policy; errors are reported as "<name>:<line>"
  std::string text;    // the rules, one per line
  std::string source;  // "file:line" where the set is defined, for messages
  int text_line = 0;   // line of source's file holding the text's first line (0: unknown)
  std::string name_at = {};  // "file:line:col" of the name's value ("" unknown), for messages
};

struct CompiledPolicy {
  Action default_action = Action::kAllow;
  bool non_ip_allow = true;
  std::vector<CompiledRule> rules;  // in evaluation order
  std::string origin;               // file name or "embedded default"
  // "file:line:col" of the value when the document sets it; empty: default.
  std::string default_action_at;
  std::string non_ip_at;
  // Groups with their resolved members and modes (every group the policy
  // defines, whatever its mode; the dataplane only acts on them when one
  // is not in protect mode).
  std::vector<GroupScope> groups;
  // The groups as written (the compiler's output, kept after resolution
  // so that tools can show selectors). `groups` is filled from these by
  // resolve_groups() / resolve_static_groups().
  std::vector<GroupDefinition> group_definitions;
  // has_signature_sets: the policy says which signature sets it brings
  // (possibly none): they replace the previous policy's sets; the
  // appliance's startup signatures (rampartd --rules) stay beside them.
  // false: the appliance keeps the policy sets it runs.
  bool has_signature_sets = false;
  std::vector<SignatureSetText> signature_sets;
};

// The policy rampartd runs with no --policy: allow everything, record it.
CompiledPolicy embedded_default_policy();

// True when no rule still names a group and every defined group has its
// resolved scope: only such a policy may reach the dataplane (an empty
// src / dst would read as "any address").
bool fully_resolved(const CompiledPolicy& policy);

}  // namespace rampart::policy
