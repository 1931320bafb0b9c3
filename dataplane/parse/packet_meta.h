#pragma once
// PacketMeta: what the parser learned about one packet, in fixed-size form.
// Filled by parse_packet(); read by fragments, conntrack, classify and
// actions. Offsets are from the start of the frame. Addresses are kept in
// network byte order (IPv4 in the first 4 bytes); ports and ids in host order.

#include <cstdint>

namespace rampart::dp {

enum class L3 : uint8_t { kNone = 0, kIpv4 = 4, kIpv6 = 6 };

namespace tcp_flag {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
inline constexpr uint8_t kUrg = 0x20;
}  // namespace tcp_flag

namespace ip_proto {
inline constexpr uint8_t kIcmp = 1;
inline constexpr uint8_t kTcp = 6;
inline constexpr uint8_t kUdp = 17;
inline constexpr uint8_t kIcmpv6 = 58;
inline constexpr uint8_t kSctp = 132;
}  // namespace ip_proto

struct PacketMeta {
  // Everything before `src` is zeroed by the parser for every packet;
  // addresses are written for IP packets only (4 bytes for IPv4) and the
  // ICMP-error quote only when icmp_error is set.
  uint16_t src_port;  // TCP/UDP/SCTP ports; ICMP echo: the identifier on both
  uint16_t dst_port;
  uint16_t ether_type;  // innermost, host order
  uint16_t vlan_outer;  // VLAN id of the outer tag (0: untagged)
  uint8_t vlan_count;
  L3 l3;
  uint8_t proto;  // IP protocol of the L4 header (after IPv6 extension headers)
  uint8_t ttl;
  uint16_t l2_len;   // bytes before the IP header
  uint16_t l3_hdr_len;  // IP header incl. options / IPv6 extension headers
  uint16_t l3_len;   // IP total length (header + payload) as stated and checked
  uint16_t l4_len;   // L4 header length (0 if none parsed)
  uint16_t payload_len;  // L4 payload bytes

  // TCP
  uint8_t tcp_flags;
  uint32_t tcp_seq;
  uint32_t tcp_ack;
  // ICMP / ICMPv6
  uint8_t icmp_type;
  uint8_t icmp_code;

  // Fragments (IPv4 flags/offset, or an IPv6 fragment header).
  bool is_fragment;
  bool more_fragments;
  bool l4_parsed;  // the L4 header was present and complete
  uint16_t frag_offset;  // bytes
  uint32_t frag_id;
  uint16_t frag_payload_off;  // offset of the fragmentable part in the frame

  // ICMP errors: the 5-tuple of the packet the error is about, as it was
  // sent (so the flow is found with src/dst swapped).
  bool icmp_error;
  uint8_t inner_proto;
  // IPv6 with a routing header (dst is the next hop, not the final
  // destination) or a Home Address option (RFC 6275: src is the care-of
  // address): the L4 checksum's pseudo-header uses an address that is not
  // in the base header.
  bool ipv6_other_pseudo_addr;
  uint16_t inner_src_port;
  uint16_t inner_dst_port;

  uint8_t src[16];
  uint8_t dst[16];
  uint8_t inner_src[16];
  uint8_t inner_dst[16];
};

}  // namespace rampart::dp
