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

// Packets whose data is prefetched ahead of the parser.
constexpr uint16_t kPrefetchAhead = 4;

}  // namespace

Worker::Worker(uint16_t id, uint16_t queue, std::vector<PortPair> ports, const WorkerConfig& cfg, rte_mempool* pool,
               RuleSetRcu* rules)
    : id_(id),
      queue_(queue),
      ports_(std::move(ports)),
      cfg_(cfg),
      pool_(pool),
      rules_(rules) {}

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
  w->flow_events_.emplace(w->events_, cfg.ring_full, &w->stats_.events_lost);
  const FlowPolicyConfig pcfg{cfg.timeouts, cfg.tcp_midstream_allow, cfg.flow_table_full_bypass};
  w->policy_ = std::make_unique<FlowPolicy>(id, pcfg, *w->flows_, w->stats_, *w->flow_events_,
                                            FlowEndHook{&Worker::on_flow_end, w.get()});
  w->dgram_ = std::make_unique<uint8_t[]>(kMaxAssembledBytes);
  if (cfg.matcher != nullptr) {
    L7Config l7cfg = cfg.l7;
    l7cfg.ring_full = cfg.ring_full;
    auto l7 = L7Inspector::create(id, l7cfg, cfg.matcher, socket);
    if (!l7) return l7.error();
    w->l7_ = std::move(*l7);
    w->stream_starts_ = std::make_unique<FlowSideTable<L7StreamStart>>(cfg.flow_capacity);
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

void Worker::housekeeping() {
  next_housekeeping_ns_ = now_ns_ + kHousekeepingIntervalNs;
  policy_->set_table_pressure(uint64_t{flows_->size()} * 100 >=
                              uint64_t{flows_->capacity()} * cfg_.timeouts.table_pressure_percent);
  flows_->expire_some(
      std::max(kMinFlowExpiryBudget, flows_->capacity() / 1024), [this](const Flow& f) { return policy_->expired(f, now_ns_); },
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

uint32_t Worker::parse_burst(rte_mbuf* const* pkts, uint16_t n, const FlowKey** key_ptrs, uint32_t* hashes) {
  const bool packet_time = cfg_.timestamp_offset >= 0;
  uint64_t rx_bytes = 0;
  // The mbuf headers of the whole burst first, the packet data a few
  // packets ahead of the parser (VPP and l3fwd do the same).
  for (uint16_t i = 0; i < n && i < kPrefetchAhead; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    BurstPacket& p = burst_[i];
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
    if (packet_time) set_packet_time(m);
    p.ts = now_ns_;
    p.lookup = -1;
    rx_bytes += m->pkt_len;
    const uint32_t want = std::min<uint32_t>(m->pkt_len, kMaxHeaderBytes);
    // Contiguous heads (the common case) are read in place; the head of a
    // multi-segment packet is copied into per-slot scratch.
    p.head = static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, want, head_copy_[i]));
    p.avail = want;
    const DropReason r =
        p.head == nullptr ? DropReason::kEthTruncated : parse_packet(p.head, want, m->pkt_len, p.meta, cfg_.parse);
    if (RAMPART_UNLIKELY(r != DropReason::kNone)) {
      drop(m, r);
      p.kind = PacketKind::kDone;
    } else if (RAMPART_UNLIKELY(p.meta.l3 == L3::kNone)) {
      p.kind = PacketKind::kNonIp;
    } else if (RAMPART_UNLIKELY(p.meta.is_fragment)) {
      p.kind = PacketKind::kFragment;
    } else {
      p.kind = p.meta.icmp_error ? PacketKind::kIcmpError : PacketKind::kFlow;
    }
  }
  stats_.rx_packets.add(n);
  stats_.rx_bytes.add(rx_bytes);

  // Keys in a second pass: by now the parser's stores to the metadata have
  // retired, so reading them back does not stall on store forwarding.
  uint32_t nl = 0;
  for (uint16_t i = 0; i < n; ++i) {
    BurstPacket& p = burst_[i];
    if (p.kind != PacketKind::kFlow && p.kind != PacketKind::kIcmpError) continue;
    p.hash = make_flow_key_hashed(p.meta, p.key, &p.src_lo);
    hashes[nl] = p.hash;
    key_ptrs[nl] = &p.key;
    p.lookup = static_cast<int32_t>(nl++);
  }
  return nl;
}

void Worker::classify_burst(uint16_t n, const int32_t* positions, const RuleSet& rs) {
  AclKey acl_keys[kBurst];
  const uint8_t* k4[kBurst];
  const uint8_t* k6[kBurst];
  uint32_t r4[kBurst], r6[kBurst], i4[kBurst], i6[kBurst];
  uint32_t n4 = 0, n6 = 0;
  for (uint16_t i = 0; i < n; ++i) {
    const BurstPacket& p = burst_[i];
    if (p.lookup < 0 || positions[p.lookup] >= 0) continue;
    make_acl_key(p.meta, acl_keys[i]);
    if (p.meta.l3 == L3::kIpv4) {
      k4[n4] = reinterpret_cast<const uint8_t*>(&acl_keys[i]);
      i4[n4++] = i;
    } else {
      k6[n6] = reinterpret_cast<const uint8_t*>(&acl_keys[i]);
      i6[n6++] = i;
    }
  }
  if (n4 > 0) rs.acl().classify_burst_v4(k4, r4, n4);
  if (n6 > 0) rs.acl().classify_burst_v6(k6, r6, n6);
  for (uint32_t k = 0; k < n4; ++k) burst_[i4[k]].acl_rule = r4[k];
  for (uint32_t k = 0; k < n6; ++k) burst_[i6[k]].acl_rule = r6[k];
}

uint32_t Worker::poll_port(const PortPair& pp, const RuleSet& rs) {
  rte_mbuf* pkts[kBurst];
  const uint16_t n = rte_eth_rx_burst(pp.rx_port, queue_, pkts, kBurst);
  if (n == 0) return 0;
  update_clock(pkts, n);
  tx_n_ = 0;
  reply_n_ = 0;

  // Stage 1: parse everything; build flow keys for the bulk lookup.
  const FlowKey* key_ptrs[kBurst];
  uint32_t hashes[kBurst];  // in lookup order
  const uint32_t nl = parse_burst(pkts, n, key_ptrs, hashes);

  // Stage 2: one bulk lookup for the burst.
  int32_t positions[kBurst];
  if (nl > 0) {
    flows_->lookup_burst(key_ptrs, hashes, nl, positions);
    for (uint32_t j = 0; j < nl; ++j) {
      if (positions[j] >= 0) flows_->prefetch(positions[j]);
    }
  }

  // Stage 3: packets that found no flow are classified together, one
  // rte_acl call per family. Flows created earlier in this burst make some
  // of these results unused; that costs a little and keeps one call.
  classify_burst(n, positions, rs);

  // Stage 4: decide and act, strictly in arrival order, so packets leave in
  // the order they came.
  bool inserted = false;
  policy_->start_burst();
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    BurstPacket& p = burst_[i];
    now_ns_ = p.ts;
    switch (p.kind) {
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
        handle_fragment(m, p, rs, pp, &inserted);
        continue;
      case PacketKind::kIcmpError:
        if (handle_icmp_error(m, p, pp)) continue;
        break;  // unrelated to any flow: an ICMP packet like any other
      case PacketKind::kFlow:
        break;
    }
    int32_t pos = positions[p.lookup];
    bool acl_known = pos < 0;
    // A flow created earlier in this burst is not in the bulk result.
    // A flow removed earlier in this burst (expired on access, evicted) may
    // have been this packet's, and its position reused: look again.
    if ((pos < 0 && inserted) || policy_->removed_in_burst()) pos = flows_->lookup(p.key, p.hash);
    if (pos >= 0) acl_known = false;
    const FlowPacket fp{&p.meta, &p.key, p.hash, p.src_lo, pos, p.acl_rule, acl_known, pp.rx_port, m->pkt_len};
    FlowDecision d = policy_->decide(fp, rs, now_ns_, &inserted);
    if (l7_ && d.flow != nullptr && (p.meta.tcp_flags & tcp_flag::kSyn) && p.meta.proto == ip_proto::kTcp) {
      note_stream_start(*d.flow, p.meta, d.to_server);
    }
    if (wants_l7(p.meta, d)) d = inspect_l7_packet(m, p, d);
    apply(m, d, p.meta, p.head, p.avail, pp);
  }
  now_ns_ = burst_[n - 1].ts;
  flush_tx(pp.tx_port, pp.rx_port);
  return n;
}

