#include "dataplane/worker/worker.h"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>
#include <rte_prefetch.h>

#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "dataplane/action/reject_builder.h"
#include "dataplane/classify/acl_classifier.h"
#include "common/macros.h"
#include "dataplane/frag/datagram_assembler.h"
#include "dataplane/parse/l4_checksum.h"

namespace rampart::dp {
namespace {

// Housekeeping (flow and fragment expiry) runs at most this often, so its
// cost is spread thinly over the packets; each round visits a bounded
// number of slots.
constexpr uint64_t kHousekeepingIntervalNs = 1'000'000;  // 1 ms
// Slots per round: the whole flow table about once a second, whatever its
// size (expiry is also checked on every hit, so this only bounds how long an
// idle flow holds its slot past its timeout).
constexpr uint32_t kMinFlowExpiryBudget = 64;
constexpr uint32_t kFragExpiryBudget = 64;

bool is_pure_syn(const PacketMeta& m) {
  return (m.tcp_flags & tcp_flag::kSyn) && !(m.tcp_flags & tcp_flag::kAck);
}

}  // namespace

Worker::Worker(uint16_t id, uint16_t queue, std::vector<PortPair> ports, const WorkerConfig& cfg, rte_mempool* pool,
               RuleSetRcu* rules)
    : id_(id),
      queue_(queue),
      ports_(std::move(ports)),
      cfg_(cfg),
      pool_(pool),
      rules_(rules),
      unanswered_(cfg.flow_capacity) {}

Result<std::unique_ptr<Worker>> Worker::create(uint16_t id, uint16_t queue, std::vector<PortPair> ports,
                                               const WorkerConfig& cfg, rte_mempool* pool, RuleSetRcu* rules,
                                               int socket) {
  std::unique_ptr<Worker> w(new Worker(id, queue, std::move(ports), cfg, pool, rules));
  const std::string flows_name = fmt::format("rp_flows_{}", id);
  auto flows = FlowTable::create(flows_name.c_str(), cfg.flow_capacity, socket);
  if (!flows) return flows.error();
  w->flows_ = std::move(*flows);
  const std::string frag_name = fmt::format("rp_frags_{}", id);
  auto frags = FragmentTracker::create(frag_name.c_str(), cfg.frag, cfg.hash_seed ^ 0x9e3779b9u ^ id, socket,
                                       w->stats_.drops.data());
  if (!frags) return frags.error();
  w->frags_ = std::move(*frags);
  const std::string ring_name = fmt::format("rp_events_{}", id);
  w->events_ = rte_ring_create_elem(ring_name.c_str(), sizeof(EventRecord), cfg.event_ring_size, socket,
                                    RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (w->events_ == nullptr) {
    return Error{fmt::format("rte_ring_create_elem({}): {}", ring_name, rte_strerror(rte_errno))};
  }
  w->dgram_ = std::make_unique<uint8_t[]>(kMaxAssembledBytes);
  if (cfg.matcher != nullptr) {
    L7Config l7cfg = cfg.l7;
    l7cfg.ring_full = cfg.ring_full;
    auto l7 = L7Inspector::create(id, l7cfg, cfg.matcher, socket);
    if (!l7) return l7.error();
    w->l7_ = std::move(*l7);
  }
  w->stats_.rule_slots = cfg.rule_slots;
  w->stats_.rule_hits = std::make_unique<Counter[]>(cfg.rule_slots);
  w->tsc_base_ = rte_get_tsc_cycles();
  w->wall_base_ns_ = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  w->ns_per_tsc_ = 1e9 / static_cast<double>(rte_get_tsc_hz());
  w->now_ns_ = cfg.timestamp_offset >= 0 ? 0 : w->wall_base_ns_;
  return w;
}

Worker::~Worker() {
  if (events_ != nullptr) rte_ring_free(events_);
}

void Worker::update_clock(rte_mbuf* const* pkts, uint16_t n) {
  if (cfg_.timestamp_offset < 0) {
    now_ns_ = wall_base_ns_ + static_cast<uint64_t>(static_cast<double>(rte_get_tsc_cycles() - tsc_base_) * ns_per_tsc_);
    return;
  }
  if (n > 0) set_packet_time(pkts[0]);
}

void Worker::set_packet_time(const rte_mbuf* m) {
  // Capture time. Captures that go backwards in time do not move the clock
  // back.
  if ((m->ol_flags & cfg_.timestamp_flag) == 0) return;
  uint64_t ts = *RTE_MBUF_DYNFIELD(m, cfg_.timestamp_offset, const rte_mbuf_timestamp_t*);
  if (ts < 100'000'000'000'000'000ull) ts *= 1000;  // microsecond-precision PMDs
  if (ts > now_ns_) now_ns_ = ts;
}

uint32_t Worker::poll_once() {
  const uint64_t t0 = rte_rdtsc();
  if (l7_) l7_->adopt_offered();
  const RuleSet& rs = rules_->current();
  uint32_t total = 0;
  for (const PortPair& pp : ports_) total += poll_port(pp, rs);
  if (total == 0 && cfg_.timestamp_offset < 0) update_clock(nullptr, 0);
  if (now_ns_ >= next_housekeeping_ns_) housekeeping();
  rules_->quiescent(id_);
  const uint64_t dt = rte_rdtsc() - t0;
  if (dt > stats_.max_loop_cycles.get()) stats_.max_loop_cycles.set(dt);
  const auto bucket = static_cast<std::size_t>(63 - __builtin_clzll(dt | 1));
  stats_.loop_log2_cycles[std::min(bucket, WorkerStats::kLoopBuckets - 1)].add();
  return total;
}

void Worker::run(const std::atomic<bool>& stop) {
  rules_->worker_online(id_);
  while (!stop.load(std::memory_order_relaxed)) poll_once();
  rules_->worker_offline(id_);
}

bool Worker::flow_expired(const Flow& f) const {
  uint64_t timeout = flow_timeout_ns(cfg_.timeouts, f.key.proto, f.state);
  if (RAMPART_UNLIKELY(table_pressure_) && flow_unanswered(f)) {
    timeout = std::min(timeout, cfg_.timeouts.unanswered_under_pressure_ns);
  }
  return now_ns_ > f.last_seen_ns && now_ns_ - f.last_seen_ns > timeout;
}

void Worker::housekeeping() {
  next_housekeeping_ns_ = now_ns_ + kHousekeepingIntervalNs;
  table_pressure_ = uint64_t{flows_->size()} * 100 >= uint64_t{flows_->capacity()} * cfg_.timeouts.table_pressure_percent;
  flows_->expire_some(
      std::max(kMinFlowExpiryBudget, flows_->capacity() / 1024), [this](const Flow& f) { return flow_expired(f); },
      [this](Flow& f) {
        stats_.flows_expired.add();
        end_flow(f, FlowEndReason::kTimeout);
      });
  frags_->expire_some(now_ns_, kFragExpiryBudget);
}

void Worker::finish() {
  frags_->flush();
  flows_->remove_all([this](Flow& f) { end_flow(f, FlowEndReason::kShutdown); });
}

uint32_t Worker::classify_one(const PacketMeta& m, const RuleSet& rs) const {
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

PacketMeta Worker::initiator_meta(const Flow& f) {
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

policy::GroupMode Worker::mode_of(const PacketMeta& m, const RuleSet& rs) {
  if (!rs.has_modes()) return policy::GroupMode::kProtect;
  AclKey key;
  make_acl_key(m, key);
  return rs.mode_of(key, m.l3 == L3::kIpv4);
}

void Worker::set_policy(Flow& f, const PacketMeta& m, uint32_t rule, const RuleSet& rs) const {
  f.rule_index = rule;
  f.generation = rs.generation();
  f.policy_verdict = rs.verdict(rule);
  const policy::GroupMode mode = mode_of(m, rs);
  f.mode = static_cast<uint8_t>(mode);
  f.verdict = enforced_verdict(f.policy_verdict, mode);
}

void Worker::report_unenforced(const PacketMeta& m, Flow& f, uint32_t len, uint16_t port) {
  f.drop_logged = true;
  stats_.policy_unenforced.add();
  emit_drop(m, &f,
            f.policy_verdict == FlowVerdict::kReject ? DropReason::kPolicyReject : DropReason::kPolicyDeny, len,
            port);
}

Worker::Decision Worker::verdict_decision(FlowVerdict v) const {
  switch (v) {
    case FlowVerdict::kAllow: return Decision{};
    case FlowVerdict::kDeny: return Decision{DropReason::kPolicyDeny, false};
    case FlowVerdict::kReject: return Decision{DropReason::kPolicyReject, true};
  }
  return Decision{DropReason::kPolicyDeny, false};
}

Flow& Worker::init_flow(int32_t pos, const PacketMeta& m, bool src_lo, uint32_t rule, const RuleSet& rs,
                        uint16_t port) {
  Flow& f = flows_->at(pos);
  f.flow_id = (uint64_t{id_} << 48) | (++flow_seq_ & 0xffffffffffffull);
  f.first_seen_ns = now_ns_;
  f.last_seen_ns = now_ns_;
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
  // L7: a slot is taken with the first payload byte (inspect_l7()).
  f.l7_slot = L7Inspector::kNoSlot;
  f.l7_phase = static_cast<uint8_t>(L7Phase::kNone);
  f.stream_seq_known = 0;
  f.stream_seq[0] = f.stream_seq[1] = 0;
  stats_.flows_created.add();
  if (rule < stats_.rule_slots) stats_.rule_hits[rule].add();
  if (flow_unanswered(f)) unanswered_.push(pos, f.flow_id);
  return f;
}

bool Worker::evict_unanswered() {
  table_pressure_ = true;  // until the next housekeeping round says otherwise
  const int32_t victim = unanswered_.take_oldest([this](int32_t p) -> const Flow& { return flows_->at(p); });
  if (victim < 0) return false;
  stats_.flows_evicted.add();
  end_flow(flows_->at(victim), FlowEndReason::kEvicted);
  flows_->remove(victim);
  removed_in_burst_ = true;
  return true;
}

Worker::Decision Worker::decide(const PacketMeta& m, const FlowKey& key, uint32_t hash, bool src_lo, int32_t pos,
                                uint32_t acl_rule, bool acl_known, const RuleSet& rs, uint16_t in_port,
                                uint32_t frame_len, bool* inserted) {
  Flow* f;
  bool from_initiator = true;
  const bool tcp = m.proto == ip_proto::kTcp;
  if (pos >= 0 && flow_expired(flows_->at(pos))) {
    // Expiry is checked on every hit, not only by the housekeeping sweep: a
    // packet never joins a flow that has already timed out.
    stats_.flows_expired.add();
    end_flow(flows_->at(pos), FlowEndReason::kTimeout);
    flows_->remove(pos);
    removed_in_burst_ = true;
    pos = -1;
    acl_known = false;
  }
  if (pos < 0) {
    if (tcp && !is_pure_syn(m) && !cfg_.tcp_midstream_allow) return Decision{DropReason::kTcpNoFlow, false};
    const uint32_t rule = acl_known ? acl_rule : classify_one(m, rs);
    pos = flows_->insert(key, hash);
    // A full table gives up its oldest unanswered flow (half-open TCP,
    // one-way UDP: what a flood fills it with) before it refuses a new one.
    if (pos < 0 && evict_unanswered()) pos = flows_->insert(key, hash);
    if (pos < 0) {
      if (!cfg_.flow_table_full_bypass) return Decision{DropReason::kFlowTableFull, false};
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
    f = &init_flow(pos, m, src_lo, rule, rs, in_port);
  } else {
    f = &flows_->at(pos);
    from_initiator = src_lo == f->initiator_is_lo;
    // A flow blocked by a signature stays blocked under any later policy.
    if (RAMPART_UNLIKELY(f->generation != rs.generation()) && !f->l7_blocked) {
      const PacketMeta first = initiator_meta(*f);
      const FlowVerdict before = f->verdict;
      set_policy(*f, first, classify_one(first, rs), rs);
      // The new verdict is reported afresh. Denied before, allowed now: the
      // next payload takes an inspection slot (inspect_l7()).
      if (f->verdict != before) f->drop_logged = false;
    }
    if (tcp) {
      if (tcp_may_reopen(f->state, m.tcp_flags, from_initiator)) {
        end_flow(*f, FlowEndReason::kReopened);
        stats_.flows_reopened.add();
        f = &init_flow(pos, m, src_lo, classify_one(m, rs), rs, in_port);
        from_initiator = true;
      } else if (!tcp_advance(f->state, m.tcp_flags, from_initiator)) {
        return Decision{DropReason::kTcpInvalidState, false};
      }
    } else if (!from_initiator && f->state == FlowState::kNew) {
      f->state = FlowState::kEstablished;
    }
  }
  const int dir = from_initiator ? 0 : 1;
  if (tcp && (m.tcp_flags & tcp_flag::kSyn) && f->l7_slot == L7Inspector::kNoSlot) {
    // Where each direction's bytes start (ISN + 1): a slot taken later
    // starts its stream there, whatever segment comes first.
    const bool syn_ok = from_initiator ? !(m.tcp_flags & tcp_flag::kAck) : (m.tcp_flags & tcp_flag::kAck) != 0;
    if (syn_ok) {
      f->stream_seq[dir] = m.tcp_seq + 1;
      f->stream_seq_known = static_cast<uint8_t>(f->stream_seq_known | (1u << dir));
    }
  }
  f->packets[dir] += 1;
  f->bytes[dir] += frame_len;
  f->tcp_flags[dir] |= m.tcp_flags;
  f->last_seen_ns = now_ns_;
  Decision d = verdict_decision(f->verdict);
  d.flow = f;
  d.to_server = from_initiator;
  if (d.drop != DropReason::kNone && !f->drop_logged) {
    f->drop_logged = true;
    emit_drop(m, f, d.drop, frame_len, in_port);
  } else if (RAMPART_UNLIKELY(f->policy_verdict != FlowVerdict::kAllow) && !f->drop_logged &&
             f->mode == static_cast<uint8_t>(policy::GroupMode::kMonitor)) {
    report_unenforced(m, *f, frame_len, in_port);
  }
  return d;
}

void Worker::apply(rte_mbuf* m, const Decision& d, const PacketMeta& meta, const uint8_t* head, uint32_t avail,
                   const PortPair& pp) {
  if (d.drop == DropReason::kNone) {
    push_tx(m, pp);
    return;
  }
  if (d.reject) {
    if (reply_n_ == kBurst) flush_tx(pp.tx_port, pp.rx_port);
    rte_mbuf* r = build_reject(pool_, head, avail, meta);
    if (r != nullptr) {
      replies_[reply_n_++] = r;
    } else if (!reject_must_not_answer(meta)) {
      stats_.reject_failed.add();
    }
  }
  drop(m, d.drop);
}

void Worker::handle_fragment(rte_mbuf* m, uint32_t i, const RuleSet& rs, const PortPair& pp, bool* inserted) {
  int32_t slot = -1;
  switch (frags_->add(m, meta_[i], now_ns_, &slot)) {
    case FragmentTracker::Outcome::kHeld:
    case FragmentTracker::Outcome::kDropped:
      return;
    case FragmentTracker::Outcome::kForwardUnchecked:
      stats_.frag_memcap_bypassed.add();
      push_tx(m, pp);
      return;
    case FragmentTracker::Outcome::kComplete:
      break;
  }
  FragmentTracker::Datagram& dg = frags_->datagram(slot);
  // The datagram as the receiver will rebuild it goes through every later
  // stage as one packet (docs/design/fragments.md); its verdict applies to
  // each of its fragments, which leave unmodified.
  DropReason bad = DropReason::kNone;
  const uint32_t len = assemble_datagram(dg, dgram_.get(), &bad);
  const uint32_t avail = std::min<uint32_t>(len, kMaxHeaderBytes);
  PacketMeta& dm = dgram_meta_;
  if (len != 0) bad = parse_packet(dgram_.get(), avail, len, dm, cfg_.parse);
  if (bad != DropReason::kNone) {
    for (uint32_t k = 0; k < dg.count; ++k) drop(dg.frags[k].mbuf, bad);
    frags_->release(slot);
    return;
  }
  stats_.frag_datagrams.add();
  uint32_t bytes = 0;
  for (uint32_t k = 0; k < dg.count; ++k) bytes += dg.frags[k].mbuf->pkt_len;
  Decision d;
  if (dm.icmp_error && related_flow_decision(dm, &d)) {
    d.reject = false;  // an error about a rejected flow is not answered again
  } else {
    FlowKey key;
    const bool lo = make_flow_key(dm, key);
    const uint32_t hash = flow_hash(key);
    d = decide(dm, key, hash, lo, flows_->lookup(key, hash), 0, false, rs, pp.rx_port, bytes, inserted);
    if (wants_l7(dm, d)) {
      const uint8_t* payload = dgram_.get() + dm.l2_len + dm.l3_hdr_len + dm.l4_len;
      d = inspect_l7(dm, dgram_.get(), dm.payload_len > 0 ? payload : nullptr, dm.payload_len, d);
    }
  }
  for (uint32_t k = 0; k < dg.count; ++k) {
    // Answer a rejected datagram once, with its first fragment.
    const bool answer = d.reject && dg.frags[k].offset == 0;
    apply(dg.frags[k].mbuf, Decision{d.drop, answer}, dm, dgram_.get(), avail, pp);
  }
  frags_->release(slot);
}

bool Worker::related_flow_decision(const PacketMeta& meta, Decision* d) {
  FlowKey key;
  make_flow_key(meta.inner_src, meta.inner_dst, meta.inner_src_port, meta.inner_dst_port, meta.inner_proto, meta.l3,
                meta.vlan_outer, key);
  const int32_t pos = flows_->lookup(key);
  // Unrelated (or about a flow that has timed out): classified as an ICMP
  // packet of its own.
  if (pos < 0 || flow_expired(flows_->at(pos))) return false;
  Flow& f = flows_->at(pos);
  stats_.icmp_related.add();
  f.last_seen_ns = now_ns_;
  *d = verdict_decision(f.verdict);
  return true;
}

bool Worker::handle_icmp_error(rte_mbuf* m, uint32_t i, const PortPair& pp) {
  Decision d;
  if (!related_flow_decision(meta_[i], &d)) return false;
  // An error about a rejected flow is not answered again.
  apply(m, Decision{d.drop, false}, meta_[i], heads_[i], avail_[i], pp);
  return true;
}

uint32_t Worker::poll_port(const PortPair& pp, const RuleSet& rs) {
  rte_mbuf* pkts[kBurst];
  const uint16_t n = rte_eth_rx_burst(pp.rx_port, queue_, pkts, kBurst);
  if (n == 0) return 0;
  update_clock(pkts, n);
  const bool packet_time = cfg_.timestamp_offset >= 0;
  tx_n_ = 0;
  reply_n_ = 0;

  // Stage 1: parse everything; build flow keys for the bulk lookup.
  PacketKind kind[kBurst];
  int32_t lookup_slot[kBurst];  // index into the bulk lookup arrays, or -1
  const FlowKey* key_ptrs[kBurst];
  uint32_t nl = 0;
  uint64_t rx_bytes = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    if (packet_time) set_packet_time(m);
    ts_[i] = now_ns_;
    lookup_slot[i] = -1;
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void*));
    rx_bytes += m->pkt_len;
    const uint32_t want = std::min<uint32_t>(m->pkt_len, kMaxHeaderBytes);
    // Contiguous heads (the common case) are read in place; the head of a
    // multi-segment packet is copied into per-slot scratch.
    const auto* head = static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, want, head_copy_[i]));
    heads_[i] = head;
    avail_[i] = want;
    const DropReason r = head == nullptr ? DropReason::kEthTruncated : parse_packet(head, want, m->pkt_len, meta_[i], cfg_.parse);
    if (RAMPART_UNLIKELY(r != DropReason::kNone)) {
      drop(m, r);
      kind[i] = PacketKind::kDone;
      continue;
    }
    const PacketMeta& meta = meta_[i];
    if (RAMPART_UNLIKELY(meta.l3 == L3::kNone)) {
      kind[i] = PacketKind::kNonIp;
      continue;
    }
    if (RAMPART_UNLIKELY(meta.is_fragment)) {
      kind[i] = PacketKind::kFragment;
      continue;
    }
    kind[i] = meta.icmp_error ? PacketKind::kIcmpError : PacketKind::kFlow;
  }
  stats_.rx_packets.add(n);
  stats_.rx_bytes.add(rx_bytes);

  // Keys in a second pass: by now the parser's stores to meta_ have retired,
  // so reading them back does not stall on store forwarding.
  for (uint16_t i = 0; i < n; ++i) {
    if (kind[i] != PacketKind::kFlow && kind[i] != PacketKind::kIcmpError) continue;
    hashes_[nl] = make_flow_key_hashed(meta_[i], keys_[i], &src_lo_[i]);
    key_ptrs[nl] = &keys_[i];
    lookup_slot[i] = static_cast<int32_t>(nl++);
  }

  // Stage 2: one bulk lookup for the burst.
  int32_t positions[kBurst];
  if (nl > 0) {
    flows_->lookup_burst(key_ptrs, hashes_, nl, positions);
    for (uint32_t j = 0; j < nl; ++j) {
      if (positions[j] >= 0) flows_->prefetch(positions[j]);
    }
  }

  // Stage 3: packets that found no flow are classified together, one
  // rte_acl call per family. Flows created earlier in this burst make some
  // of these results unused; that costs a little and keeps one call.
  uint32_t acl_rule[kBurst];
  {
    AclKey acl_keys[kBurst];
    const uint8_t* k4[kBurst];
    const uint8_t* k6[kBurst];
    uint32_t r4[kBurst], r6[kBurst], i4[kBurst], i6[kBurst];
    uint32_t n4 = 0, n6 = 0;
    for (uint16_t i = 0; i < n; ++i) {
      const int32_t j = lookup_slot[i];
      if (j < 0 || positions[j] >= 0) continue;
      make_acl_key(meta_[i], acl_keys[i]);
      if (meta_[i].l3 == L3::kIpv4) {
        k4[n4] = reinterpret_cast<const uint8_t*>(&acl_keys[i]);
        i4[n4++] = i;
      } else {
        k6[n6] = reinterpret_cast<const uint8_t*>(&acl_keys[i]);
        i6[n6++] = i;
      }
    }
    if (n4 > 0) rs.acl().classify_burst_v4(k4, r4, n4);
    if (n6 > 0) rs.acl().classify_burst_v6(k6, r6, n6);
    for (uint32_t k = 0; k < n4; ++k) acl_rule[i4[k]] = r4[k];
    for (uint32_t k = 0; k < n6; ++k) acl_rule[i6[k]] = r6[k];
  }

  // Stage 4: decide and act, strictly in arrival order, so packets leave in
  // the order they came.
  bool inserted = false;
  removed_in_burst_ = false;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    now_ns_ = ts_[i];
    switch (kind[i]) {
      case PacketKind::kDone:
        continue;
      case PacketKind::kNonIp:
        if (rs.non_ip_allow()) {
          stats_.non_ip_forwarded.add();
          push_tx(m, pp);
        } else {
          drop(m, DropReason::kNonIpPolicy);
        }
        continue;
      case PacketKind::kFragment:
        handle_fragment(m, i, rs, pp, &inserted);
        continue;
      case PacketKind::kIcmpError:
        if (handle_icmp_error(m, i, pp)) continue;
        break;  // unrelated to any flow: an ICMP packet like any other
      case PacketKind::kFlow:
        break;
    }
    const int32_t j = lookup_slot[i];
    int32_t pos = positions[j];
    bool acl_known = pos < 0;
    // A flow created earlier in this burst is not in the bulk result.
    // A flow removed earlier in this burst (expired on access, evicted) may
    // have been this packet's, and its position reused: look again.
    if ((pos < 0 && inserted) || removed_in_burst_) pos = flows_->lookup(keys_[i], hashes_[j]);
    if (pos >= 0) acl_known = false;
    Decision d = decide(meta_[i], keys_[i], hashes_[j], src_lo_[i], pos, acl_rule[i], acl_known, rs, pp.rx_port,
                        m->pkt_len, &inserted);
    if (wants_l7(meta_[i], d)) d = inspect_l7_packet(m, i, d);
    apply(m, d, meta_[i], heads_[i], avail_[i], pp);
  }
  now_ns_ = ts_[n - 1];
  flush_tx(pp.tx_port, pp.rx_port);
  return n;
}

