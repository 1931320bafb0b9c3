#pragma once
// The TCP connection state machine conntrack runs per flow, and the timeout
// that applies in each state. Pure functions: unit-tested without DPDK.

#include <cstdint>

#include "dataplane/conntrack/flow.h"
#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {

struct ConntrackTimeouts {
  uint64_t tcp_syn_ns = 30'000'000'000ull;
  uint64_t tcp_established_ns = 3600'000'000'000ull;
  uint64_t tcp_closing_ns = 120'000'000'000ull;
  uint64_t tcp_time_wait_ns = 30'000'000'000ull;
  uint64_t tcp_closed_ns = 10'000'000'000ull;
  uint64_t udp_new_ns = 30'000'000'000ull;
  uint64_t udp_established_ns = 120'000'000'000ull;
  uint64_t icmp_ns = 30'000'000'000ull;
  uint64_t other_ns = 60'000'000'000ull;
  // Unanswered flows (half-open TCP, one-way UDP/other) while the table is
  // nearly full (table_pressure_percent): a flood's leftovers go quickly.
  uint64_t unanswered_under_pressure_ns = 2'000'000'000ull;
  uint32_t table_pressure_percent = 90;
};

// The state a TCP flow starts in for its first packet (no flow existed).
FlowState tcp_initial_state(uint8_t flags);

// Advances `state` for a packet with `flags` sent by the initiator
// (from_initiator) or the responder. Returns false if the packet is not valid
// in this state (it is then dropped as tcp_invalid_state and the state is
// left unchanged).
bool tcp_advance(FlowState& state, uint8_t flags, bool from_initiator);

// True when a SYN may reuse a finished flow's slot for a new connection on
// the same 5-tuple (port reuse after close).
bool tcp_may_reopen(FlowState state, uint8_t flags, bool from_initiator);

inline uint64_t flow_timeout_ns(const ConntrackTimeouts& t, uint8_t proto, FlowState state) {
  switch (state) {
    case FlowState::kTcpSynSent:
    case FlowState::kTcpSynRecv: return t.tcp_syn_ns;
    case FlowState::kTcpEstablished: return t.tcp_established_ns;
    case FlowState::kTcpFinWait:
    case FlowState::kTcpClosing: return t.tcp_closing_ns;
    case FlowState::kTcpTimeWait: return t.tcp_time_wait_ns;
    case FlowState::kTcpClosed: return t.tcp_closed_ns;
    case FlowState::kNew:
    case FlowState::kEstablished: break;
  }
  if (proto == ip_proto::kUdp) return state == FlowState::kEstablished ? t.udp_established_ns : t.udp_new_ns;
  if (proto == ip_proto::kIcmp || proto == ip_proto::kIcmpv6) return t.icmp_ns;
  return t.other_ns;
}

}  // namespace rampart::dp
