#pragma once
// BurstPacket: what the worker's pipeline learns about one received packet
// as it goes through the stages of a burst (parse, sort, bulk flow lookup,
// bulk classification, decision). One array of these per worker, sized at
// start: the stages hand the burst along as one context instead of a dozen
// parallel arrays. Plain data; owning worker only.

#include <cstdint>

#include "dataplane/conntrack/flow_key.h"
#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {

// Which path a packet takes after parsing.
enum class PacketKind : uint8_t {
  kDone,       // dropped by the parser (counted)
  kNonIp,      // the policy's non_ip action
  kFragment,   // to the fragment tracker
  kIcmpError,  // its quoted flow's verdict, or an ICMP packet of its own
  kFlow,       // a flow packet
};

struct BurstPacket {
  PacketMeta meta;
  FlowKey key;               // kFlow / kIcmpError: the direction-normalised key
  uint32_t hash = 0;         // flow_hash(key)
  bool src_lo = false;       // the packet's source is the key's lo side
  PacketKind kind = PacketKind::kDone;
  int32_t lookup = -1;       // index into the bulk lookup, or -1
  uint32_t acl_rule = 0;     // rte_acl's answer, for packets with no flow at lookup
  const uint8_t* head = nullptr;  // the parsed headers (in the mbuf, or copied)
  uint32_t avail = 0;             // bytes at head
  uint64_t ts = 0;                // the packet's time (capture time offline)
};

}  // namespace rampart::dp