void Worker::push_tx(rte_mbuf* m, const PortPair& pp) {
  tx_[tx_n_++] = m;
  if (tx_n_ == kTxBuffer) flush_tx(pp.tx_port, pp.rx_port);
}

void Worker::flush_tx(uint16_t tx_port, uint16_t reply_port) {
  if (tx_n_ > 0) {
    uint64_t bytes = 0;
    for (uint16_t k = 0; k < tx_n_; ++k) bytes += tx_[k]->pkt_len;
    const uint16_t sent = rte_eth_tx_burst(tx_port, queue_, tx_, tx_n_);
    uint64_t unsent_bytes = 0;
    for (uint16_t k = sent; k < tx_n_; ++k) {
      unsent_bytes += tx_[k]->pkt_len;
      drop(tx_[k], DropReason::kTxFull);
    }
    stats_.tx_packets.add(sent);
    stats_.tx_bytes.add(bytes - unsent_bytes);
    tx_n_ = 0;
  }
  if (forward_rst_n_ > 0) {
    const uint16_t sent = rte_eth_tx_burst(tx_port, queue_, forward_rsts_, forward_rst_n_);
    for (uint16_t k = sent; k < forward_rst_n_; ++k) rte_pktmbuf_free(forward_rsts_[k]);
    stats_.rejects_sent.add(sent);
    stats_.reject_failed.add(forward_rst_n_ - sent);
    forward_rst_n_ = 0;
  }
  if (reply_n_ > 0) {
    const uint16_t sent = rte_eth_tx_burst(reply_port, queue_, replies_, reply_n_);
    for (uint16_t k = sent; k < reply_n_; ++k) rte_pktmbuf_free(replies_[k]);
    stats_.rejects_sent.add(sent);
    stats_.reject_failed.add(reply_n_ - sent);
    reply_n_ = 0;
  }
}

