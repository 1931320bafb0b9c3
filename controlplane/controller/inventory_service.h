#pragma once
// InventoryService of the public API: workload bindings in, forwarded at
// once to every reachable appliance (the sync threads catch up the others),
// and given to DesiredState, whose groups resolve against them: a change
// that moves group members is a new policy version, pushed at once.
// Served from gRPC's sync server threads.

#include "controller.grpc.pb.h"
#include "controlplane/controller/desired_state.h"
#include "controlplane/controller/fleet.h"
#include "controlplane/controller/inventory.h"

namespace rampart::controller {

class InventoryService final : public rampart::v1::InventoryService::Service {
 public:
  InventoryService(Inventory& inventory, DesiredState& state, Fleet& fleet)
      : inventory_(inventory), state_(state), fleet_(fleet) {}

  grpc::Status UpsertWorkloads(grpc::ServerContext* ctx, const rampart::v1::UpsertWorkloadsRequest* req,
                               rampart::v1::UpsertWorkloadsResponse* resp) override;
  grpc::Status ListWorkloads(grpc::ServerContext* ctx, const rampart::v1::ListWorkloadsRequest* req,
                             rampart::v1::ListWorkloadsResponse* resp) override;

 private:
  Inventory& inventory_;
  DesiredState& state_;
  Fleet& fleet_;
};

}  // namespace rampart::controller
