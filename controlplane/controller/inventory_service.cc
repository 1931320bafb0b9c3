#include "controlplane/controller/inventory_service.h"

#include <fmt/format.h>

namespace rampart::controller {

grpc::Status InventoryService::UpsertWorkloads(grpc::ServerContext*, const rampart::v1::UpsertWorkloadsRequest* req,
                                               rampart::v1::UpsertWorkloadsResponse* resp) {
  uint64_t count = 0;
  // Persisted before anything else sees it; a failed write (UNAVAILABLE)
  // changed nothing.
  const Outcome o = inventory_.upsert(*req, &count);
  if (!o.ok()) return to_status(o);
  for (const auto& l : fleet_.links()) {
    if (l->reachable()) l->sync_identities();
  }
  resp->set_workloads(count);
  // Read the inventory, then hand it over: never both locks at once.
  uint64_t generation = 0;
  auto workloads = inventory_.labeled_addresses(&generation);
  bool bumped = false;
  const Outcome moved = state_.set_workloads(generation, std::move(workloads), &bumped);
  if (bumped) {
    const auto snap = state_.snapshot();
    fmt::print(stderr, "rampart-controller: the inventory moved group members: policy version {}\n", snap->version);
    for (const auto& w : snap->warnings) fmt::print(stderr, "rampart-controller: {}\n", w);
    fleet_.wake_all();
  }
  // The workloads are in; a version file that could not be written is
  // the state directory's problem, reported like for a document change.
  return to_status(moved);
}

grpc::Status InventoryService::ListWorkloads(grpc::ServerContext*, const rampart::v1::ListWorkloadsRequest*,
                                             rampart::v1::ListWorkloadsResponse* resp) {
  for (auto& w : inventory_.list()) *resp->add_workloads() = std::move(w);
  return grpc::Status::OK;
}

}  // namespace rampart::controller
