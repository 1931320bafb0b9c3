#pragma once
// PolicyService and ApplianceService of the public API (rampart.v1): policy
// documents in, desired version and appliance sync state out. Served from
// gRPC's sync server threads; all state lives in DesiredState and Fleet.

#include "controller.grpc.pb.h"
#include "controlplane/controller/desired_state.h"
#include "controlplane/controller/fleet.h"

namespace rampart::controller {

class PolicyService final : public rampart::v1::PolicyService::Service {
 public:
  PolicyService(DesiredState& state, Fleet& fleet) : state_(state), fleet_(fleet) {}

  grpc::Status ApplyPolicy(grpc::ServerContext* ctx, const rampart::v1::ApplyPolicyRequest* req,
                           rampart::v1::ApplyPolicyResponse* resp) override;
  grpc::Status GetPolicy(grpc::ServerContext* ctx, const rampart::v1::GetPolicyRequest* req,
                         rampart::v1::PolicyDocument* resp) override;
  grpc::Status ListPolicies(grpc::ServerContext* ctx, const rampart::v1::ListPoliciesRequest* req,
                            rampart::v1::ListPoliciesResponse* resp) override;
  grpc::Status DeletePolicy(grpc::ServerContext* ctx, const rampart::v1::DeletePolicyRequest* req,
                            rampart::v1::DeletePolicyResponse* resp) override;
  grpc::Status GetPolicyStatus(grpc::ServerContext* ctx, const rampart::v1::GetPolicyStatusRequest* req,
                               rampart::v1::PolicyStatus* resp) override;

 private:
  DesiredState& state_;
  Fleet& fleet_;
};

class FleetService final : public rampart::v1::ApplianceService::Service {
 public:
  FleetService(DesiredState& state, Fleet& fleet) : state_(state), fleet_(fleet) {}

  grpc::Status ListAppliances(grpc::ServerContext* ctx, const rampart::v1::ListAppliancesRequest* req,
                              rampart::v1::ListAppliancesResponse* resp) override;

 private:
  DesiredState& state_;
  Fleet& fleet_;
};

}  // namespace rampart::controller
