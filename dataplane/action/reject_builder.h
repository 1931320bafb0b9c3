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

// True if `m` is a packet that build_reject() will never answer.
bool reject_must_not_answer(const PacketMeta& m);

}  // namespace rampart::dp
