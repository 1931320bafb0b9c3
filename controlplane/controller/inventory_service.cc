#include "controlplane/controller/inventory_service.h"

namespace rampart::controller {

grpc::Status InventoryService::UpsertWorkloads(grpc::ServerContext*, const rampart::v1::UpsertWorkloadsRequest* req,
                                               rampart::v1::UpsertWorkloadsResponse* resp) {
  uint64_t count = 0;
  const Outcome o = inventory_.upsert(*req, &count);
  if (!o.ok()) return to_status(o);
  for (const auto& l : fleet_.links()) {
    if (l->reachable()) l->sync_identities();
  }
  resp->set_workloads(count);
  return grpc::Status::OK;
}

grpc::Status InventoryService::ListWorkloads(grpc::ServerContext*, const rampart::v1::ListWorkloadsRequest*,
                                             rampart::v1::ListWorkloadsResponse* resp) {
  for (auto& w : inventory_.list()) *resp->add_workloads() = std::move(w);
  return grpc::Status::OK;
}

}  // namespace rampart::controller
