#pragma once
// CompiledPolicy: the plain-data output of the policy compiler, consumed by
// the dataplane's RuleSet builder. No DPDK types; shared by rampartd
// (standalone) and rampart-controller.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace rampart::cp {

enum class Action : uint8_t { kAllow = 0, kDeny = 1, kReject = 2 };

const char* action_name(Action a);

// An IPv4 or IPv6 prefix. Addresses are in network byte order; an IPv4
// address occupies addr[0..4).
struct Cidr {
  uint8_t family = 4;  // 4 or 6
  uint8_t prefix_len = 0;
  std::array<uint8_t, 16> addr{};
};

struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 65535;
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
};

struct CompiledPolicy {
  Action default_action = Action::kAllow;
  bool non_ip_allow = true;
  std::vector<CompiledRule> rules;  // in evaluation order
  std::string origin;               // file name or "embedded default"
  // "file:line:col" of the value when the document sets it; empty: default.
  std::string default_action_at;
  std::string non_ip_at;
};

// The policy rampartd runs with no --policy: allow everything, record it.
CompiledPolicy embedded_default_policy();

}  // namespace rampart::cp
