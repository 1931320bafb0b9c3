#include "controlplane/controller/telemetry_service.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "controlplane/api/request_checks.h"
#include "controlplane/controller/event_queue.h"
#include "controlplane/controller/inventory.h"

namespace rampart::controller {
namespace {

namespace dv1 = rampart::dataplane::v1;
using Clock = std::chrono::system_clock;

constexpr auto kCountersTimeout = std::chrono::seconds(3);
constexpr auto kSnapshotWindow = std::chrono::seconds(1);  // follow=false
constexpr auto kReconnectDelay = std::chrono::seconds(1);

// One appliance's event stream, relayed into the client's queue.
class ApplianceReader {
 public:
  ApplianceReader(ApplianceLink& link, dv1::StreamEventsRequest req, bool follow, EventQueue& q)
      : link_(link), req_(std::move(req)), follow_(follow), q_(q) {}
  void start() { thread_ = std::thread([this] { run(); }); }
  void cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    if (ctx_) ctx_->TryCancel();
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_.load(); }
  grpc::Status status() const { return status_; }

 private:
  void run() {
    const auto until = Clock::now() + kSnapshotWindow;
    for (;;) {
      auto ctx = std::make_unique<grpc::ClientContext>();
      if (!follow_) ctx->set_deadline(until);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (cancelled_) break;
        ctx_ = ctx.get();
      }
      auto reader = link_.stub().StreamEvents(ctx.get(), req_);
      dv1::Event e;
      const std::string id = link_.appliance_id();
      while (reader->Read(&e)) {
        rampart::v1::Event out;
        out.set_appliance_id(id);
        out.set_type(static_cast<rampart::v1::EventType>(e.type()));
        out.set_timestamp_ns(e.timestamp_ns());
        out.set_eve_json(std::move(*e.mutable_eve_json()));
        out.set_lost_before(e.lost_before());
        q_.push(std::move(out));
      }
      status_ = reader->Finish();
      {
        std::lock_guard<std::mutex> lock(mu_);
        ctx_ = nullptr;
        if (cancelled_ || !follow_) break;
      }
      // follow: the appliance went away; reconnect until the client leaves.
      for (int i = 0; i < 10; ++i) {
        std::this_thread::sleep_for(kReconnectDelay / 10);
        std::lock_guard<std::mutex> lock(mu_);
        if (cancelled_) break;
      }
    }
    done_.store(true);
  }

  ApplianceLink& link_;
  const dv1::StreamEventsRequest req_;
  const bool follow_;
  EventQueue& q_;
  std::thread thread_;
  std::mutex mu_;
  grpc::ClientContext* ctx_ = nullptr;  // guarded by mu_
  bool cancelled_ = false;              // guarded by mu_
  std::atomic<bool> done_{false};
  grpc::Status status_;  // written by the reader thread, read after done()
};

}  // namespace

grpc::Status TelemetryService::GetCounters(grpc::ServerContext*, const rampart::v1::GetCountersRequest* req,
                                           rampart::v1::GetCountersResponse* resp) {
  const auto links = fleet_.select(req->appliance());
  if (links.empty() && !req->appliance().empty()) {
    return {grpc::StatusCode::NOT_FOUND, fmt::format("appliance '{}' not found", req->appliance())};
  }
  for (auto* l : links) {
    auto* a = resp->add_appliances();
    a->set_address(l->address());
    a->set_appliance_id(l->appliance_id());
    grpc::ClientContext ctx;
    ctx.set_deadline(Clock::now() + kCountersTimeout);
    dv1::GetCountersResponse c;
    const grpc::Status s = l->stub().GetCounters(&ctx, dv1::GetCountersRequest(), &c);
    if (!s.ok()) {
      a->set_error(fmt::format("{}: {}", l->address(), s.error_message()));
      continue;
    }
    for (const auto& kv : c.counters()) (*a->mutable_counters())[kv.name()] = kv.value();
  }
  return grpc::Status::OK;
}

grpc::Status TelemetryService::StreamEvents(grpc::ServerContext* ctx, const rampart::v1::StreamEventsRequest* req,
                                            grpc::ServerWriter<rampart::v1::Event>* out) {
  dv1::StreamEventsRequest areq;
  const std::string bad = api::event_filter_error(req->types(), rampart::v1::EVENT_TYPE_ANOMALY, req->src_ip(),
                                                  req->dst_ip(), req->dst_port());
  if (!bad.empty()) return {grpc::StatusCode::INVALID_ARGUMENT, bad};
  for (int t : req->types()) areq.add_types(static_cast<dv1::EventType>(t));
  areq.set_src_ip(req->src_ip());
  areq.set_dst_ip(req->dst_ip());
  areq.set_dst_port(req->dst_port());
  const auto links = fleet_.select(req->appliance());
  if (links.empty() && !req->appliance().empty()) {
    return {grpc::StatusCode::NOT_FOUND, fmt::format("appliance '{}' not found", req->appliance())};
  }
  EventQueue q(kClientQueue);
  std::vector<std::unique_ptr<ApplianceReader>> readers;
  for (auto* l : links) {
    readers.push_back(std::make_unique<ApplianceReader>(*l, areq, req->follow(), q));
    readers.back()->start();
  }
  auto all_done = [&] {
    for (const auto& r : readers) {
      if (!r->done()) return false;
    }
    return true;
  };
  rampart::v1::Event ev;
  for (;;) {
    if (ctx->IsCancelled() || stopping_.load()) break;
    const bool finished = !req->follow() && all_done();
    if (q.pop(&ev, std::chrono::milliseconds(finished ? 0 : 100), true)) {
      if (!out->Write(ev)) break;
      continue;
    }
    if (finished) break;
  }
  for (auto& r : readers) r->cancel();
  for (auto& r : readers) r->join();
  // Every selected appliance failed (not the end of a snapshot window).
  if (!req->follow() && !readers.empty()) {
    std::string why;
    for (std::size_t i = 0; i < readers.size(); ++i) {
      const auto s = readers[i]->status();
      if (s.ok() || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
          s.error_code() == grpc::StatusCode::CANCELLED) {
        return grpc::Status::OK;
      }
      why += fmt::format("{}{}: {}", why.empty() ? "" : "; ", links[i]->address(), s.error_message());
    }
    return {grpc::StatusCode::UNAVAILABLE, "no appliance stream could be read: " + why};
  }
  return grpc::Status::OK;
}

}  // namespace rampart::controller
