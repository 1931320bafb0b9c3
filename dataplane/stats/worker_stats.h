#pragma once
// WorkerStats: every counter one worker keeps. Written by its worker only
// (see Counter), read by the agent for the summary, telemetry and stats
// lines. The X-macro keeps names and fields together.

#include <array>
#include <memory>

#include "dataplane/common/drop_reason.h"
#include "dataplane/stats/counter.h"

namespace rampart::dp {

#define RAMPART_WORKER_COUNTERS(X)                                                  \
  X(rx_packets)           /* packets received */                                    \
  X(rx_bytes)                                                                       \
  X(tx_packets)           /* packets forwarded (transmitted to the peer port) */    \
  X(tx_bytes)                                                                       \
  X(non_ip_forwarded)                                                               \
  X(flows_created)                                                                  \
  X(flows_expired)                                                                  \
  X(flows_reopened)       /* a SYN reused a closed flow's tuple */                  \
  X(flows_evicted)        /* unanswered flows ended to make room in a full table */ \
  X(flows_untracked)      /* table full with --flow-table-full bypass */            \
  X(tcp_midstream)        /* flows picked up without a SYN */                       \
  X(icmp_related)         /* ICMP errors matched to an existing flow */             \
  X(frag_datagrams)       /* datagrams reassembled and decided */                   \
  X(frag_memcap_bypassed) /* fragments forwarded unchecked, memcap fail-open */     \
  X(rejects_sent)         /* TCP RSTs / ICMP unreachables generated */              \
  X(reject_failed)        /* reject could not answer (no mbuf, tx full) */          \
  X(policy_unenforced)    /* monitor mode: flows the rules deny, forwarded and reported (untracked: packets) */ \
  X(events_lost)          /* event ring full */

struct alignas(64) WorkerStats {
#define RAMPART_COUNTER_FIELD(name) Counter name;
  RAMPART_WORKER_COUNTERS(RAMPART_COUNTER_FIELD)
#undef RAMPART_COUNTER_FIELD
  std::array<Counter, kDropReasonCount> drops;
  std::unique_ptr<Counter[]> rule_hits;  // [0]: default action, [i]: rule i
  // Gauge: the longest poll_once() in TSC cycles since the control thread
  // last reset it (0); what a policy swap may cost a worker.
  Counter max_loop_cycles;
  // poll_once() durations: [b] counts iterations of 2^b to 2^(b+1)-1 TSC
  // cycles. A time slice lost to the OS shows up here as in the gauge; the
  // distribution tells a swap's cost from such noise.
  static constexpr std::size_t kLoopBuckets = 40;
  std::array<Counter, kLoopBuckets> loop_log2_cycles;
  uint32_t rule_slots = 0;

  void drop(DropReason r, uint64_t n = 1) { drops[static_cast<std::size_t>(r)].add(n); }
  uint64_t dropped_total() const {
    uint64_t t = 0;
    for (const auto& c : drops) t += c.get();
    return t;
  }
};

}  // namespace rampart::dp
