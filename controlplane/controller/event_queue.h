#pragma once
// EventQueue: the bounded queue between the appliance event feeds and the
// thread writing to one StreamEvents client. Pushing never waits: a full
// queue drops the event and counts it (with the losses upstream reported
// on it) into the next event's lost_before, so a slow or idle client sees
// how much it missed and never slows the feeds or other clients. Events
// are shared (one copy however many queues hold it); lost_before is this
// queue's own.
// Thread-safe: any number of producers, one consumer.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "controller.pb.h"

namespace rampart::controller {

using SharedEvent = std::shared_ptr<const rampart::v1::Event>;

class EventQueue {
 public:
  explicit EventQueue(std::size_t capacity) : capacity_(capacity) {}

  // `lost_upstream`: events lost before this one on its way here (the
  // appliance's own lost_before).
  void push(SharedEvent ev, uint64_t lost_upstream);
  // Losses upstream reported on an event this queue does not take.
  void add_lost(uint64_t n);
  // Waits up to `wait` for an event. False on timeout. When only losses
  // remain and flush_lost is set, returns a marker event (type
  // UNSPECIFIED, no record) carrying them.
  bool pop(rampart::v1::Event* out, std::chrono::milliseconds wait, bool flush_lost);
  uint64_t lost_total() const;  // dropped here because the queue was full

 private:
  struct Entry {
    SharedEvent event;
    uint64_t lost_before;
  };
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry> q_;        // guarded by mu_
  uint64_t pending_lost_ = 0;  // guarded by mu_: not yet reported to the client
  uint64_t lost_total_ = 0;    // guarded by mu_
};

}  // namespace rampart::controller