void Worker::end_flow(Flow& f, FlowEndReason why) {
  emit_flow_end(f, why);
  if (l7_ && f.l7_slot != L7Inspector::kNoSlot) {
    l7_->detach(f.l7_slot);
    f.l7_slot = L7Inspector::kNoSlot;
  }
}

bool Worker::wants_l7(const PacketMeta& m, const Decision& d) const {
  if (!l7_ || d.drop != DropReason::kNone || d.flow == nullptr) return false;
  if (m.proto == ip_proto::kUdp) return true;
  if (m.proto != ip_proto::kTcp) return false;
  // A flow with a slot sees every segment (FIN, RST and ACK-only ones end
  // or move its streams); one without needs a slot only for payload, or
  // to be reset once its inspection was lost.
  const Flow& f = *d.flow;
  if (f.l7_slot != L7Inspector::kNoSlot) return true;
  const auto phase = static_cast<L7Phase>(f.l7_phase);
  if (phase == L7Phase::kLost) return true;
  return phase != L7Phase::kDone && m.payload_len > 0 && (d.to_server || l7_->inspects_server());
}

Worker::Decision Worker::inspect_l7_packet(rte_mbuf* m, uint32_t i, const Decision& d) {
  const PacketMeta& meta = meta_[i];
  const uint32_t off = uint32_t{meta.l2_len} + meta.l3_hdr_len + meta.l4_len;
  uint32_t len = meta.payload_len;
  const uint8_t* payload = nullptr;
  if (len > 0) {
    if (len > sizeof(l7_copy_)) len = sizeof(l7_copy_);  // beyond any frame we accept
    payload = static_cast<const uint8_t*>(rte_pktmbuf_read(m, off, len, l7_copy_));
    if (payload == nullptr) len = 0;
  }
  return inspect_l7(meta, heads_[i], payload, len, d);
}

