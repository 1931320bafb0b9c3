#pragma once
// Rebuilds the datagram a complete set of fragments carries, as the
// receiving host will see it: the first fragment's link and unfragmentable
// IP headers, then every fragment's bytes at its offset. IPv4: total length,
// flags and offset and the header checksum are set for an unfragmented
// packet (options of the first fragment kept, as RFC 791 reassembly does).
// IPv6: the fragment header is taken out of the chain and the payload length
// set (RFC 8200 4.5). The result is an ordinary frame that parse_packet()
// reads like any other, so the datagram goes through conntrack, stream
// reassembly, L7 inspection and signatures exactly as if it had arrived
// whole.
//
// Hot path (once per completed datagram, worker only): copies into the
// caller's buffer, allocates nothing.

#include <cstdint>

#include "dataplane/common/drop_reason.h"
#include "dataplane/frag/fragment_tracker.h"

namespace rampart::dp {

// Largest frame assemble_datagram() writes: headers the parser may read
// before the fragmentable part, plus a maximal IP payload.
inline constexpr uint32_t kMaxAssembledBytes = 512 + 65535;

// Writes the datagram `d` (complete, as FragmentTracker::add() reported it)
// into `out` (at least kMaxAssembledBytes) and returns its length, or 0 with
// *why set when the result would not be a valid packet (kFragBadLength: an
// IPv6 payload past 65535 once the unfragmentable headers are added).
uint32_t assemble_datagram(const FragmentTracker::Datagram& d, uint8_t* out, DropReason* why);

}  // namespace rampart::dp
