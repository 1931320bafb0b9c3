#pragma once
// Parsing and formatting of IP addresses and CIDR prefixes (cold path).
// One strict grammar for every place Rampart reads an address: policy
// files, controller documents, the appliance API, workload IPs, signature
// headers. Accepted: ADDRESS or ADDRESS/LEN, where ADDRESS is a dotted quad
// or an IPv6 address as inet_pton(3) reads it and LEN is decimal, 0-32 or
// 0-128, without sign, leading zero or space. Refused, each with its own
// message: anything else, including a zone id (fe80::1%eth0) and an
// IPv4-mapped IPv6 address (::ffff:198.18.0.1, which never appears on the
// wire: the rule would silently match nothing; write the IPv4 address).

#include <optional>
#include <string>
#include <string_view>

#include "controlplane/compiler/model.h"

namespace rampart::cp {

// What to do with bits set beyond the prefix length (198.18.0.1/24).
enum class HostBits {
  kRefuse,  // an error: the policy language (write 198.18.0.0/24 or .1/32)
  kMask,    // cleared: Suricata's rule headers accept and mask them
};

// Parses "198.18.0.0/15", "2001:db8::/32" or a bare address (a host
// prefix). On failure returns nullopt and sets *why to the reason, which
// quotes `text`.
std::optional<Cidr> parse_cidr(std::string_view text, std::string* why, HostBits host_bits = HostBits::kRefuse);

std::string format_cidr(const Cidr& c);

}  // namespace rampart::cp
