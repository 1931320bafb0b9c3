// libFuzzer target for the packet parser: any byte string is a frame. The
// parser must never read outside it, crash or hang, and whatever it accepts
// must be self-consistent (offsets inside the frame).

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "dataplane/parse/packet_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rampart::dp;
  if (size > 65535) return 0;
  const auto len = static_cast<uint32_t>(size);
  PacketMeta m;
  // Whole frame available, as for a single-segment mbuf.
  if (parse_packet(data, len, len, m) == DropReason::kNone && m.l3 != L3::kNone) {
    if (uint32_t{m.l2_len} + m.l3_len > len) std::abort();
    if (m.l3_hdr_len > m.l3_len) std::abort();
    if (m.l4_parsed && uint32_t{m.l2_len} + m.l3_hdr_len + m.l4_len > len) std::abort();
  }
  // Only a head linearised, as for a multi-segment mbuf.
  const uint32_t head = len < 64 ? len : 64;
  (void)parse_packet(data, head, len, m);
  return 0;
}
