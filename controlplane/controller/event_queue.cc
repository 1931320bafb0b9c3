#include "controlplane/controller/event_queue.h"

namespace rampart::controller {

void EventQueue::push(rampart::v1::Event ev) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (q_.size() >= capacity_) {
      pending_lost_ += 1 + ev.lost_before();
      lost_total_ += 1;
      return;
    }
    ev.set_lost_before(ev.lost_before() + pending_lost_);
    pending_lost_ = 0;
    q_.push_back(std::move(ev));
  }
  cv_.notify_one();
}

bool EventQueue::pop(rampart::v1::Event* out, std::chrono::milliseconds wait, bool flush_lost) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, wait, [this] { return !q_.empty(); });
  if (!q_.empty()) {
    *out = std::move(q_.front());
    q_.pop_front();
    return true;
  }
  if (flush_lost && pending_lost_ != 0) {
    out->Clear();
    out->set_lost_before(pending_lost_);
    pending_lost_ = 0;
    return true;
  }
  return false;
}

uint64_t EventQueue::lost_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lost_total_;
}

}  // namespace rampart::controller