Worker::Decision Worker::inspect_l7(const PacketMeta& meta, const uint8_t* head, const uint8_t* payload, uint32_t len,
                                    const Decision& d) {
  Flow& f = *d.flow;
  const bool protect = f.mode == static_cast<uint8_t>(policy::GroupMode::kProtect);
  // The receiver drops a segment whose checksum is wrong: inspecting its
  // bytes would let them stand in for the real ones (an insertion attack).
  if (len > 0 && cfg_.parse.l4_checksum && !l4_checksum_ok(meta, head, payload, len)) {
    return protect ? Decision{DropReason::kL4BadChecksum, false, d.flow, d.to_server} : d;
  }
  const bool lo = f.initiator_is_lo;
  const L7FlowInfo info{lo ? f.key.addr_lo : f.key.addr_hi,
                        lo ? f.key.addr_hi : f.key.addr_lo,
                        lo ? f.key.port_lo : f.key.port_hi,
                        lo ? f.key.port_hi : f.key.port_lo,
                        f.key.family,
                        f.in_port,
                        f.flow_id,
                        now_ns_,
                        f.mode};
  L7Verdict v;
  if (meta.proto == ip_proto::kUdp) {
    v = l7_->on_udp(payload, len, d.to_server, info);
  } else {
    if (f.l7_slot == L7Inspector::kNoSlot) {
      const auto phase = static_cast<L7Phase>(f.l7_phase);
      if (phase == L7Phase::kLost) {
        // Its slot was taken mid-message: what it sends can no longer be
        // inspected, so it is reset rather than passed blind.
        if (!protect) return d;
        return block_flow(f, meta, head, d, DropReason::kL7StateLost);
      }
      const StreamStart start{{f.stream_seq[0], f.stream_seq[1]}, f.stream_seq_known, phase == L7Phase::kParked};
      SlotEviction ev;
      const int32_t slot = l7_->attach(static_cast<uint32_t>(flows_->index_of(f)), start, now_ns_, &ev);
      if (ev.owner != SlotEviction::kNoOwner) {
        Flow& victim = flows_->at(static_cast<int32_t>(ev.owner));
        victim.l7_slot = L7Inspector::kNoSlot;
        victim.l7_phase = static_cast<uint8_t>(ev.parked ? L7Phase::kParked : L7Phase::kLost);
        if (ev.parked) {
          victim.stream_seq[0] = ev.resume_seq;
          victim.stream_seq_known = static_cast<uint8_t>(victim.stream_seq_known | 1u);
        }
      }
      if (slot == L7Inspector::kNoSlot) {
        if (cfg_.l7_exhausted_bypass) {
          f.l7_phase = static_cast<uint8_t>(L7Phase::kDone);
          return d;
        }
        // Dropped, not passed blind: the sender retransmits, and a slot
        // taken then starts at the handshake's sequence numbers.
        return Decision{DropReason::kL7Exhausted, false, d.flow, d.to_server};
      }
      f.l7_slot = slot;
      f.l7_phase = static_cast<uint8_t>(L7Phase::kNone);
    }
    bool released = false;
    v = l7_->on_segment(f.l7_slot, meta, payload, len, d.to_server, info, &released);
    if (released) {
      f.l7_slot = L7Inspector::kNoSlot;
      f.l7_phase = static_cast<uint8_t>(L7Phase::kDone);
    }
  }
  switch (v) {
    case L7Verdict::kPass:
      return d;
    case L7Verdict::kRefused:
    case L7Verdict::kConflict:
      // Inline, the receiver gets only bytes that were inspected. Monitor
      // and discover flows are never dropped for it (counted by the stream).
      if (!protect) return d;
      return Decision{v == L7Verdict::kRefused ? DropReason::kStreamRefused : DropReason::kStreamConflict, false,
                      d.flow, d.to_server};
    case L7Verdict::kBlock:
      break;
  }
  return block_flow(f, meta, head, d, DropReason::kL7Signature);
}