void Worker::apply(rte_mbuf* m, const FlowDecision& d, const PacketMeta& meta, const uint8_t* head, uint32_t avail,
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

void Worker::handle_fragment(rte_mbuf* m, const BurstPacket& p, const RuleSet& rs, const PortPair& pp, bool* inserted) {
  int32_t slot = -1;
  switch (frags_->add(m, p.meta, now_ns_, &slot)) {
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
  FlowDecision d;
  if (dm.icmp_error && policy_->related(dm, now_ns_, &d)) {
    d.reject = false;  // an error about a rejected flow is not answered again
  } else {
    FlowKey key;
    const bool lo = make_flow_key(dm, key);
    const uint32_t hash = flow_hash(key);
    const FlowPacket fp{&dm, &key, hash, lo, flows_->lookup(key, hash), 0, false, pp.rx_port, bytes};
    d = policy_->decide(fp, rs, now_ns_, inserted);
    if (l7_ && d.flow != nullptr && dm.proto == ip_proto::kTcp && (dm.tcp_flags & tcp_flag::kSyn)) {
      note_stream_start(*d.flow, dm, d.to_server);
    }
    if (wants_l7(dm, d)) {
      const uint8_t* payload = dgram_.get() + dm.l2_len + dm.l3_hdr_len + dm.l4_len;
      d = inspect_l7(dm, dgram_.get(), dm.payload_len > 0 ? payload : nullptr, dm.payload_len, d);
    }
  }
  for (uint32_t k = 0; k < dg.count; ++k) {
    // Answer a rejected datagram once, with its first fragment.
    const bool answer = d.reject && dg.frags[k].offset == 0;
    apply(dg.frags[k].mbuf, FlowDecision{d.drop, answer}, dm, dgram_.get(), avail, pp);
  }
  frags_->release(slot);
}

bool Worker::handle_icmp_error(rte_mbuf* m, const BurstPacket& p, const PortPair& pp) {
  FlowDecision d;
  if (!policy_->related(p.meta, now_ns_, &d)) return false;
  // An error about a rejected flow is not answered again.
  apply(m, FlowDecision{d.drop, false}, p.meta, p.head, p.avail, pp);
  return true;
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
  flow_events_->flow_end(f, why, now_ns_);
  if (l7_ && f.l7_slot != kNoL7Slot) {
    l7_->detach(f.l7_slot);
    f.l7_slot = kNoL7Slot;
  }
}

}  // namespace rampart::dp
