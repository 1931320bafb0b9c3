#include "dataplane/action/reject_builder.h"

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include <algorithm>
#include <cstring>

namespace rampart::dp {
namespace {

constexpr uint8_t kTtl = 64;
// RFC 4443: an ICMPv6 error quotes as much of the packet as fits in the
// minimum MTU. RFC 792 asks for the IP header and 8 bytes; more is allowed
// (RFC 1812) and helps the sender identify the socket.
constexpr uint32_t kIcmpv6MaxQuote = 1280 - 40 - 8;
constexpr uint32_t kIcmpv4MaxQuote = 576 - 20 - 8;

bool is_multicast_or_broadcast(const PacketMeta& m) {
  if (m.l3 == L3::kIpv4) {
    return (m.dst[0] & 0xf0) == 0xe0 || (m.dst[0] == 255 && m.dst[1] == 255 && m.dst[2] == 255 && m.dst[3] == 255);
  }
  return m.dst[0] == 0xff;
}

// Copies the L2 header with source and destination MAC swapped.
void write_l2(uint8_t* out, const uint8_t* frame, const PacketMeta& m) {
  std::memcpy(out, frame + 6, 6);
  std::memcpy(out + 6, frame, 6);
  std::memcpy(out + 12, frame + 12, m.l2_len - 12u);
}

// The same, for a packet that continues the original's direction.
void write_l2_forward(uint8_t* out, const uint8_t* frame, const PacketMeta& m) { std::memcpy(out, frame, m.l2_len); }

// A view of `m` with source and destination exchanged, so the writers below
// (which answer the sender) can also address the original receiver.
PacketMeta swapped(const PacketMeta& m) {
  PacketMeta r = m;
  std::memcpy(r.src, m.dst, 16);
  std::memcpy(r.dst, m.src, 16);
  r.src_port = m.dst_port;
  r.dst_port = m.src_port;
  return r;
}

uint8_t* write_ipv4(uint8_t* p, const PacketMeta& m, uint8_t proto, uint16_t total) {
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(p);
  std::memset(ip, 0, sizeof(*ip));
  ip->version_ihl = 0x45;
  ip->total_length = rte_cpu_to_be_16(total);
  ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
  ip->time_to_live = kTtl;
  ip->next_proto_id = proto;
  std::memcpy(&ip->src_addr, m.dst, 4);
  std::memcpy(&ip->dst_addr, m.src, 4);
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  return p + sizeof(*ip);
}

uint8_t* write_ipv6(uint8_t* p, const PacketMeta& m, uint8_t proto, uint16_t payload) {
  auto* ip = reinterpret_cast<rte_ipv6_hdr*>(p);
  std::memset(ip, 0, sizeof(*ip));
  ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
  ip->payload_len = rte_cpu_to_be_16(payload);
  ip->proto = proto;
  ip->hop_limits = kTtl;
  std::memcpy(ip->src_addr, m.dst, 16);
  std::memcpy(ip->dst_addr, m.src, 16);
  return p + sizeof(*ip);
}

}  // namespace

rte_mbuf* build_forward_rst(rte_mempool* pool, const uint8_t* frame, const PacketMeta& m) {
  if (m.proto != ip_proto::kTcp || !m.l4_parsed || (m.tcp_flags & tcp_flag::kRst) || m.l3 == L3::kNone) return nullptr;
  const bool v4 = m.l3 == L3::kIpv4;
  const uint32_t ip_hdr = v4 ? 20 : 40;
  const uint32_t len = m.l2_len + ip_hdr + 20;
  rte_mbuf* out = rte_pktmbuf_alloc(pool);
  if (out == nullptr) return nullptr;
  auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(out, static_cast<uint16_t>(len)));
  if (p == nullptr) {
    rte_pktmbuf_free(out);
    return nullptr;
  }
  write_l2_forward(p, frame, m);
  // The IP writers address the packet's sender; give them the receiver's view.
  const PacketMeta r = swapped(m);
  uint8_t* l3 = p + m.l2_len;
  uint8_t* l4 = v4 ? write_ipv4(l3, r, ip_proto::kTcp, static_cast<uint16_t>(ip_hdr + 20))
                   : write_ipv6(l3, r, ip_proto::kTcp, 20);
  auto* th = reinterpret_cast<rte_tcp_hdr*>(l4);
  std::memset(th, 0, sizeof(*th));
  th->src_port = rte_cpu_to_be_16(m.src_port);
  th->dst_port = rte_cpu_to_be_16(m.dst_port);
  th->data_off = 5 << 4;
  // The sequence number the receiver expects next (the dropped segment
  // never arrived), so the RST is in its window.
  th->sent_seq = rte_cpu_to_be_32(m.tcp_seq);
  th->recv_ack = rte_cpu_to_be_32(m.tcp_ack);
  th->tcp_flags = RTE_TCP_RST_FLAG | ((m.tcp_flags & tcp_flag::kAck) ? RTE_TCP_ACK_FLAG : 0);
  th->cksum = v4 ? rte_ipv4_udptcp_cksum(reinterpret_cast<rte_ipv4_hdr*>(l3), th)
                 : rte_ipv6_udptcp_cksum(reinterpret_cast<rte_ipv6_hdr*>(l3), th);
  return out;
}

