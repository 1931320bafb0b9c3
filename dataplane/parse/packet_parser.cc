#include "dataplane/parse/packet_parser.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "common/byte_order.h"
#include "common/macros.h"

namespace rampart::dp {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88a8;
constexpr uint16_t kEtherQinQOld = 0x9100;
constexpr int kMaxVlanTags = 2;
// RFC 8200 allows any number; real stacks send a handful. More is an evasion
// attempt or garbage (Suricata and Linux bound this too).
constexpr int kMaxIpv6ExtHeaders = 8;


bool ipv4_checksum_ok(const uint8_t* h, uint32_t len) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i + 1 < len; i += 2) sum += load_be16(h + i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

bool ipv4_options_ok(const uint8_t* opt, uint32_t len) {
  uint32_t i = 0;
  while (i < len) {
    const uint8_t type = opt[i];
    if (type == 0) return true;  // end of option list
    if (type == 1) {             // no-op
      ++i;
      continue;
    }
    if (i + 1 >= len) return false;
    const uint8_t olen = opt[i + 1];
    if (olen < 2 || i + olen > len) return false;
    i += olen;
  }
  return true;
}

// Destination options (TLVs): is there a Home Address option (RFC 6275)?
bool has_home_address_option(const uint8_t* p, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    if (p[i] == 0) {  // Pad1
      ++i;
      continue;
    }
    if (i + 2 > n) return false;
    if (p[i] == 0xc9) return true;
    i += 2u + p[i + 1];
  }
  return false;
}

bool is_icmpv4_error(uint8_t type) { return type == 3 || type == 4 || type == 5 || type == 11 || type == 12; }
bool is_icmpv4_query(uint8_t type) { return type == 0 || type == 8 || type == 13 || type == 14; }
bool is_icmpv6_error(uint8_t type) { return type >= 1 && type <= 4; }
bool is_icmpv6_query(uint8_t type) { return type == 128 || type == 129; }
bool has_ports(uint8_t proto) {
  return proto == ip_proto::kTcp || proto == ip_proto::kUdp || proto == ip_proto::kSctp;
}

// The packet quoted inside an ICMP error. Only its addresses and ports are
// needed to find the flow; a quote too short for ports keeps ports at 0.
bool parse_icmp_inner(const uint8_t* p, uint32_t len, bool v6, PacketMeta& m) {
  if (!v6) {
    if (len < 20 || (p[0] >> 4) != 4) return false;
    const uint32_t ihl = (p[0] & 0x0fu) * 4u;
    if (ihl < 20 || ihl > len) return false;
    m.inner_proto = p[9];
    std::memcpy(m.inner_src, p + 12, 4);
    std::memcpy(m.inner_dst, p + 16, 4);
    const bool first_fragment = (load_be16(p + 6) & 0x1fff) == 0;
    if (has_ports(m.inner_proto) && first_fragment && ihl + 4 <= len) {
      m.inner_src_port = load_be16(p + ihl);
      m.inner_dst_port = load_be16(p + ihl + 2);
    }
    return true;
  }
  if (len < 40 || (p[0] >> 4) != 6) return false;
  m.inner_proto = p[6];
  std::memcpy(m.inner_src, p + 8, 16);
  std::memcpy(m.inner_dst, p + 24, 16);
  if (has_ports(m.inner_proto) && 44 <= len) {
    m.inner_src_port = load_be16(p + 40);
    m.inner_dst_port = load_be16(p + 42);
  }
  return true;
}

