#pragma once
// Worker: one lcore's packet loop. Owns its flow table, fragment tracker,
// counters and event ring; reads the RuleSet through RuleSetRcu; talks to
// nothing else. Each poll: for every port it serves, rx a burst, parse,
// reassemble fragments, look up / create flows in bulk, classify new flows
// in bulk with rte_acl, act (forward / drop / reject), tx the survivors to
// the peer port. See docs/design/life-of-a-packet.md.
//
// Cold: create(), finish(). Hot: poll_once() and run(), on the worker's own
// lcore only.

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"
#include "dataplane/conntrack/flow_table.h"
#include "dataplane/conntrack/tcp_state.h"
#include "dataplane/conntrack/unanswered_queue.h"
#include "dataplane/events/event_record.h"
#include "dataplane/events/event_ring.h"
#include "dataplane/frag/fragment_tracker.h"
#include "dataplane/parse/packet_parser.h"
#include "dataplane/ruleset/rule_set_rcu.h"
#include "dataplane/stats/worker_stats.h"
#include "dataplane/worker/l7_inspector.h"

namespace rampart::dp {

struct PortPair {
  uint16_t rx_port;
  uint16_t tx_port;
};

struct WorkerConfig {
  uint32_t flow_capacity = 65536;
  bool flow_table_full_bypass = false;
  bool tcp_midstream_allow = true;
  // L7 slots all busy and none idle enough to take: forward the payload
  // uninspected (true) or drop it for the sender to retry (false, default).
  bool l7_exhausted_bypass = false;
  ConntrackTimeouts timeouts;
  FragConfig frag;
  uint32_t event_ring_size = 16384;
  // Offline mode: a full event or alert ring is emptied by the writer
  // instead of losing the record (event_ring.h). Also given to the L7
  // inspector.
  RingFullHook ring_full;
  // Offline mode: time comes from the mbuf rx timestamp (net_pcap), not TSC.
  int timestamp_offset = -1;
  uint64_t timestamp_flag = 0;
  uint32_t hash_seed = 0;  // fragment table hash seed (the flow hash has its own, flow_hash_init())
  uint32_t rule_slots = 1;  // rules + 1, for per-rule hit counters
  ParseOptions parse;
  // L7 inspection: on when a matcher is given (rampartd --rules). Shared,
  // read-only; each worker has its own scratch.
  const SignatureMatcher* matcher = nullptr;
  L7Config l7;
};

class Worker {
 public:
  static constexpr uint16_t kBurst = 32;

  static Result<std::unique_ptr<Worker>> create(uint16_t id, uint16_t queue, std::vector<PortPair> ports,
                                                const WorkerConfig& cfg, rte_mempool* pool, RuleSetRcu* rules,
                                                int socket);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // One pass over every port; returns packets received. Reports an RCU
  // quiescent state at its end.
  uint32_t poll_once();
  // Loops poll_once() until `stop` is set (worker lcore entry point).
  void run(const std::atomic<bool>& stop);
  // After the loop has ended: drop held fragments and end every flow
  // (flow events with reason "shutdown"). Call from any thread once the
  // worker no longer runs.
  void finish();

  uint16_t id() const { return id_; }
  const WorkerStats& stats() const { return stats_; }
  // Control thread: restart the longest-loop gauge (a relaxed store; the
  // worker only ever raises it).
  void reset_max_loop() { stats_.max_loop_cycles.set(0); }
  rte_ring* events() { return events_; }
  uint32_t active_flows() const { return flows_->size(); }
  uint32_t active_fragments() const { return frags_->active(); }
  L7Inspector* l7() { return l7_.get(); }
  const L7Inspector* l7() const { return l7_.get(); }

 private:
  struct Decision {
    DropReason drop = DropReason::kNone;  // kNone: forward
    bool reject = false;
    Flow* flow = nullptr;      // the packet's flow, when it has one
    bool to_server = true;     // sent by the flow's initiator
  };

  Worker(uint16_t id, uint16_t queue, std::vector<PortPair> ports, const WorkerConfig& cfg, rte_mempool* pool,
         RuleSetRcu* rules);
  uint32_t poll_port(const PortPair& pp, const RuleSet& rs);
  void update_clock(rte_mbuf* const* pkts, uint16_t n);
  void set_packet_time(const rte_mbuf* m);
  enum class PacketKind : uint8_t { kDone, kNonIp, kFragment, kIcmpError, kFlow };
  static constexpr uint16_t kTxBuffer = 2 * kBurst;

