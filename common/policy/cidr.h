#pragma once
// Cidr: an IPv4 or IPv6 prefix as plain data (bottom layer, common/).
// Parsing and formatting live with the compiler (controlplane/compiler/
// cidr.h), matching with the dataplane's users.

#include <array>
#include <cstdint>

namespace rampart::policy {

// Addresses are in network byte order; an IPv4 address occupies
// addr[0..4).
struct Cidr {
  uint8_t family = 4;  // 4 or 6
  uint8_t prefix_len = 0;
  std::array<uint8_t, 16> addr{};
};

}  // namespace rampart::policy
