#pragma once
// FlowKey: the direction-normalised identity of a connection. Both
// directions of a flow produce the same key: the (address, port) pair that
// sorts lower is stored first, and `initiator_is_lo` on the flow remembers
// which side opened it. The outer VLAN id is part of the key (VLANs are
// separate zones: the same 5-tuple on two VLANs is two flows).

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {

struct FlowKey {
  uint8_t addr_lo[16];
  uint8_t addr_hi[16];
  uint16_t port_lo;
  uint16_t port_hi;
  uint16_t vlan;
  uint8_t proto;
  uint8_t family;  // 4 or 6
  // Pads the key to 48 bytes: rte_hash compares 48-byte keys with vector
  // instructions instead of memcmp. Always zero.
  uint8_t reserved[8];
};
static_assert(sizeof(FlowKey) == 48, "FlowKey is hashed and compared as raw bytes: no implicit padding");

// The key without its padding: the copy a Flow keeps for its records and
// for removal (the same leading fields, so it is copied with memcpy).
struct FlowTuple {
  uint8_t addr_lo[16];
  uint8_t addr_hi[16];
  uint16_t port_lo;
  uint16_t port_hi;
  uint16_t vlan;
  uint8_t proto;
  uint8_t family;
};
static_assert(sizeof(FlowTuple) == 40 && offsetof(FlowKey, reserved) == sizeof(FlowTuple),
              "FlowTuple is FlowKey without its padding");

// Builds the key for a packet going src -> dst. Returns true if src is the
// "lo" side. Unused address bytes (IPv4) are zero, so raw-byte hashing and
// comparison are exact.
inline bool make_flow_key(const uint8_t* src, const uint8_t* dst, uint16_t sport, uint16_t dport, uint8_t proto,
                          L3 l3, uint16_t vlan, FlowKey& key) {
  const std::size_t alen = l3 == L3::kIpv4 ? 4 : 16;
  int c = std::memcmp(src, dst, alen);
  if (c == 0) c = sport < dport ? -1 : (sport > dport ? 1 : 0);
  const bool src_lo = c <= 0;
  std::memset(&key, 0, sizeof(key));
  std::memcpy(key.addr_lo, src_lo ? src : dst, alen);
  std::memcpy(key.addr_hi, src_lo ? dst : src, alen);
  key.port_lo = src_lo ? sport : dport;
  key.port_hi = src_lo ? dport : sport;
  key.vlan = vlan;
  key.proto = proto;
  key.family = static_cast<uint8_t>(l3);
  return src_lo;
}

inline bool make_flow_key(const PacketMeta& m, FlowKey& key) {
  return make_flow_key(m.src, m.dst, m.src_port, m.dst_port, m.proto, m.l3, m.vlan_outer, key);
}

}  // namespace rampart::dp