// `l4` points at the L4 header; `bytes` is how many bytes of L4 header and
// payload the IP layer says there are (all of them present in the frame);
// `in_buf` how many of those are in the linearised buffer.
DropReason parse_l4(const uint8_t* l4, uint32_t bytes, uint32_t in_buf, PacketMeta& m) {
  const bool first_fragment = m.is_fragment;  // callers only get here for offset 0
  switch (m.proto) {
    case ip_proto::kTcp: {
      if (bytes < 20) return first_fragment ? DropReason::kNone : DropReason::kTcpTruncated;
      if (in_buf < 20) return DropReason::kHeadersTooLong;
      const uint32_t doff = (l4[12] >> 4) * 4u;
      if (doff < 20) return DropReason::kTcpBadHeaderLength;
      if (doff > bytes) return first_fragment ? DropReason::kNone : DropReason::kTcpBadHeaderLength;
      const uint8_t f = l4[13];
      const bool syn = f & tcp_flag::kSyn, fin = f & tcp_flag::kFin, rst = f & tcp_flag::kRst;
      const bool ack = f & tcp_flag::kAck;
      if ((syn && (fin || rst)) || (f & 0x3f) == 0 ||
          (!ack && (f & (tcp_flag::kFin | tcp_flag::kPsh | tcp_flag::kUrg)) != 0)) {
        return DropReason::kTcpBadFlags;
      }
      m.src_port = load_be16(l4);
      m.dst_port = load_be16(l4 + 2);
      m.tcp_seq = load_be32(l4 + 4);
      m.tcp_ack = load_be32(l4 + 8);
      m.tcp_flags = f;
      m.l4_len = static_cast<uint16_t>(doff);
      m.payload_len = static_cast<uint16_t>(bytes - doff);
      break;
    }
    case ip_proto::kUdp: {
      if (bytes < 8) return first_fragment ? DropReason::kNone : DropReason::kUdpTruncated;
      if (in_buf < 8) return DropReason::kHeadersTooLong;
      const uint16_t ulen = load_be16(l4 + 4);
      // In a fragment the UDP length covers the whole datagram; the
      // reassembly tracker checks it against the datagram's size.
      if (ulen < 8 || (!first_fragment && ulen > bytes)) return DropReason::kUdpBadLength;
      m.src_port = load_be16(l4);
      m.dst_port = load_be16(l4 + 2);
      m.l4_len = 8;
      m.payload_len = static_cast<uint16_t>(ulen - 8);
      break;
    }
    case ip_proto::kSctp: {
      if (bytes < 12) return first_fragment ? DropReason::kNone : DropReason::kSctpTruncated;
      if (in_buf < 12) return DropReason::kHeadersTooLong;
      m.src_port = load_be16(l4);
      m.dst_port = load_be16(l4 + 2);
      m.l4_len = 12;
      m.payload_len = static_cast<uint16_t>(bytes - 12);
      break;
    }
    case ip_proto::kIcmp:
    case ip_proto::kIcmpv6: {
      const bool v6 = m.proto == ip_proto::kIcmpv6;
      if (bytes < 8) return first_fragment ? DropReason::kNone : DropReason::kIcmpTruncated;
      if (in_buf < 8) return DropReason::kHeadersTooLong;
      m.icmp_type = l4[0];
      m.icmp_code = l4[1];
      m.l4_len = 8;
      m.payload_len = static_cast<uint16_t>(bytes - 8);
      if (v6 ? is_icmpv6_query(m.icmp_type) : is_icmpv4_query(m.icmp_type)) {
        // Echo request and reply share the identifier: use it as both ports
        // so the reply finds the request's flow.
        m.src_port = m.dst_port = load_be16(l4 + 4);
      } else if (v6 ? is_icmpv6_error(m.icmp_type) : is_icmpv4_error(m.icmp_type)) {
        const uint32_t quoted = std::min(bytes, in_buf) - 8;
        if (!first_fragment && !parse_icmp_inner(l4 + 8, quoted, v6, m)) return DropReason::kIcmpTruncated;
        m.icmp_error = !first_fragment;
      }
      break;
    }
    default:
      m.l4_len = 0;
      m.payload_len = static_cast<uint16_t>(bytes);
      break;
  }
  m.l4_parsed = true;
  return DropReason::kNone;
}