  bool flow_expired(const Flow& f) const;
  void push_tx(rte_mbuf* m, const PortPair& pp);
  Decision decide(const PacketMeta& m, const FlowKey& key, uint32_t hash, bool src_lo, int32_t pos, uint32_t acl_rule,
                  bool acl_known, const RuleSet& rs, uint16_t in_port, uint32_t frame_len, bool* inserted);
  Flow& init_flow(int32_t pos, const PacketMeta& m, bool src_lo, uint32_t rule, const RuleSet& rs, uint16_t port);
  uint32_t classify_one(const PacketMeta& m, const RuleSet& rs) const;
  // The flow's first packet as far as classification needs it.
  static PacketMeta initiator_meta(const Flow& f);
  // Rule verdict, group mode and enforced verdict of a flow from `rule`
  // (the ACL result for m, its initiator's packet).
  void set_policy(Flow& f, const PacketMeta& m, uint32_t rule, const RuleSet& rs) const;
  static policy::GroupMode mode_of(const PacketMeta& m, const RuleSet& rs);
  // Monitor mode: the first packet of a flow the rules deny is reported
  // (once per flow) as a drop that was not enforced.
  void report_unenforced(const PacketMeta& m, Flow& f, uint32_t len, uint16_t port);
  Decision verdict_decision(FlowVerdict v) const;
  // A fragment: held, or completing a datagram that is then decided as
  // one packet (conntrack, L7) for all of its fragments.
  void handle_fragment(rte_mbuf* m, uint32_t i, const RuleSet& rs, const PortPair& pp, bool* inserted);
  bool handle_icmp_error(rte_mbuf* m, uint32_t i, const PortPair& pp);
  // An ICMP error about a live flow takes that flow's verdict; false when
  // it is about none.
  bool related_flow_decision(const PacketMeta& meta, Decision* d);
  void apply(rte_mbuf* m, const Decision& d, const PacketMeta& meta, const uint8_t* head, uint32_t avail,
             const PortPair& pp);
  void drop(rte_mbuf* m, DropReason r) {
    stats_.drop(r);
    rte_pktmbuf_free(m);
  }
  // The table is full: ends its oldest unanswered flow; false if none.
  bool evict_unanswered();
  void emit_flow_end(const Flow& f, FlowEndReason why);
  // Ends a flow's life outside the table: its record, its L7 slot.
  void end_flow(Flow& f, FlowEndReason why);
  // Whether a packet with decision `d` goes to L7 inspection.
  bool wants_l7(const PacketMeta& m, const Decision& d) const;
  Decision inspect_l7_packet(rte_mbuf* m, uint32_t i, const Decision& d);
  // `head`: the frame's headers as parsed; `payload`: its L4 payload.
  Decision inspect_l7(const PacketMeta& meta, const uint8_t* head, const uint8_t* payload, uint32_t len,
                      const Decision& d);
  Decision block_flow(Flow& f, const PacketMeta& meta, const uint8_t* head, const Decision& d, DropReason why);
  void emit_drop(const PacketMeta& m, const Flow* f, DropReason r, uint32_t len, uint16_t port);
  void housekeeping();
  void flush_tx(uint16_t tx_port, uint16_t reply_port);

  uint16_t id_;
  uint16_t queue_;
  std::vector<PortPair> ports_;
  WorkerConfig cfg_;
  rte_mempool* pool_;
  RuleSetRcu* rules_;
  std::unique_ptr<FlowTable> flows_;
  UnansweredQueue unanswered_;
  bool removed_in_burst_ = false;  // a flow left the table during this burst
  bool table_pressure_ = false;    // the flow table is nearly full (housekeeping)
  std::unique_ptr<FragmentTracker> frags_;
  std::unique_ptr<L7Inspector> l7_;
  rte_ring* events_ = nullptr;
  WorkerStats stats_;
  uint64_t now_ns_ = 0;
  uint64_t next_housekeeping_ns_ = 0;
  uint64_t flow_seq_ = 0;
  uint64_t tsc_base_ = 0;
  uint64_t wall_base_ns_ = 0;
  double ns_per_tsc_ = 1.0;

  // Per-burst scratch, sized at create(): no allocation while running.
  PacketMeta meta_[kBurst];
  FlowKey keys_[kBurst];
  bool src_lo_[kBurst];
  uint32_t hashes_[kBurst];  // flow_hash() of the keys in lookup order
  const uint8_t* heads_[kBurst];
  uint32_t avail_[kBurst];
  uint64_t ts_[kBurst];  // each packet's time (capture time offline)
  alignas(64) uint8_t head_copy_[kBurst][kMaxHeaderBytes];
  // Payload of a multi-segment packet, linearised for L7 inspection.
  alignas(64) uint8_t l7_copy_[16384];
  // The datagram a completed set of fragments carries (kMaxAssembledBytes)
  // and what the parser read from it.
  std::unique_ptr<uint8_t[]> dgram_;
  PacketMeta dgram_meta_;
  rte_mbuf* tx_[kTxBuffer];
  uint16_t tx_n_ = 0;
  rte_mbuf* replies_[kBurst];
  uint16_t reply_n_ = 0;
  // Resets that continue a blocked packet's direction (to the server), sent
  // out of the tx port; counted in rejects_sent, not tx_packets.
  rte_mbuf* forward_rsts_[kBurst];
  uint16_t forward_rst_n_ = 0;
};

}  // namespace rampart::dp
