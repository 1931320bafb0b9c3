#pragma once
// Builds the answer to a rejected packet: a TCP RST to its sender, or an
// ICMP / ICMPv6 port unreachable from its destination address. The answer
// keeps the original's VLAN tags and swaps its MAC addresses, so it goes back
// out of the port the packet came in on. Hot path (per rejected packet): one
// mbuf from the worker's pool, no other allocation.

#include <rte_mbuf.h>

#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {

// `frame` holds at least the headers parse_packet() read (`avail` bytes).
// Returns nullptr when the packet must not be answered (a RST, an ICMP
// error, a multicast or broadcast destination) or no mbuf is free.
rte_mbuf* build_reject(rte_mempool* pool, const uint8_t* frame, uint32_t avail, const PacketMeta& m);

// A TCP RST that continues `m`'s direction (from its source to its
// destination, with the sequence number the destination expects), so the
// receiver of a blocked connection drops its side too. nullptr for non-TCP,
// for a RST, or when no mbuf is free.
rte_mbuf* build_forward_rst(rte_mempool* pool, const uint8_t* frame, const PacketMeta& m);

// True if `m` is a packet that build_reject() will never answer.
bool reject_must_not_answer(const PacketMeta& m);

}  // namespace rampart::dp
