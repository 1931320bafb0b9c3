#pragma once
// TCP and UDP checksum verification (RFC 9293 3.1, RFC 768, RFC 8200 8.1)
// for packets whose payload L7 inspection is about to read: a segment the
// receiver would discard for its checksum must not be inspected in place of
// the real one (an insertion attack). Pure function of the bytes: unit-tested
// without DPDK.
//
// Hot path, but only for inspected payload: O(bytes), no allocation.

#include <cstdint>

#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {

// `frame` holds the headers parse_packet() read (the L4 header included);
// `payload` the m.payload_len bytes after it (`len` of them available).
// True when the checksum is right, or cannot be judged here (other L4
// protocols, an IPv4 UDP checksum of 0, an IPv6 routing header or Home
// Address option, whose addresses the pseudo-header would need, or a
// payload not all given).
bool l4_checksum_ok(const PacketMeta& m, const uint8_t* frame, const uint8_t* payload, uint32_t len);

}  // namespace rampart::dp
