#include "controlplane/controller/telemetry_service.h"

#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "controlplane/api/request_checks.h"
#include "controlplane/controller/event_fanout.h"

namespace rampart::controller {
namespace {

namespace dv1 = rampart::dataplane::v1;
using Clock = std::chrono::system_clock;

constexpr auto kCountersTimeout = std::chrono::seconds(3);
constexpr auto kSnapshotWindow = std::chrono::seconds(1);  // follow=false
constexpr auto kPollInterval = std::chrono::milliseconds(100);

// Counts one StreamEvents client for as long as it lives.
class ClientSlot {
 public:
  ClientSlot(std::atomic<std::size_t>& count, std::size_t max) : count_(count) {
    taken_ = count_.fetch_add(1) < max;
  }
  ~ClientSlot() { count_.fetch_sub(1); }
  ClientSlot(const ClientSlot&) = delete;
  ClientSlot& operator=(const ClientSlot&) = delete;
  bool taken() const { return taken_; }

 private:
  std::atomic<std::size_t>& count_;
  bool taken_;
};

}  // namespace

grpc::Status TelemetryService::GetCounters(grpc::ServerContext*, const rampart::v1::GetCountersRequest* req,
                                           rampart::v1::GetCountersResponse* resp) {
  if (auto e = api::length_error("appliance", req->appliance(), api::kMaxNameBytes); !e.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, e};
  }
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
  const std::string bad = api::event_filter_error(req->types(), rampart::v1::EVENT_TYPE_ANOMALY, req->src_ip(),
                                                  req->dst_ip(), req->dst_port());
  if (!bad.empty()) return {grpc::StatusCode::INVALID_ARGUMENT, bad};
  if (auto e = api::length_error("appliance", req->appliance(), api::kMaxNameBytes); !e.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, e};
  }
  const auto feeds = fleet_.select_feeds(req->appliance());
  if (feeds.empty() && !req->appliance().empty()) {
    return {grpc::StatusCode::NOT_FOUND, fmt::format("appliance '{}' not found", req->appliance())};
  }
  const ClientSlot slot(clients_, kMaxClients);
  if (!slot.taken()) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            fmt::format("{} event streams are open on this controller, the most it serves; try again later",
                        kMaxClients)};
  }
  auto sub = std::make_shared<EventSubscriber>();
  for (int t : req->types()) sub->selector.types |= 1u << t;
  sub->selector.src_ip = req->src_ip();
  sub->selector.dst_ip = req->dst_ip();
  sub->selector.dst_port = req->dst_port();
  sub->queue = std::make_shared<EventQueue>(kClientQueue);
  const auto started = std::chrono::steady_clock::now();
  for (auto* f : feeds) f->subscribe(sub);
  rampart::v1::Event ev;
  for (;;) {
    if (ctx->IsCancelled() || stopping_.load()) break;
    const bool window_over = !req->follow() && std::chrono::steady_clock::now() >= started + kSnapshotWindow;
    // Once the window is over, what is queued still goes out, then the end.
    if (sub->queue->pop(&ev, window_over ? std::chrono::milliseconds(0) : kPollInterval, true)) {
      if (!out->Write(ev)) break;
      continue;
    }
    if (window_over) break;
  }
  for (auto* f : feeds) f->unsubscribe(sub.get());
  // follow=false: UNAVAILABLE only when no selected appliance could be read.
  if (!req->follow() && !feeds.empty()) {
    std::string why;
    for (auto* f : feeds) {
      const std::string failure = f->failure_since(started);
      if (failure.empty()) return grpc::Status::OK;
      why += fmt::format("{}{}: {}", why.empty() ? "" : "; ", f->link().address(), failure);
    }
    return {grpc::StatusCode::UNAVAILABLE, "no appliance stream could be read: " + why};
  }
  return grpc::Status::OK;
}

}  // namespace rampart::controller
