#include "controlplane/controller/inventory_service.h"

#include <fmt/format.h>

#include "controlplane/api/request_checks.h"

namespace rampart::controller {

grpc::Status InventoryService::UpsertWorkloads(grpc::ServerContext*, const rampart::v1::UpsertWorkloadsRequest* req,
                                               rampart::v1::UpsertWorkloadsResponse* resp) {
  // The request is checked whole first: on any error nothing changes.
  if (auto e = api::bindings_error("workloads", req->workloads_size()); !e.empty()) return to_status(Outcome::invalid(e));
  WorkloadChange change;
  for (int i = 0; i < req->workloads_size(); ++i) {
    const auto& w = req->workloads(i);
    const std::string at = fmt::format("workloads[{}]", i);
    if (auto e = api::binding_error(at, at, w.ip(), w.workload(), w.labels()); !e.empty()) {
      return to_status(Outcome::invalid(e));
    }
    change.upsert.push_back(Workload{w.ip(), w.workload(), {w.labels().begin(), w.labels().end()}});
  }
  if (auto e = api::removals_error("remove_ips", req->remove_ips()); !e.empty()) return to_status(Outcome::invalid(e));
  change.remove_ips.assign(req->remove_ips().begin(), req->remove_ips().end());
  uint64_t count = 0;
  // Persisted before anything else sees it; a failed write (UNAVAILABLE)
  // changed nothing.
  const Outcome o = inventory_.upsert(change, &count);
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
  for (const auto& w : inventory_.list()) {
    auto* out = resp->add_workloads();
    out->set_ip(w.ip);
    out->set_workload(w.name);
    out->mutable_labels()->insert(w.labels.begin(), w.labels.end());
  }
  return grpc::Status::OK;
}

}  // namespace rampart::controller
