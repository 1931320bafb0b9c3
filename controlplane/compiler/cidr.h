#pragma once
// Parsing and formatting of IP addresses and CIDR prefixes (cold path).

#include <optional>
#include <string>
#include <string_view>

#include "controlplane/compiler/compiled_policy.h"

namespace rampart::cp {

// Parses "198.18.0.0/15", "2001:db8::/32" or a bare address (a host
// prefix). On failure returns nullopt and sets *why to the reason.
std::optional<Cidr> parse_cidr(std::string_view text, std::string* why);

std::string format_cidr(const Cidr& c);

}  // namespace rampart::cp
