#pragma once
// TelemetryService of the public API: counters and events of the
// appliances, relayed. GetCounters asks every selected appliance in turn
// (an unreachable one gets an error string, not a failed call).
// StreamEvents opens the appliance event stream of every selected
// appliance with the client's filter, one reader thread each, and relays
// through a bounded EventQueue per client; follow=false reads for about a
// second, then ends. Served from gRPC's sync server threads.

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

 private:
  Fleet& fleet_;
  const std::atomic<bool>& stopping_;
};

}  // namespace rampart::controller
