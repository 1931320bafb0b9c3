#pragma once
// EventRecord: the fixed-size record a worker hands to the agent through its
// event ring (flow ended, packet dropped by policy). Plain data, no pointers,
// so the ring copies it and the worker never waits for the writer.

#include <cstdint>

namespace rampart::dp {

enum class EventType : uint8_t { kFlow = 1, kDrop = 2 };

enum class FlowEndReason : uint8_t { kTimeout = 0, kShutdown = 1, kReopened = 2, kEvicted = 3 };

struct EventRecord {
  uint64_t timestamp_ns;  // wall clock (or capture time in offline mode)
  uint64_t flow_id;
  uint64_t start_ns;
  uint64_t pkts_toserver;
  uint64_t pkts_toclient;
  uint64_t bytes_toserver;
  uint64_t bytes_toclient;
  uint8_t src[16];  // the flow's initiator (for drops: the packet's source)
  uint8_t dst[16];
  uint16_t src_port;
  uint16_t dst_port;
  uint32_t rule_number;  // 0: default action
  uint32_t generation;
  uint16_t in_port;
  uint16_t vlan;
  uint16_t pkt_len;  // drop: frame length
  uint8_t family;
  uint8_t proto;
  EventType type;
  uint8_t state;    // FlowState
  uint8_t verdict;  // FlowVerdict
  uint8_t drop_reason;  // DropReason
  uint8_t end_reason;   // FlowEndReason
  uint8_t tcp_flags_ts;
  uint8_t tcp_flags_tc;
  uint8_t ttl;
  uint8_t icmp_type;
  uint8_t icmp_code;
  uint8_t mode;            // policy::GroupMode of the flow
  uint8_t policy_verdict;  // FlowVerdict the rules gave (differs from verdict when not enforced)
};
static_assert(sizeof(EventRecord) % 4 == 0, "rte_ring element size must be a multiple of 4");

}  // namespace rampart::dp
