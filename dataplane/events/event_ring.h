#pragma once
// How a worker hands a fixed-size record (EventRecord, AlertRecord) to the
// writer: its own single-producer ring. What happens when the ring is full
// depends on the mode (docs/design/events.md, "Guarantees"):
//   - live: the record is counted as lost and the worker goes on; it never
//     waits for I/O, and no verdict depends on a record being kept;
//   - offline (lossless): the worker and the writer share one thread, so the
//     worker calls the writer to empty the rings, then enqueues: an offline
//     run is evidence and loses nothing.
//
// Hot path: one enqueue; the hook runs only when a ring is full.

#include <rte_ring.h>

#include "common/macros.h"

namespace rampart::dp {

// Offline mode's writer, called on the worker's thread with a ring full.
struct RingFullHook {
  void (*drain)(void* ctx) = nullptr;  // nullptr: live mode, count the loss
  void* ctx = nullptr;
};

// False when the record was lost (the caller counts it). `r` is copied into
// the ring (rte_ring's API takes a non-const pointer; it only reads).
template <typename Record>
RAMPART_ALWAYS_INLINE bool enqueue_record(rte_ring* ring, Record& r, const RingFullHook& hook) {
  if (RAMPART_LIKELY(rte_ring_sp_enqueue_elem(ring, &r, sizeof(Record)) == 0)) return true;
  if (hook.drain == nullptr) return false;
  hook.drain(hook.ctx);
  return rte_ring_sp_enqueue_elem(ring, &r, sizeof(Record)) == 0;
}

}  // namespace rampart::dp
