#include "dataplane/frag/datagram_assembler.h"

#include <rte_mbuf.h>

#include <cstring>

#include "common/byte_order.h"

namespace rampart::dp {
namespace {

void store_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

uint16_t ipv4_header_checksum(const uint8_t* h, uint32_t len) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i + 1 < len; i += 2) sum += load_be16(h + i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

uint32_t assemble_datagram(const FragmentTracker::Datagram& d, uint8_t* out, DropReason* why) {
  const PacketMeta& first = d.first;
  const FragmentTracker::HeldFragment* head = nullptr;
  for (uint32_t k = 0; k < d.count; ++k) {
    if (d.frags[k].offset == 0) head = &d.frags[k];
  }
  // The tracker reports a datagram complete only with its first fragment.
  if (head == nullptr || first.frag_payload_off < first.l2_len) {
    *why = DropReason::kFragBadLength;
    return 0;
  }
  // IPv6: the fragment header is the 8 bytes before the fragmentable part.
  const bool v6 = first.l3 == L3::kIpv6;
  const uint32_t unfrag_end = v6 ? first.frag_payload_off - 8u : first.frag_payload_off;
  // rte_pktmbuf_read() copies only what is not contiguous in the mbuf.
  const void* hdr = rte_pktmbuf_read(head->mbuf, 0, first.frag_payload_off, out);
  if (hdr == nullptr) {
    *why = DropReason::kFragBadLength;
    return 0;
  }
  if (hdr != out) std::memcpy(out, hdr, first.frag_payload_off);
  uint8_t* ip = out + first.l2_len;
  if (v6) {
    const uint8_t after_fragment = out[unfrag_end];  // the fragment header's next header
    const uint32_t plen = unfrag_end - first.l2_len - 40u + d.total_len;
    if (plen > 65535) {
      *why = DropReason::kFragBadLength;
      return 0;
    }
    // Find the next-header byte that names the fragment header (44): the
    // base header's, or that of the extension header just before it.
    uint32_t nh_at = first.l2_len + 6u;
    uint32_t cur = first.l2_len + 40u;
    while (cur < unfrag_end) {
      const uint8_t type = out[nh_at];
      const uint32_t hlen = type == 51 ? (out[cur + 1] + 2u) * 4u : (out[cur + 1] + 1u) * 8u;
      nh_at = cur;
      cur += hlen;
    }
    if (cur != unfrag_end || out[nh_at] != 44) {
      *why = DropReason::kFragBadLength;
      return 0;
    }
    out[nh_at] = after_fragment;
    store_be16(ip + 4, static_cast<uint16_t>(plen));
  } else {
    const uint32_t ihl = unfrag_end - first.l2_len;
    store_be16(ip + 2, static_cast<uint16_t>(ihl + d.total_len));
    store_be16(ip + 6, static_cast<uint16_t>(load_be16(ip + 6) & 0x4000u));  // keep DF only
    store_be16(ip + 10, 0);
    store_be16(ip + 10, ipv4_header_checksum(ip, ihl));
  }
  for (uint32_t k = 0; k < d.count; ++k) {
    const FragmentTracker::HeldFragment& f = d.frags[k];
    uint8_t* dst = out + unfrag_end + f.offset;
    const void* p = rte_pktmbuf_read(f.mbuf, f.payload_off, f.length, dst);
    if (p == nullptr) {
      *why = DropReason::kFragBadLength;
      return 0;
    }
    if (p != dst) std::memcpy(dst, p, f.length);
  }
  return unfrag_end + d.total_len;
}

}  // namespace rampart::dp