DropReason parse_ipv4(const uint8_t* data, uint32_t avail, uint32_t frame_len, uint32_t off, PacketMeta& m,
                      const ParseOptions& opt) {
  if (off + 20 > frame_len) return DropReason::kIpv4Truncated;
  if (off + 20 > avail) return DropReason::kHeadersTooLong;
  const uint8_t* ip = data + off;
  if ((ip[0] >> 4) != 4) return DropReason::kIpv4BadVersion;
  const uint32_t ihl = (ip[0] & 0x0fu) * 4u;
  if (ihl < 20) return DropReason::kIpv4BadHeaderLength;
  if (off + ihl > frame_len) return DropReason::kIpv4Truncated;
  if (off + ihl > avail) return DropReason::kHeadersTooLong;
  const uint32_t total = load_be16(ip + 2);
  if (total < ihl) return DropReason::kIpv4BadTotalLength;
  if (off + total > frame_len) return DropReason::kIpv4Truncated;
  if (opt.ipv4_checksum && !ipv4_checksum_ok(ip, ihl)) return DropReason::kIpv4BadChecksum;
  if (ihl > 20 && !ipv4_options_ok(ip + 20, ihl - 20)) return DropReason::kIpv4BadOptions;

  m.l3 = L3::kIpv4;
  m.l3_hdr_len = static_cast<uint16_t>(ihl);
  m.l3_len = static_cast<uint16_t>(total);
  m.ttl = ip[8];
  m.proto = ip[9];
  std::memcpy(m.src, ip + 12, 4);
  std::memcpy(m.dst, ip + 16, 4);

  const uint16_t ff = load_be16(ip + 6);
  const uint32_t frag_off = (ff & 0x1fffu) * 8u;
  m.more_fragments = (ff & 0x2000) != 0;
  if (m.more_fragments || frag_off != 0) {
    m.is_fragment = true;
    m.frag_offset = static_cast<uint16_t>(frag_off);
    m.frag_id = load_be16(ip + 4);
    m.frag_payload_off = static_cast<uint16_t>(off + ihl);
    const uint32_t frag_bytes = total - ihl;
    if (frag_off + frag_bytes > 65535 - ihl || (m.more_fragments && (frag_bytes == 0 || frag_bytes % 8 != 0))) {
      return DropReason::kFragBadLength;
    }
    if (frag_off != 0) {
      m.payload_len = static_cast<uint16_t>(frag_bytes);
      return DropReason::kNone;
    }
  }
  const uint32_t l4_off = off + ihl;
  return parse_l4(data + l4_off, total - ihl, avail > l4_off ? avail - l4_off : 0, m);
}

