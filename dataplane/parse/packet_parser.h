#pragma once
// The packet parser: Ethernet, 802.1Q / QinQ, IPv4 (options), IPv6
// (extension headers, fragment header), TCP, UDP, ICMP, ICMPv6, SCTP.
// Hot path: never allocates, never throws, touches only the given bytes.
// Pure function of the bytes, so it is unit-tested and fuzzed without DPDK.

#include <cstdint>

#include "dataplane/common/drop_reason.h"
#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {

// What the parser checks beyond well-formedness.
struct ParseOptions {
  // Drop IPv4 headers whose checksum is wrong (kIpv4BadChecksum). Off only
  // for captures taken where the NIC computed checksums after the capture
  // point (checksum offload), as Suricata's `-k none`.
  bool ipv4_checksum = true;
  // Drop TCP/UDP packets whose payload L7 inspection would read when their
  // checksum is wrong (kL4BadChecksum; l4_checksum.h). Not a parse check:
  // the worker applies it, only to inspected payload.
  bool l4_checksum = true;
};

// Headers are parsed from `data`, which holds the first `avail` bytes of a
// frame of `frame_len` bytes (avail < frame_len when only the head of a
// multi-segment packet was linearised). Returns DropReason::kNone on success;
// on any malformation returns the reason and `meta` is unspecified.
DropReason parse_packet(const uint8_t* data, uint32_t avail, uint32_t frame_len, PacketMeta& meta,
                        const ParseOptions& opt = {});

// How many leading bytes parse_packet() may need; callers linearise at most
// this many bytes of a multi-segment packet.
inline constexpr uint32_t kMaxHeaderBytes = 512;

}  // namespace rampart::dp
