#pragma once
// UnansweredQueue: one worker's flows that have not been answered yet (TCP
// half-open: syn_sent or syn_recv; UDP and other protocols: seen one way
// only), oldest first. When the flow table is full, the worker ends the
// oldest of them to make room for the new flow (what a SYN flood fills the
// table with), instead of refusing every new connection until they time
// out. Entries are not removed when a flow is answered or ends: the queue
// checks, when it is asked for a victim, that the flow at a position is
// still the one it recorded (flow_id, cleared by FlowTable::remove()) and
// still unanswered, and skips stale entries.
//
// Cold: the constructor (capacity = the flow table's). Hot: push() and
// take_oldest(), owning worker only, no allocation.

#include <cstdint>
#include <vector>

#include "dataplane/conntrack/flow.h"

namespace rampart::dp {

// Not answered yet: the flows a table under pressure gives up first.
inline bool flow_unanswered(const Flow& f) {
  return f.state == FlowState::kTcpSynSent || f.state == FlowState::kTcpSynRecv || f.state == FlowState::kNew;
}

class UnansweredQueue {
 public:
  explicit UnansweredQueue(uint32_t capacity) : entries_(capacity) {}

  // A new unanswered flow at table position `pos`. When the queue is full
  // its oldest entry is forgotten (that flow still expires by its timeout).
  void push(int32_t pos, uint64_t flow_id) {
    if (count_ == entries_.size()) pop();
    entries_[(head_ + count_) % entries_.size()] = Entry{flow_id, pos};
    ++count_;
  }

  // The table position of the oldest flow that is still unanswered,
  // removed from the queue; -1 if there is none. `flow_at` maps a position
  // to its Flow.
  template <typename FlowAt>
  int32_t take_oldest(FlowAt flow_at) {
    while (count_ > 0) {
      const Entry e = entries_[head_];
      pop();
      const Flow& f = flow_at(e.pos);
      if (f.flow_id == e.flow_id && flow_unanswered(f)) return e.pos;
    }
    return -1;
  }

  uint32_t size() const { return count_; }

 private:
  struct Entry {
    uint64_t flow_id;
    int32_t pos;
  };
  void pop() {
    head_ = (head_ + 1) % static_cast<uint32_t>(entries_.size());
    --count_;
  }

  std::vector<Entry> entries_;
  uint32_t head_ = 0;
  uint32_t count_ = 0;
};

}  // namespace rampart::dp
