#pragma once
// EventHub: hands the EVE records the agent thread writes to live
// subscribers (gRPC StreamEvents clients). Each subscriber has a bounded
// queue; when it is full the record is dropped for that subscriber only and
// counted, and the next record it gets carries the count (the lost-events
// marker). Publishing never waits for a subscriber: the dataplane and the
// EVE file never slow down because a client reads slowly.
//
// Threads: publish() from the agent thread; subscribe()/next()/close from
// any (gRPC handler threads). Cold path: nothing here runs per packet.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::dp {

enum class EveKind : uint8_t { kAlert = 0, kDrop = 1, kFlow = 2, kAnomaly = 3 };

struct EventFilter {
  uint32_t kinds = 0;      // bit per EveKind; 0: every kind
  std::string src_ip;      // exact "src_ip" of the record; empty: any
  std::string dst_ip;      // exact "dest_ip"
  uint16_t dst_port = 0;   // 0: any
  bool matches(EveKind k, std::string_view line) const;
};

struct HubEvent {
  EveKind kind;
  uint64_t timestamp_ns;
  uint64_t lost_before;  // records dropped for this subscriber before this one
  std::string line;      // one EVE JSON object, no newline
};

class EventHub {
 public:
  class Subscription {
   public:
    // Waits up to `wait` for the next record; false on timeout or close.
    bool next(HubEvent* out, std::chrono::milliseconds wait);
    uint64_t lost() const { return lost_total_.load(std::memory_order_relaxed); }

   private:
    friend class EventHub;
    Subscription(EventFilter f, std::size_t cap) : filter_(std::move(f)), capacity_(cap) {}
    EventFilter filter_;
    std::size_t capacity_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<HubEvent> queue_;
    uint64_t lost_pending_ = 0;  // to report with the next record handed out
    std::atomic<uint64_t> lost_total_{0};
    bool closed_ = false;
  };

  explicit EventHub(std::size_t max_subscribers) : max_subscribers_(max_subscribers) {}
  ~EventHub();

  // nullptr when max_subscribers are already subscribed.
  std::shared_ptr<Subscription> subscribe(EventFilter f, std::size_t capacity);
  void unsubscribe(const std::shared_ptr<Subscription>& s);
  // Wakes and detaches every subscriber (shutdown).
  void close_all();

  bool active() const { return count_.load(std::memory_order_relaxed) > 0; }
  void publish(EveKind kind, uint64_t timestamp_ns, std::string_view line);

 private:
  const std::size_t max_subscribers_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subs_;
  std::atomic<std::size_t> count_{0};
};

}  // namespace rampart::dp
