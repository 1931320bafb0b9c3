#pragma once
// ApplianceEventFeed: the controller's one event stream from one appliance
// (rampart.dataplane.v1 StreamEvents, unfiltered), fanned out to every
// StreamEvents client of the controller that selects the appliance
// (event_fanout.h). The stream is open while anyone subscribes: the
// feed's thread opens it for the first subscriber, reconnects every
// second while the appliance is away, and closes it when the last one
// leaves. However many clients follow, the appliance serves one stream
// per controller (it allows 16), and no client, reading or not, slows it.
// Thread-safe: subscribe, unsubscribe and health from any thread.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "controlplane/controller/appliance_link.h"
#include "controlplane/controller/event_fanout.h"

namespace rampart::controller {

class ApplianceEventFeed {
 public:
  explicit ApplianceEventFeed(ApplianceLink& link) : link_(link), fanout_(link.address()) {}
  ~ApplianceEventFeed() { stop(); }
  ApplianceEventFeed(const ApplianceEventFeed&) = delete;
  ApplianceEventFeed& operator=(const ApplianceEventFeed&) = delete;

  void start();
  void stop();

  void subscribe(std::shared_ptr<EventSubscriber> s);
  void unsubscribe(const EventSubscriber* s);

  // Whether the stream failed (and is not open again) since `since`: the
  // error, else "".
  std::string failure_since(std::chrono::steady_clock::time_point since) const;
  const ApplianceLink& link() const { return link_; }

 private:
  void run();

  ApplianceLink& link_;
  EventFanout fanout_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                     // guarded by mu_
  bool wanted_ = false;                   // guarded by mu_: someone subscribes
  grpc::ClientContext* stream_ = nullptr;  // guarded by mu_: the open stream
  bool closing_ = false;                  // guarded by mu_: stream_ cancelled because nobody listens
  std::string last_error_;                // guarded by mu_
  std::chrono::steady_clock::time_point failed_at_{};  // guarded by mu_
};

}  // namespace rampart::controller
