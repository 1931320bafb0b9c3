#pragma once
// FlowSideTable<T>: per-flow data kept beside the flow table instead of in
// Flow, which is two full cache lines of what every packet needs. An array
// indexed by the flow's table position (FlowTable::index_of()), sized with
// the table at start: no allocation, no lookup, one more cache line only
// for the packets that read it. Its owner decides what marks an entry as
// belonging to the flow now at a position: FlowTable::insert() zeroes the
// Flow, not its side data, so either the owner resets the entry when the
// flow is created, or a bit in Flow says whether the entry is valid (as
// Flow::stream_seq_known does for L7StreamStart). This is where identity,
// learning and other per-flow state hang (docs/design/conntrack.md,
// "Data beside a flow").
// Cold: the constructor. Hot: at(), owning worker only.

#include <cstdint>
#include <vector>

namespace rampart::dp {

template <typename T>
class FlowSideTable {
 public:
  explicit FlowSideTable(uint32_t capacity) : entries_(std::size_t{capacity} + 1) {}
  T& at(int32_t pos) { return entries_[static_cast<std::size_t>(pos)]; }
  const T& at(int32_t pos) const { return entries_[static_cast<std::size_t>(pos)]; }

 private:
  std::vector<T> entries_;
};

// Where each direction of a TCP flow starts (ISN + 1 from the SYN and the
// SYN-ACK, or where a parked HTTP flow stopped): an L7 slot taken after the
// handshake starts its streams there. Valid per direction d when bit d of
// Flow::stream_seq_known is set.
struct L7StreamStart {
  uint32_t seq[2] = {0, 0};
};

}  // namespace rampart::dp
