#include "controlplane/controller/event_queue.h"

namespace rampart::controller {

void EventQueue::push(SharedEvent ev, uint64_t lost_upstream) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (q_.size() >= capacity_) {
      pending_lost_ += 1 + lost_upstream;
      lost_total_ += 1;
      return;
    }
    q_.push_back({std::move(ev), lost_upstream + pending_lost_});
    pending_lost_ = 0;
  }
  cv_.notify_one();
}

void EventQueue::add_lost(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_lost_ += n;
}

bool EventQueue::pop(rampart::v1::Event* out, std::chrono::milliseconds wait, bool flush_lost) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, wait, [this] { return !q_.empty(); });
  if (!q_.empty()) {
    *out = *q_.front().event;
    out->set_lost_before(q_.front().lost_before);
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
