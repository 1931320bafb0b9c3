#pragma once
// Big-endian (network order) loads from unaligned bytes, for every parser
// and dissector. Pure, inline, no DPDK.

#include <cstdint>

namespace rampart {

inline uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace rampart
