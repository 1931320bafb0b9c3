#include "dataplane/parse/l4_checksum.h"

#include "common/byte_order.h"

namespace rampart::dp {
namespace {

// One's-complement sum of 16-bit big-endian words; `odd` carries whether an
// earlier buffer ended on half a word (its byte is the high half).
uint64_t add_bytes(uint64_t sum, const uint8_t* p, uint32_t n, bool& odd) {
  uint32_t i = 0;
  if (odd && n > 0) {
    sum += p[0];
    i = 1;
    odd = false;
  }
  for (; i + 1 < n; i += 2) sum += load_be16(p + i);
  if (i < n) {
    sum += uint64_t{p[i]} << 8;
    odd = true;
  }
  return sum;
}

}  // namespace

bool l4_checksum_ok(const PacketMeta& m, const uint8_t* frame, const uint8_t* payload, uint32_t len) {
  if (m.proto != ip_proto::kTcp && m.proto != ip_proto::kUdp) return true;
  if (m.ipv6_other_pseudo_addr || len != m.payload_len || (len > 0 && payload == nullptr)) return true;
  const uint8_t* l4 = frame + m.l2_len + m.l3_hdr_len;
  if (m.proto == ip_proto::kUdp && m.l3 == L3::kIpv4 && load_be16(l4 + 6) == 0) return true;
  const uint32_t l4_bytes = uint32_t{m.l4_len} + len;
  uint64_t sum = 0;
  bool odd = false;
  const uint32_t alen = m.l3 == L3::kIpv4 ? 4 : 16;
  sum = add_bytes(sum, m.src, alen, odd);
  sum = add_bytes(sum, m.dst, alen, odd);
  sum += m.proto;
  sum += l4_bytes & 0xffff;
  sum += l4_bytes >> 16;
  sum = add_bytes(sum, l4, m.l4_len, odd);
  sum = add_bytes(sum, payload, len, odd);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

}  // namespace rampart::dp
