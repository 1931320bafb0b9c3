#include "dataplane/worker/flow_policy.h"

#include <algorithm>
#include <cstring>

#include "common/macros.h"
#include "dataplane/classify/acl_classifier.h"

namespace rampart::dp {
namespace {

bool is_pure_syn(const PacketMeta& m) {
  return (m.tcp_flags & tcp_flag::kSyn) && !(m.tcp_flags & tcp_flag::kAck);
}

}  // namespace

bool FlowPolicy::expired(const Flow& f, uint64_t now_ns) const {
  uint64_t timeout = flow_timeout_ns(cfg_.timeouts, f.key.proto, f.state);
  if (RAMPART_UNLIKELY(table_pressure_) && flow_unanswered(f)) {
    timeout = std::min(timeout, cfg_.timeouts.unanswered_under_pressure_ns);
  }
  return now_ns > f.last_seen_ns && now_ns - f.last_seen_ns > timeout;
}

uint32_t FlowPolicy::classify_one(const PacketMeta& m, const RuleSet& rs) const {
  AclKey key;
  make_acl_key(m, key);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(&key);
  uint32_t result = 0;
  if (m.l3 == L3::kIpv4) {
    rs.acl().classify_burst_v4(&p, &result, 1);
  } else {
    rs.acl().classify_burst_v6(&p, &result, 1);
  }
  return result;
}

PacketMeta FlowPolicy::initiator_meta(const Flow& f) {
  // Re-classification after a policy change: always in the initiator's
  // direction, as the flow was first classified.
  PacketMeta m;
  std::memset(&m, 0, sizeof(m));
  m.l3 = static_cast<L3>(f.key.family);
  m.proto = f.key.proto;
  const bool lo = f.initiator_is_lo;
  std::memcpy(m.src, lo ? f.key.addr_lo : f.key.addr_hi, 16);
  std::memcpy(m.dst, lo ? f.key.addr_hi : f.key.addr_lo, 16);
  m.src_port = lo ? f.key.port_lo : f.key.port_hi;
  m.dst_port = lo ? f.key.port_hi : f.key.port_lo;
  return m;
}

policy::GroupMode FlowPolicy::mode_of(const PacketMeta& m, const RuleSet& rs) {
  if (!rs.has_modes()) return policy::GroupMode::kProtect;
  AclKey key;
  make_acl_key(m, key);
  return rs.mode_of(key, m.l3 == L3::kIpv4);
}

void FlowPolicy::set_policy(Flow& f, const PacketMeta& m, uint32_t rule, const RuleSet& rs) const {
  f.rule_index = rule;
  f.generation = rs.generation();
  f.policy_verdict = rs.verdict(rule);
  const policy::GroupMode mode = mode_of(m, rs);
  f.mode = static_cast<uint8_t>(mode);
  f.verdict = enforced_verdict(f.policy_verdict, mode);
}

void FlowPolicy::report_unenforced(const PacketMeta& m, Flow& f, uint32_t len, uint16_t port, uint64_t now_ns) {
  f.drop_logged = true;
  stats_.policy_unenforced.add();
  events_.drop(m, &f,
            f.policy_verdict == FlowVerdict::kReject ? DropReason::kPolicyReject : DropReason::kPolicyDeny, len,
            port, now_ns);
}

FlowDecision FlowPolicy::verdict_decision(FlowVerdict v) const {
  switch (v) {
    case FlowVerdict::kAllow: return FlowDecision{};
    case FlowVerdict::kDeny: return FlowDecision{DropReason::kPolicyDeny, false};
    case FlowVerdict::kReject: return FlowDecision{DropReason::kPolicyReject, true};
  }
  return FlowDecision{DropReason::kPolicyDeny, false};
}

Flow& FlowPolicy::init_flow(int32_t pos, const PacketMeta& m, bool src_lo, uint32_t rule, const RuleSet& rs,
                            uint16_t port, uint64_t now_ns) {
  Flow& f = flows_.at(pos);
  f.flow_id = (uint64_t{worker_id_} << 48) | (++flow_seq_ & 0xffffffffffffull);
  f.first_seen_ns = now_ns;
  f.last_seen_ns = now_ns;
  f.initiator_is_lo = src_lo;
  f.in_port = port;
  set_policy(f, m, rule, rs);
  f.drop_logged = false;
  f.l7_blocked = false;
  f.packets[0] = f.packets[1] = 0;
  f.bytes[0] = f.bytes[1] = 0;
  f.tcp_flags[0] = f.tcp_flags[1] = 0;
  f.icmp_type = m.icmp_type;
  f.icmp_code = m.icmp_code;
  if (m.proto == ip_proto::kTcp) {
    f.state = tcp_initial_state(m.tcp_flags);
    if (!is_pure_syn(m)) stats_.tcp_midstream.add();
  } else {
    f.state = FlowState::kNew;
  }
  // L7: no slot yet; one is taken with the first payload byte.
  f.l7_slot = kNoL7Slot;
  f.l7_phase = static_cast<uint8_t>(L7Phase::kNone);
  f.stream_seq_known = 0;
  stats_.flows_created.add();
  if (rule < stats_.rule_slots) stats_.rule_hits[rule].add();
  if (flow_unanswered(f)) unanswered_.push(pos, f.flow_id);
  return f;
}

bool FlowPolicy::evict_unanswered() {
  table_pressure_ = true;  // until the next housekeeping round says otherwise
  const int32_t victim = unanswered_.take_oldest([this](int32_t p) -> const Flow& { return flows_.at(p); });
  if (victim < 0) return false;
  stats_.flows_evicted.add();
  end_flow_.fn(end_flow_.ctx, flows_.at(victim), FlowEndReason::kEvicted);
  flows_.remove(victim);
  removed_in_burst_ = true;
  return true;
}

FlowDecision FlowPolicy::decide(const FlowPacket& p, const RuleSet& rs, uint64_t now_ns, bool* inserted) {
  const PacketMeta& m = *p.meta;
  int32_t pos = p.pos;
  bool acl_known = p.acl_known;
  Flow* f;
  bool from_initiator = true;
  const bool tcp = m.proto == ip_proto::kTcp;
  if (pos >= 0 && expired(flows_.at(pos), now_ns)) {
    // Expiry is checked on every hit, not only by the housekeeping sweep: a
    // packet never joins a flow that has already timed out.
    stats_.flows_expired.add();
    end_flow_.fn(end_flow_.ctx, flows_.at(pos), FlowEndReason::kTimeout);
    flows_.remove(pos);
    removed_in_burst_ = true;
    pos = -1;
    acl_known = false;
  }
  if (pos < 0) {
    if (tcp && !is_pure_syn(m) && !cfg_.tcp_midstream_allow) return FlowDecision{DropReason::kTcpNoFlow, false};
    const uint32_t rule = acl_known ? p.acl_rule : classify_one(m, rs);
    pos = flows_.insert(*p.key, p.hash);
    // A full table gives up its oldest unanswered flow (half-open TCP,
    // one-way UDP: what a flood fills it with) before it refuses a new one.
    if (pos < 0 && evict_unanswered()) pos = flows_.insert(*p.key, p.hash);
    if (pos < 0) {
      if (!cfg_.flow_table_full_bypass) return FlowDecision{DropReason::kFlowTableFull, false};
      // Fail-open on a full table still enforces the policy, statelessly.
      stats_.flows_untracked.add();
      if (rule < stats_.rule_slots) stats_.rule_hits[rule].add();
      const FlowVerdict policy = rs.verdict(rule);
      const policy::GroupMode mode = mode_of(m, rs);
      // Monitor mode without a flow to report on: counted, per packet.
      if (mode == policy::GroupMode::kMonitor && policy != FlowVerdict::kAllow) stats_.policy_unenforced.add();
      return verdict_decision(enforced_verdict(policy, mode));
    }
    *inserted = true;
    f = &init_flow(pos, m, p.src_lo, rule, rs, p.in_port, now_ns);
  } else {
    f = &flows_.at(pos);
    from_initiator = p.src_lo == f->initiator_is_lo;
    // A flow blocked by a signature stays blocked under any later policy.
    if (RAMPART_UNLIKELY(f->generation != rs.generation()) && !f->l7_blocked) {
      const PacketMeta first = initiator_meta(*f);
      const FlowVerdict before = f->verdict;
      set_policy(*f, first, classify_one(first, rs), rs);
      // The new verdict is reported afresh. Denied before, allowed now: the
      // next payload takes an inspection slot.
      if (f->verdict != before) f->drop_logged = false;
    }
    if (tcp) {
      if (tcp_may_reopen(f->state, m.tcp_flags, from_initiator)) {
        end_flow_.fn(end_flow_.ctx, *f, FlowEndReason::kReopened);
        stats_.flows_reopened.add();
        f = &init_flow(pos, m, p.src_lo, classify_one(m, rs), rs, p.in_port, now_ns);
        from_initiator = true;
      } else if (!tcp_advance(f->state, m.tcp_flags, from_initiator)) {
        return FlowDecision{DropReason::kTcpInvalidState, false};
      }
    } else if (!from_initiator && f->state == FlowState::kNew) {
      f->state = FlowState::kEstablished;
    }
  }
  const int dir = from_initiator ? 0 : 1;
  f->packets[dir] += 1;
  f->bytes[dir] += p.frame_len;
  f->tcp_flags[dir] |= m.tcp_flags;
  f->last_seen_ns = now_ns;
  FlowDecision d = verdict_decision(f->verdict);
  d.flow = f;
  d.to_server = from_initiator;
  if (d.drop != DropReason::kNone && !f->drop_logged) {
    f->drop_logged = true;
    events_.drop(m, f, d.drop, p.frame_len, p.in_port, now_ns);
  } else if (RAMPART_UNLIKELY(f->policy_verdict != FlowVerdict::kAllow) && !f->drop_logged &&
             f->mode == static_cast<uint8_t>(policy::GroupMode::kMonitor)) {
    report_unenforced(m, *f, p.frame_len, p.in_port, now_ns);
  }
  return d;
}

bool FlowPolicy::related(const PacketMeta& meta, uint64_t now_ns, FlowDecision* d) {
  FlowKey key;
  make_flow_key(meta.inner_src, meta.inner_dst, meta.inner_src_port, meta.inner_dst_port, meta.inner_proto, meta.l3,
                meta.vlan_outer, key);
  const int32_t pos = flows_.lookup(key);
  // Unrelated (or about a flow that has timed out): classified as an ICMP
  // packet of its own.
  if (pos < 0 || expired(flows_.at(pos), now_ns)) return false;
  Flow& f = flows_.at(pos);
  stats_.icmp_related.add();
  f.last_seen_ns = now_ns;
  *d = verdict_decision(f.verdict);
  return true;
}

}  // namespace rampart::dp
