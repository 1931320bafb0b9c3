#include "controlplane/controller/appliance_event_feed.h"

#include <fmt/format.h>

namespace rampart::controller {
namespace {

namespace dv1 = rampart::dataplane::v1;

constexpr auto kReconnectDelay = std::chrono::seconds(1);

}  // namespace

void ApplianceEventFeed::start() { thread_ = std::thread([this] { run(); }); }

void ApplianceEventFeed::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    if (stream_ != nullptr) stream_->TryCancel();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ApplianceEventFeed::subscribe(std::shared_ptr<EventSubscriber> s) {
  fanout_.subscribe(std::move(s));
  {
    std::lock_guard<std::mutex> lock(mu_);
    wanted_ = true;
  }
  cv_.notify_all();
}

void ApplianceEventFeed::unsubscribe(const EventSubscriber* s) {
  fanout_.unsubscribe(s);
  std::lock_guard<std::mutex> lock(mu_);
  wanted_ = fanout_.subscribers() != 0;
  if (!wanted_ && stream_ != nullptr) {  // nobody listens: close it
    closing_ = true;
    stream_->TryCancel();
  }
}

std::string ApplianceEventFeed::failure_since(std::chrono::steady_clock::time_point since) const {
  std::lock_guard<std::mutex> lock(mu_);
  return stream_ == nullptr && !last_error_.empty() && failed_at_ >= since ? last_error_ : "";
}

void ApplianceEventFeed::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || wanted_; });
    if (stop_) return;
    grpc::ClientContext ctx;
    stream_ = &ctx;
    lock.unlock();
    fanout_.set_appliance_id(link_.appliance_id());
    auto reader = link_.stub().StreamEvents(&ctx, dv1::StreamEventsRequest());
    dv1::Event e;
    while (reader->Read(&e)) fanout_.dispatch(std::move(e));
    const grpc::Status s = reader->Finish();
    lock.lock();
    stream_ = nullptr;
    if (stop_) return;
    if (closing_) {  // closed because the last subscriber left (another may have come since)
      closing_ = false;
      continue;
    }
    // The appliance went away (or ended the stream): try again shortly.
    last_error_ = s.ok() ? "the appliance ended the event stream" : s.error_message();
    failed_at_ = std::chrono::steady_clock::now();
    cv_.wait_for(lock, kReconnectDelay, [this] { return stop_ || !wanted_; });
  }
}

}  // namespace rampart::controller
