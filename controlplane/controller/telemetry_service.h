#pragma once
// TelemetryService of the public API: counters and events of the
// appliances, relayed. GetCounters asks every selected appliance in turn
// (an unreachable one gets an error string, not a failed call).
// StreamEvents subscribes the client to the event feed of every selected
// appliance (one appliance stream each, shared by all clients:
// appliance_event_feed.h) with its filter and a bounded EventQueue of its
// own; follow=false reads for about a second, then ends. At most
// kMaxClients streams at once (RESOURCE_EXHAUSTED beyond). Served from
// gRPC's sync server threads.

#include <atomic>

#include "controller.grpc.pb.h"
#include "controlplane/controller/fleet.h"

namespace rampart::controller {

class TelemetryService final : public rampart::v1::TelemetryService::Service {
 public:
  TelemetryService(Fleet& fleet, const std::atomic<bool>& stopping) : fleet_(fleet), stopping_(stopping) {}

  grpc::Status GetCounters(grpc::ServerContext* ctx, const rampart::v1::GetCountersRequest* req,
                           rampart::v1::GetCountersResponse* resp) override;
  grpc::Status StreamEvents(grpc::ServerContext* ctx, const rampart::v1::StreamEventsRequest* req,
                            grpc::ServerWriter<rampart::v1::Event>* out) override;

  static constexpr std::size_t kClientQueue = 4096;
  // Each client holds a gRPC thread while it streams; events are shared
  // between the queues, so an idle client costs its queue's entries only.
  static constexpr std::size_t kMaxClients = 512;

 private:
  Fleet& fleet_;
  const std::atomic<bool>& stopping_;
  std::atomic<std::size_t> clients_{0};
};

}  // namespace rampart::controller