// The flow stays blocked (every later packet is answered with a reset);
// this packet is reset now towards its sender (apply()) and, in its own
// direction, towards its receiver.
Worker::Decision Worker::block_flow(Flow& f, const PacketMeta& meta, const uint8_t* head, const Decision& d,
                                    DropReason why) {
  f.verdict = FlowVerdict::kReject;
  f.policy_verdict = FlowVerdict::kReject;
  f.l7_blocked = true;
  if (meta.proto == ip_proto::kTcp && forward_rst_n_ < kBurst) {
    if (rte_mbuf* rst = build_forward_rst(pool_, head, meta)) {
      forward_rsts_[forward_rst_n_++] = rst;
    } else {
      stats_.reject_failed.add();
    }
  }
  Decision blocked = d;
  blocked.drop = why;
  blocked.reject = true;
  return blocked;
}

void Worker::emit_flow_end(const Flow& f, FlowEndReason why) {
  EventRecord e;
  std::memset(&e, 0, sizeof(e));
  e.type = EventType::kFlow;
  e.timestamp_ns = why == FlowEndReason::kTimeout ? f.last_seen_ns : now_ns_;
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
  if (!enqueue_record(events_, e, cfg_.ring_full)) stats_.events_lost.add();
}

void Worker::emit_drop(const PacketMeta& m, const Flow* f, DropReason r, uint32_t len, uint16_t port) {
  EventRecord e;
  std::memset(&e, 0, sizeof(e));
  e.type = EventType::kDrop;
  e.timestamp_ns = now_ns_;
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
  if (!enqueue_record(events_, e, cfg_.ring_full)) stats_.events_lost.add();
}

}  // namespace rampart::dp
