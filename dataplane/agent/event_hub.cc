#include "dataplane/agent/event_hub.h"

#include <algorithm>
#include <string>

namespace rampart::dp {

bool EventFilter::matches(EveKind k, std::string_view line) const {
  if (kinds != 0 && (kinds & (1u << static_cast<unsigned>(k))) == 0) return false;
  // The writer's own field order and spelling (eve_writer.cc).
  if (!src_ip.empty() && line.find("\"src_ip\":\"" + src_ip + "\"") == std::string_view::npos) return false;
  if (!dst_ip.empty() && line.find("\"dest_ip\":\"" + dst_ip + "\"") == std::string_view::npos) return false;
  if (dst_port != 0 && line.find("\"dest_port\":" + std::to_string(dst_port) + ",") == std::string_view::npos) {
    return false;
  }
  return true;
}

bool EventHub::Subscription::next(HubEvent* out, std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, wait, [this] { return closed_ || !queue_.empty(); });
  if (queue_.empty()) return false;
  *out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

EventHub::~EventHub() { close_all(); }

std::shared_ptr<EventHub::Subscription> EventHub::subscribe(EventFilter f, std::size_t capacity) {
  std::lock_guard<std::mutex> lock(mu_);
  if (subs_.size() >= max_subscribers_) return nullptr;
  std::shared_ptr<Subscription> s(new Subscription(std::move(f), std::max<std::size_t>(capacity, 1)));
  subs_.push_back(s);
  count_.store(subs_.size(), std::memory_order_relaxed);
  return s;
}

void EventHub::unsubscribe(const std::shared_ptr<Subscription>& s) {
  std::lock_guard<std::mutex> lock(mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
  count_.store(subs_.size(), std::memory_order_relaxed);
}

void EventHub::close_all() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : subs_) {
    std::lock_guard<std::mutex> l(s->mu_);
    s->closed_ = true;
    s->cv_.notify_all();
  }
  subs_.clear();
  count_.store(0, std::memory_order_relaxed);
}

void EventHub::publish(EveKind kind, uint64_t timestamp_ns, std::string_view line) {
  if (!active()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : subs_) {
    if (!s->filter_.matches(kind, line)) continue;
    std::lock_guard<std::mutex> l(s->mu_);
    if (s->queue_.size() >= s->capacity_) {
      ++s->lost_pending_;
      s->lost_total_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    s->queue_.push_back(HubEvent{kind, timestamp_ns, s->lost_pending_, std::string(line)});
    s->lost_pending_ = 0;
    s->cv_.notify_one();
  }
}

}  // namespace rampart::dp
