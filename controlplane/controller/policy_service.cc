#include "controlplane/controller/policy_service.h"

#include <fmt/format.h>

#include "controlplane/api/request_checks.h"
#include "controlplane/compiler/cidr.h"

namespace rampart::controller {

grpc::Status PolicyService::ApplyPolicy(grpc::ServerContext*, const rampart::v1::ApplyPolicyRequest* req,
                                        rampart::v1::ApplyPolicyResponse* resp) {
  const auto& doc = req->document();
  if (doc.name().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "document.name: required"};
  if (auto e = api::length_error("document.name", doc.name(), api::kMaxNameBytes); !e.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, e};
  }
  if (doc.yaml().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "document.yaml: required"};
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  const Outcome o = state_.apply(doc.name(), doc.yaml(), req->dry_run(), &errors, &r);
  if (req->dry_run() && o.code == Outcome::Code::kInvalidArgument && !errors.empty()) {
    resp->set_version(state_.version());
    for (auto& e : errors) resp->add_errors(std::move(e));
    return grpc::Status::OK;
  }
  if (!o.ok()) return to_status(o);
  resp->set_version(r.version);
  resp->set_rules(r.rules);
  for (auto& w : r.warnings) resp->add_warnings(std::move(w));
  if (!req->dry_run()) fleet_.wake_all();
  return grpc::Status::OK;
}

grpc::Status PolicyService::GetPolicy(grpc::ServerContext*, const rampart::v1::GetPolicyRequest* req,
                                      rampart::v1::PolicyDocument* resp) {
  StoredDocument d;
  if (auto e = api::length_error("name", req->name(), api::kMaxNameBytes); !e.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, e};
  }
  const Outcome o = state_.get(req->name(), &d);
  if (!o.ok()) return to_status(o);
  resp->set_name(d.name);
  resp->set_yaml(d.yaml);
  resp->set_version(d.version);
  return grpc::Status::OK;
}

grpc::Status PolicyService::ListPolicies(grpc::ServerContext*, const rampart::v1::ListPoliciesRequest*,
                                         rampart::v1::ListPoliciesResponse* resp) {
  for (const auto& d : state_.list()) {
    auto* p = resp->add_documents();
    p->set_name(d.name);
    p->set_yaml(d.yaml);
    p->set_version(d.version);
  }
  resp->set_version(state_.version());
  return grpc::Status::OK;
}

grpc::Status PolicyService::DeletePolicy(grpc::ServerContext*, const rampart::v1::DeletePolicyRequest* req,
                                         rampart::v1::DeletePolicyResponse* resp) {
  uint64_t v = 0;
  if (auto e = api::length_error("name", req->name(), api::kMaxNameBytes); !e.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, e};
  }
  const Outcome o = state_.remove(req->name(), &v);
  if (!o.ok()) return to_status(o);
  resp->set_version(v);
  fleet_.wake_all();
  return grpc::Status::OK;
}

grpc::Status PolicyService::GetPolicyStatus(grpc::ServerContext*, const rampart::v1::GetPolicyStatusRequest*,
                                            rampart::v1::PolicyStatus* resp) {
  const auto snap = state_.snapshot();
  uint32_t in_sync = 0;
  for (const auto& l : fleet_.links()) in_sync += l->view(*snap).in_sync() ? 1 : 0;
  resp->set_desired_version(snap->version);
  resp->set_appliances(static_cast<uint32_t>(fleet_.links().size()));
  resp->set_appliances_in_sync(in_sync);
  for (const auto& g : snap->policy.groups) {
    auto* gs = resp->add_groups();
    gs->set_name(g.name);
    switch (g.mode) {
      case policy::GroupMode::kProtect: gs->set_mode(rampart::v1::GROUP_MODE_PROTECT); break;
      case policy::GroupMode::kMonitor: gs->set_mode(rampart::v1::GROUP_MODE_MONITOR); break;
      case policy::GroupMode::kDiscover: gs->set_mode(rampart::v1::GROUP_MODE_DISCOVER); break;
    }
    for (const auto& c : g.members) gs->add_members(cp::format_cidr(c));
    gs->set_source(g.source);
    for (const auto& d : snap->policy.group_definitions) {
      if (d.name != g.name) continue;
      for (const auto& [k, v] : d.selector) (*gs->mutable_selector())[k] = v;
    }
  }
  for (const auto& w : snap->warnings) resp->add_warnings(w);
  return grpc::Status::OK;
}

grpc::Status FleetService::ListAppliances(grpc::ServerContext*, const rampart::v1::ListAppliancesRequest*,
                                          rampart::v1::ListAppliancesResponse* resp) {
  const auto snap = state_.snapshot();
  for (const auto& l : fleet_.links()) *resp->add_appliances() = l->view(*snap);
  resp->set_desired_version(snap->version);
  return grpc::Status::OK;
}

}  // namespace rampart::controller
