#pragma once
// FlowPolicy: what one packet of a flow gets, before any L7 inspection:
// conntrack (the flow found, expired on access, created, reopened on port
// reuse, or refused when the table is full after its oldest unanswered flow
// was given up; the TCP state machine), classification (the RuleSet's
// rte_acl and group modes, again when the policy generation changed), the
// verdict enforced for the flow's mode, and the events that go with it
// (the first drop of a flow, an unenforced monitor-mode drop). The Worker
// runs the pipeline around it (worker.h); FlowEvents writes the records.
//
// Hot path, owning worker only; no allocation. Flows end through the
// worker's hook, so what hangs beside a flow (its L7 slot) goes with it.

#include <cstdint>

#include "dataplane/common/drop_reason.h"
#include "dataplane/conntrack/flow_key.h"
#include "dataplane/conntrack/flow_table.h"
#include "dataplane/conntrack/tcp_state.h"
#include "dataplane/conntrack/unanswered_queue.h"
#include "dataplane/parse/packet_meta.h"
#include "dataplane/ruleset/rule_set.h"
#include "dataplane/stats/worker_stats.h"
#include "dataplane/worker/flow_events.h"

namespace rampart::dp {

struct FlowPolicyConfig {
  ConntrackTimeouts timeouts;
  bool tcp_midstream_allow = true;
  bool flow_table_full_bypass = false;
};

// One packet as the flow stage sees it.
struct FlowPacket {
  const PacketMeta* meta;
  const FlowKey* key;
  uint32_t hash;          // flow_hash(*key)
  bool src_lo;            // the packet's source is the key's lo side
  int32_t pos;            // the flow's table position from the lookup, or -1
  uint32_t acl_rule;      // rte_acl's answer for the packet, when acl_known
  bool acl_known;
  uint16_t in_port;
  uint32_t frame_len;     // bytes the flow counts for it
};

// What happens to the packet.
struct FlowDecision {
  DropReason drop = DropReason::kNone;  // kNone: forward
  bool reject = false;                  // answer it (TCP RST / ICMP unreachable)
  Flow* flow = nullptr;                 // the packet's flow, when it has one
  bool to_server = true;                // sent by the flow's initiator
};

// Called when a flow leaves the table (timeout on access, reuse, eviction).
struct FlowEndHook {
  void (*fn)(void* ctx, Flow& f, FlowEndReason why);
  void* ctx;
};

class FlowPolicy {
 public:
  FlowPolicy(uint16_t worker_id, const FlowPolicyConfig& cfg, FlowTable& flows, WorkerStats& stats,
             FlowEvents& events, FlowEndHook end_flow)
      : worker_id_(worker_id), cfg_(cfg), flows_(flows), unanswered_(flows.capacity()), stats_(stats),
        events_(events), end_flow_(end_flow) {}

  // The decision for one packet of a flow. *inserted is set when a flow was
  // created (later packets of the burst look theirs up again).
  FlowDecision decide(const FlowPacket& p, const RuleSet& rs, uint64_t now_ns, bool* inserted);
  // An ICMP error about a live flow takes that flow's verdict; false when
  // it is about none (it is then an ICMP packet of its own).
  bool related(const PacketMeta& icmp_error, uint64_t now_ns, FlowDecision* d);
  bool expired(const Flow& f, uint64_t now_ns) const;
  // The table is nearly full (housekeeping decides; an eviction says so).
  void set_table_pressure(bool on) { table_pressure_ = on; }
  // A flow left the table during this burst: positions from the bulk
  // lookup may be stale. The worker clears it per burst.
  bool removed_in_burst() const { return removed_in_burst_; }
  void start_burst() { removed_in_burst_ = false; }

 private:
  uint32_t classify_one(const PacketMeta& m, const RuleSet& rs) const;
  // The flow's first packet as far as classification needs it.
  static PacketMeta initiator_meta(const Flow& f);
  // Rule verdict, group mode and enforced verdict of a flow from `rule`
  // (the ACL result for m, its initiator's packet).
  void set_policy(Flow& f, const PacketMeta& m, uint32_t rule, const RuleSet& rs) const;
  static policy::GroupMode mode_of(const PacketMeta& m, const RuleSet& rs);
  // Monitor mode: the first packet of a flow the rules deny is reported
  // (once per flow) as a drop that was not enforced.
  void report_unenforced(const PacketMeta& m, Flow& f, uint32_t len, uint16_t port, uint64_t now_ns);
  FlowDecision verdict_decision(FlowVerdict v) const;
  Flow& init_flow(int32_t pos, const PacketMeta& m, bool src_lo, uint32_t rule, const RuleSet& rs, uint16_t port,
                  uint64_t now_ns);
  // The table is full: ends its oldest unanswered flow; false if none.
  bool evict_unanswered();

  uint16_t worker_id_;
  FlowPolicyConfig cfg_;
  FlowTable& flows_;
  UnansweredQueue unanswered_;
  WorkerStats& stats_;
  FlowEvents& events_;
  FlowEndHook end_flow_;
  uint64_t flow_seq_ = 0;
  bool table_pressure_ = false;
  bool removed_in_burst_ = false;
};

}  // namespace rampart::dp