bool reject_must_not_answer(const PacketMeta& m) {
  if (m.l3 == L3::kNone || is_multicast_or_broadcast(m)) return true;
  if (m.proto == ip_proto::kTcp) return (m.tcp_flags & tcp_flag::kRst) != 0;
  return m.icmp_error;
}

rte_mbuf* build_reject(rte_mempool* pool, const uint8_t* frame, uint32_t avail, const PacketMeta& m) {
  if (reject_must_not_answer(m)) return nullptr;
  const bool v4 = m.l3 == L3::kIpv4;
  const uint32_t ip_hdr = v4 ? 20 : 40;
  uint32_t l4_len;
  uint32_t quote = 0;
  const bool tcp = m.proto == ip_proto::kTcp && m.l4_parsed;
  if (tcp) {
    l4_len = 20;
  } else {
    const uint32_t have = avail > m.l2_len ? avail - m.l2_len : 0;
    quote = std::min({uint32_t{m.l3_len}, have, v4 ? kIcmpv4MaxQuote : kIcmpv6MaxQuote});
    l4_len = 8 + quote;
  }
  const uint32_t len = m.l2_len + ip_hdr + l4_len;
  rte_mbuf* out = rte_pktmbuf_alloc(pool);
  if (out == nullptr) return nullptr;
  auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(out, static_cast<uint16_t>(len)));
  if (p == nullptr) {
    rte_pktmbuf_free(out);
    return nullptr;
  }
  write_l2(p, frame, m);
  uint8_t* l3 = p + m.l2_len;
  if (tcp) {
    uint8_t* l4 = v4 ? write_ipv4(l3, m, ip_proto::kTcp, static_cast<uint16_t>(ip_hdr + 20))
                     : write_ipv6(l3, m, ip_proto::kTcp, 20);
    auto* th = reinterpret_cast<rte_tcp_hdr*>(l4);
    std::memset(th, 0, sizeof(*th));
    th->src_port = rte_cpu_to_be_16(m.dst_port);
    th->dst_port = rte_cpu_to_be_16(m.src_port);
    th->data_off = 5 << 4;
    // RFC 9293 3.10.7.1: answer an ACK with seq = its ack; anything else
    // with RST+ACK acknowledging everything it occupied.
    if (m.tcp_flags & tcp_flag::kAck) {
      th->sent_seq = rte_cpu_to_be_32(m.tcp_ack);
      th->tcp_flags = RTE_TCP_RST_FLAG;
    } else {
      uint32_t seg_len = m.payload_len;
      if (m.tcp_flags & tcp_flag::kSyn) ++seg_len;
      if (m.tcp_flags & tcp_flag::kFin) ++seg_len;
      th->recv_ack = rte_cpu_to_be_32(m.tcp_seq + seg_len);
      th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
    }
    th->cksum = v4 ? rte_ipv4_udptcp_cksum(reinterpret_cast<rte_ipv4_hdr*>(l3), th)
                   : rte_ipv6_udptcp_cksum(reinterpret_cast<rte_ipv6_hdr*>(l3), th);
  } else {
    const uint8_t proto = v4 ? ip_proto::kIcmp : ip_proto::kIcmpv6;
    uint8_t* l4 = v4 ? write_ipv4(l3, m, proto, static_cast<uint16_t>(ip_hdr + l4_len))
                     : write_ipv6(l3, m, proto, static_cast<uint16_t>(l4_len));
    std::memset(l4, 0, 8);
    l4[0] = v4 ? 3 : 1;  // destination unreachable
    l4[1] = v4 ? 3 : 4;  // port unreachable
    std::memcpy(l4 + 8, frame + m.l2_len, quote);
    uint16_t ck;
    if (v4) {
      ck = static_cast<uint16_t>(~rte_raw_cksum(l4, l4_len));
      if (ck == 0) ck = 0xffff;
    } else {
      ck = rte_ipv6_udptcp_cksum(reinterpret_cast<rte_ipv6_hdr*>(l3), l4);
    }
    std::memcpy(l4 + 2, &ck, 2);
  }
  return out;
}

}  // namespace rampart::dp
