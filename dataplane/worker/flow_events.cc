#include "dataplane/worker/flow_events.h"

#include <algorithm>
#include <cstring>

namespace rampart::dp {

void FlowEvents::flow_end(const Flow& f, FlowEndReason why, uint64_t now_ns) {
  EventRecord e;
  std::memset(&e, 0, sizeof(e));
  e.type = EventType::kFlow;
  e.timestamp_ns = why == FlowEndReason::kTimeout ? f.last_seen_ns : now_ns;
  if (e.timestamp_ns < f.last_seen_ns) e.timestamp_ns = f.last_seen_ns;
  e.flow_id = f.flow_id;
  e.start_ns = f.first_seen_ns;
  e.pkts_toserver = f.packets[0];
  e.pkts_toclient = f.packets[1];
  e.bytes_toserver = f.bytes[0];
  e.bytes_toclient = f.bytes[1];
  const bool lo = f.initiator_is_lo;
  std::memcpy(e.src, lo ? f.key.addr_lo : f.key.addr_hi, 16);
  std::memcpy(e.dst, lo ? f.key.addr_hi : f.key.addr_lo, 16);
  e.src_port = lo ? f.key.port_lo : f.key.port_hi;
  e.dst_port = lo ? f.key.port_hi : f.key.port_lo;
  e.rule_number = f.rule_index;
  e.generation = f.generation;
  e.in_port = f.in_port;
  e.vlan = f.key.vlan;
  e.family = f.key.family;
  e.proto = f.key.proto;
  e.state = static_cast<uint8_t>(f.state);
  e.verdict = static_cast<uint8_t>(f.verdict);
  e.end_reason = static_cast<uint8_t>(why);
  e.tcp_flags_ts = f.tcp_flags[0];
  e.tcp_flags_tc = f.tcp_flags[1];
  e.icmp_type = f.icmp_type;
  e.icmp_code = f.icmp_code;
  e.mode = f.mode;
  e.policy_verdict = static_cast<uint8_t>(f.policy_verdict);
  if (!enqueue_record(ring_, e, ring_full_)) lost_->add();
}

void FlowEvents::drop(const PacketMeta& m, const Flow* f, DropReason r, uint32_t len, uint16_t port, uint64_t now_ns) {
  EventRecord e;
  std::memset(&e, 0, sizeof(e));
  e.type = EventType::kDrop;
  e.timestamp_ns = now_ns;
  e.flow_id = f != nullptr ? f->flow_id : 0;
  std::memcpy(e.src, m.src, 16);
  std::memcpy(e.dst, m.dst, 16);
  e.src_port = m.src_port;
  e.dst_port = m.dst_port;
  e.rule_number = f != nullptr ? f->rule_index : 0;
  e.generation = f != nullptr ? f->generation : 0;
  e.in_port = port;
  e.vlan = m.vlan_outer;
  e.pkt_len = static_cast<uint16_t>(std::min<uint32_t>(len, 65535));
  e.family = static_cast<uint8_t>(m.l3);
  e.proto = m.proto;
  e.verdict = f != nullptr ? static_cast<uint8_t>(f->verdict) : static_cast<uint8_t>(FlowVerdict::kDeny);
  e.drop_reason = static_cast<uint8_t>(r);
  e.tcp_flags_ts = m.tcp_flags;
  e.ttl = m.ttl;
  e.icmp_type = m.icmp_type;
  e.icmp_code = m.icmp_code;
  e.mode = f != nullptr ? f->mode : 0;
  e.policy_verdict = f != nullptr ? static_cast<uint8_t>(f->policy_verdict) : e.verdict;
  if (!enqueue_record(ring_, e, ring_full_)) lost_->add();
}

}  // namespace rampart::dp
