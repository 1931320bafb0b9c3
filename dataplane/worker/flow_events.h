#pragma once
// FlowEvents: the records one worker emits about flows into its event ring
// (dataplane/events/event_ring.h): a flow's end (timeout, reuse, eviction,
// shutdown) and the first dropped packet of a flow. Building a record is
// plain copying; the agent turns records into EVE (dataplane/agent/).
// Hot path (per flow end, per first drop), owning worker only.

#include <rte_ring.h>

#include <cstdint>

#include "dataplane/common/drop_reason.h"
#include "dataplane/conntrack/flow.h"
#include "dataplane/events/event_record.h"
#include "dataplane/events/event_ring.h"
#include "dataplane/parse/packet_meta.h"
#include "dataplane/stats/counter.h"

namespace rampart::dp {

class FlowEvents {
 public:
  // `ring` and `lost` (counted when a record is lost) belong to the worker.
  FlowEvents(rte_ring* ring, RingFullHook ring_full, Counter* lost) : ring_(ring), ring_full_(ring_full), lost_(lost) {}

  // The flow record; a timed-out flow is stamped with its last packet's time.
  void flow_end(const Flow& f, FlowEndReason why, uint64_t now_ns);
  // A drop record for packet `m` (of flow `f`, or none: nullptr).
  void drop(const PacketMeta& m, const Flow* f, DropReason r, uint32_t len, uint16_t port, uint64_t now_ns);

 private:
  rte_ring* ring_;
  RingFullHook ring_full_;
  Counter* lost_;
};

}  // namespace rampart::dp
