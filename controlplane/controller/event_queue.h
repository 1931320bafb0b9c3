#pragma once
// EventQueue: the bounded queue between the appliance readers of one
// StreamEvents client and the thread writing to that client. A full queue
// drops the event and counts it (with the losses the appliance reported on
// it) into the next event's lost_before, so a slow client sees how much it
// missed and never slows the appliance streams.
// Thread-safe: any number of producers, one consumer.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

#include "controller.pb.h"

namespace rampart::controller {

class EventQueue {
 public:
  explicit EventQueue(std::size_t capacity) : capacity_(capacity) {}

  void push(rampart::v1::Event ev);
  // Waits up to `wait` for an event. False on timeout. When only losses
  // remain and flush_lost is set, returns a marker event (type
  // UNSPECIFIED, no record) carrying them.
  bool pop(rampart::v1::Event* out, std::chrono::milliseconds wait, bool flush_lost);
  uint64_t lost_total() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<rampart::v1::Event> q_;  // guarded by mu_
  uint64_t pending_lost_ = 0;         // guarded by mu_: not yet reported to the client
  uint64_t lost_total_ = 0;           // guarded by mu_
};

}  // namespace rampart::controller
