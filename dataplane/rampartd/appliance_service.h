#pragma once
// ApplianceService: rampartd's side of the appliance API
// (proto/rampart/dataplane/v1/appliance.proto), served from gRPC threads,
// never from the worker lcores. ApplyPolicy checks the whole policy and
// builds its rule set (rte_acl) on the calling gRPC thread, then publishes
// it through RuleSetRcu: workers switch at their next burst without
// waiting; a policy that fails any check or build leaves the running one
// in force. See docs/design/control-plane.md.

#include "appliance.grpc.pb.h"
#include "dataplane/rampartd/app.h"

namespace rampart::dp {

class ApplianceService final : public rampart::dataplane::v1::Appliance::Service {
 public:
  ApplianceService(App& app, int socket) : app_(app), socket_(socket) {}

  grpc::Status ApplyPolicy(grpc::ServerContext* ctx, const rampart::dataplane::v1::ApplyPolicyRequest* req,
                           rampart::dataplane::v1::ApplyPolicyResponse* resp) override;
  grpc::Status UpdateIdentities(grpc::ServerContext* ctx, const rampart::dataplane::v1::UpdateIdentitiesRequest* req,
                                rampart::dataplane::v1::UpdateIdentitiesResponse* resp) override;
  grpc::Status GetCounters(grpc::ServerContext* ctx, const rampart::dataplane::v1::GetCountersRequest* req,
                           rampart::dataplane::v1::GetCountersResponse* resp) override;
  grpc::Status StreamEvents(grpc::ServerContext* ctx, const rampart::dataplane::v1::StreamEventsRequest* req,
                            grpc::ServerWriter<rampart::dataplane::v1::Event>* out) override;
  grpc::Status GetStatus(grpc::ServerContext* ctx, const rampart::dataplane::v1::GetStatusRequest* req,
                         rampart::dataplane::v1::GetStatusResponse* resp) override;

 private:
  App& app_;
  const int socket_;
};

}  // namespace rampart::dp