DropReason parse_ipv6(const uint8_t* data, uint32_t avail, uint32_t frame_len, uint32_t off, PacketMeta& m) {
  if (off + 40 > frame_len) return DropReason::kIpv6Truncated;
  if (off + 40 > avail) return DropReason::kHeadersTooLong;
  const uint8_t* ip = data + off;
  if ((ip[0] >> 4) != 6) return DropReason::kIpv6BadVersion;
  const uint32_t plen = load_be16(ip + 4);
  // A zero payload length announces a jumbogram (RFC 2675), which Ethernet
  // cannot carry: treat it as malformed.
  if (plen == 0 && ip[6] == 0) return DropReason::kIpv6BadPayloadLength;
  if (off + 40 + plen > frame_len) return DropReason::kIpv6Truncated;

  m.l3 = L3::kIpv6;
  m.l3_len = static_cast<uint16_t>(40 + plen);
  m.ttl = ip[7];
  std::memcpy(m.src, ip + 8, 16);
  std::memcpy(m.dst, ip + 24, 16);

  uint8_t nh = ip[6];
  uint32_t cur = off + 40;
  const uint32_t end = off + 40 + plen;
  int count = 0;
  bool seen_fragment_header = false;
  while (nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51) {
    if (++count > kMaxIpv6ExtHeaders) return DropReason::kIpv6TooManyExtHeaders;
    if (nh == 0 && count != 1) return DropReason::kIpv6BadExtHeader;  // hop-by-hop only first
    if (cur + 8 > end) return DropReason::kIpv6BadExtHeader;
    if (cur + 8 > avail) return DropReason::kHeadersTooLong;
    const uint8_t* h = data + cur;
    uint32_t hlen;
    if (nh == 44) {
      if (seen_fragment_header) return DropReason::kIpv6BadExtHeader;
      seen_fragment_header = true;
      hlen = 8;
      const uint16_t fo = load_be16(h + 2);
      const uint32_t frag_off = fo & 0xfff8u;
      m.more_fragments = (fo & 1) != 0;
      // An atomic fragment (offset 0, no more fragments) is processed as a
      // whole packet (RFC 6946).
      if (m.more_fragments || frag_off != 0) {
        m.is_fragment = true;
        m.frag_offset = static_cast<uint16_t>(frag_off);
        m.frag_id = load_be32(h + 4);
        m.frag_payload_off = static_cast<uint16_t>(cur + 8);
        const uint32_t frag_bytes = end - (cur + 8);
        if (frag_off + frag_bytes > 65535 || (m.more_fragments && (frag_bytes == 0 || frag_bytes % 8 != 0))) {
          return DropReason::kFragBadLength;
        }
      }
    } else if (nh == 51) {
      hlen = (h[1] + 2u) * 4u;
    } else if (nh == 43) {
      m.ipv6_other_pseudo_addr = true;
      hlen = (h[1] + 1u) * 8u;
    } else if (nh == 60) {
      hlen = (h[1] + 1u) * 8u;
      if (cur + hlen <= avail && has_home_address_option(h + 2, hlen - 2)) m.ipv6_other_pseudo_addr = true;
    } else {
      hlen = (h[1] + 1u) * 8u;
    }
    if (cur + hlen > end) return DropReason::kIpv6BadExtHeader;
    nh = h[0];
    cur += hlen;
    if (m.is_fragment && m.frag_offset != 0) break;  // the rest is not headers
  }
  m.proto = nh;
  m.l3_hdr_len = static_cast<uint16_t>(cur - off);
  if (m.is_fragment && m.frag_offset != 0) {
    m.payload_len = static_cast<uint16_t>(end - cur);
    return DropReason::kNone;
  }
  if (nh == 59) {  // no next header
    m.l4_parsed = true;
    return DropReason::kNone;
  }
  return parse_l4(data + cur, end - cur, avail > cur ? avail - cur : 0, m);
}

}  // namespace

DropReason parse_packet(const uint8_t* data, uint32_t avail, uint32_t frame_len, PacketMeta& m,
                        const ParseOptions& opt) {
  // PERF: only the scalar part; clearing the 64 address bytes per packet
  // showed up in profiles and nothing reads them unset.
  std::memset(&m, 0, offsetof(PacketMeta, src));
  if (avail > frame_len) avail = frame_len;
  if (frame_len < 14) return DropReason::kEthTruncated;
  if (avail < 14) return DropReason::kHeadersTooLong;
  uint16_t et = load_be16(data + 12);
  uint32_t off = 14;
  while (et == kEtherVlan || et == kEtherQinQ || et == kEtherQinQOld) {
    if (m.vlan_count == kMaxVlanTags) return DropReason::kVlanTooDeep;
    if (off + 4 > frame_len) return DropReason::kVlanTruncated;
    if (off + 4 > avail) return DropReason::kHeadersTooLong;
    if (m.vlan_count == 0) m.vlan_outer = load_be16(data + off) & 0x0fff;
    et = load_be16(data + off + 2);
    off += 4;
    ++m.vlan_count;
  }
  m.ether_type = et;
  m.l2_len = static_cast<uint16_t>(off);
  if (et == kEtherIpv4) return parse_ipv4(data, avail, frame_len, off, m, opt);
  if (et == kEtherIpv6) return parse_ipv6(data, avail, frame_len, off, m);
  m.l3 = L3::kNone;
  return DropReason::kNone;
}

}  // namespace rampart::dp
