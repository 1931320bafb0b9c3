#pragma once
// Worker: one lcore's packet pipeline. Owns its flow table, fragment
// tracker, counters and event ring; reads the RuleSet through RuleSetRcu;
// talks to nothing else. Each poll: for every port it serves, rx a burst,
// parse, reassemble fragments, look up flows in bulk, classify packets
// without a flow in bulk with rte_acl, decide each packet in arrival order
// (FlowPolicy: conntrack, verdict, events), inspect L7 (l7_stage.cc), act
// (forward / drop / reject), tx the survivors to the peer port. See
// docs/design/life-of-a-packet.md and docs/design/worker.md.
//
// The pipeline is in worker.cc, the L7 stage in l7_stage.cc, the flow
// decision in flow_policy.*, the flow records in flow_events.*.
//
// Cold: create(), finish(). Hot: poll_once() and run(), on the worker's own
// lcore only.

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/result.h"
#include "dataplane/conntrack/flow_table.h"
#include "dataplane/conntrack/tcp_state.h"
#include "dataplane/conntrack/flow_side_table.h"
#include "dataplane/events/event_record.h"
#include "dataplane/events/event_ring.h"
#include "dataplane/frag/fragment_tracker.h"
#include "dataplane/parse/packet_parser.h"
#include "dataplane/ruleset/rule_set_rcu.h"
#include "dataplane/worker/burst.h"
#include "dataplane/worker/flow_events.h"
#include "dataplane/worker/flow_policy.h"
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
  Worker(uint16_t id, uint16_t queue, std::vector<PortPair> ports, const WorkerConfig& cfg, rte_mempool* pool,
         RuleSetRcu* rules);
  static constexpr uint16_t kTxBuffer = 2 * kBurst;

  // --- the pipeline (worker.cc) ---
  uint32_t poll_port(const PortPair& pp, const RuleSet& rs);
  // Stage 1: parse every packet of the burst, sort it, build flow keys.
  // Returns the number of packets with a flow key (bulk lookup size).
  uint32_t parse_burst(rte_mbuf* const* pkts, uint16_t n, const FlowKey** key_ptrs, uint32_t* hashes);
  // Stage 3: rte_acl for the packets that found no flow, per family.
  void classify_burst(uint16_t n, const int32_t* positions, const RuleSet& rs);
  void update_clock(rte_mbuf* const* pkts, uint16_t n);
  void set_packet_time(const rte_mbuf* m);
  void housekeeping();
  // A fragment: held, or completing a datagram that is then decided as
  // one packet (conntrack, L7) for all of its fragments.
  void handle_fragment(rte_mbuf* m, const BurstPacket& p, const RuleSet& rs, const PortPair& pp, bool* inserted);
  bool handle_icmp_error(rte_mbuf* m, const BurstPacket& p, const PortPair& pp);
  void apply(rte_mbuf* m, const FlowDecision& d, const PacketMeta& meta, const uint8_t* head, uint32_t avail,
             const PortPair& pp);
  void push_tx(rte_mbuf* m, const PortPair& pp);
  void flush_tx(uint16_t tx_port, uint16_t reply_port);
  void drop(rte_mbuf* m, DropReason r) {
    stats_.drop(r);
    rte_pktmbuf_free(m);
  }
  // A flow leaves the table: its record, its L7 slot (FlowPolicy's hook).
  void end_flow(Flow& f, FlowEndReason why);
  static void on_flow_end(void* ctx, Flow& f, FlowEndReason why) {
    static_cast<Worker*>(ctx)->end_flow(f, why);
  }

  // --- the L7 stage (l7_stage.cc) ---
  // Whether a packet with decision `d` goes to L7 inspection.
  bool wants_l7(const PacketMeta& m, const FlowDecision& d) const;
  // A SYN or SYN-ACK: where that direction's bytes start, for a slot taken
  // later (L7StreamStart beside the flow).
  void note_stream_start(Flow& f, const PacketMeta& m, bool from_initiator);
  FlowDecision inspect_l7_packet(rte_mbuf* m, const BurstPacket& p, const FlowDecision& d);
  // `head`: the frame's headers as parsed; `payload`: its L4 payload.
  FlowDecision inspect_l7(const PacketMeta& meta, const uint8_t* head, const uint8_t* payload, uint32_t len,
                          const FlowDecision& d);
  // Takes a slot for flow `f`; false (and the decision in *d) when none.
  bool attach_l7(Flow& f, const FlowDecision& in, FlowDecision* out);
  FlowDecision block_flow(Flow& f, const PacketMeta& meta, const uint8_t* head, const FlowDecision& d,
                          DropReason why);

  uint16_t id_;
  uint16_t queue_;
  std::vector<PortPair> ports_;
  WorkerConfig cfg_;
  rte_mempool* pool_;
  RuleSetRcu* rules_;
  std::unique_ptr<FlowTable> flows_;
  std::unique_ptr<FragmentTracker> frags_;
  std::unique_ptr<L7Inspector> l7_;
  rte_ring* events_ = nullptr;
  WorkerStats stats_;
  std::optional<FlowEvents> flow_events_;
  std::unique_ptr<FlowPolicy> policy_;
  // Beside the flow table, by flow position (flow_side_table.h): where each
  // direction's stream starts, for L7 slots taken after the handshake.
  std::unique_ptr<FlowSideTable<L7StreamStart>> stream_starts_;
  uint64_t now_ns_ = 0;
  uint64_t next_housekeeping_ns_ = 0;
  uint64_t tsc_base_ = 0;
  uint64_t wall_base_ns_ = 0;
  double ns_per_tsc_ = 1.0;

  // Per-burst context, sized at create(): no allocation while running.
  BurstPacket burst_[kBurst];
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
