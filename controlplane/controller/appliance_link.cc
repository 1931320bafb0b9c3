#include "controlplane/controller/appliance_link.h"

#include <chrono>

#include <fmt/format.h>

#include "controlplane/api/policy_proto.h"

namespace rampart::controller {
namespace {

namespace dv1 = rampart::dataplane::v1;

constexpr auto kPeriod = std::chrono::milliseconds(500);
constexpr auto kStatusTimeout = std::chrono::seconds(2);
// Building a large rule set takes a while on the appliance.
constexpr auto kApplyTimeout = std::chrono::seconds(300);  // an appliance compiles new signature sets (Hyperscan) before it answers

uint64_t now_unix_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

void set_deadline(grpc::ClientContext* ctx, std::chrono::milliseconds d) {
  ctx->set_deadline(std::chrono::system_clock::now() + d);
}

}  // namespace

ApplianceLink::ApplianceLink(std::string address, std::shared_ptr<grpc::Channel> channel, DesiredState& state,
                             Inventory& inventory)
    : address_(std::move(address)),
      channel_(std::move(channel)),
      stub_(dv1::Appliance::NewStub(channel_)),
      state_(state),
      inventory_(inventory) {}

void ApplianceLink::start() { thread_ = std::thread([this] { run(); }); }

void ApplianceLink::stop() {
  stop_.store(true);
  wake();
  if (thread_.joinable()) thread_.join();
}

void ApplianceLink::wake() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    woken_ = true;
  }
  wake_cv_.notify_one();
}

void ApplianceLink::run() {
  while (!stop_.load()) {
    sync_once();
    std::unique_lock<std::mutex> lock(wake_mu_);
    wake_cv_.wait_for(lock, kPeriod, [this] { return woken_ || stop_.load(); });
    woken_ = false;
  }
}

rampart::v1::Appliance ApplianceLink::view(const Snapshot& desired) const {
  std::lock_guard<std::mutex> lock(mu_);
  rampart::v1::Appliance a;
  a.set_address(address_);
  a.set_appliance_id(appliance_id_);
  a.set_boot_id(boot_id_);
  a.set_health(health_);
  a.set_applied_version(applied_version_);
  a.set_policy_origin(policy_origin_);
  // What the appliance itself last reported (or answered to a push), not
  // what was sent: the desired version and this controller's policy.
  a.set_in_sync(health_ == rampart::v1::APPLIANCE_HEALTH_SERVING && applied_version_ == desired.version &&
                policy_origin_ == desired.policy.origin);
  a.set_last_seen_unix_ms(last_seen_ms_);
  a.set_last_error(last_error_);
  a.set_pushes(pushes_);
  return a;
}

std::string ApplianceLink::appliance_id() const {
  std::lock_guard<std::mutex> lock(mu_);
  return appliance_id_.empty() ? address_ : appliance_id_;
}

bool ApplianceLink::reachable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_ != rampart::v1::APPLIANCE_HEALTH_UNREACHABLE;
}

void ApplianceLink::sync_once() {
  std::lock_guard<std::mutex> one_at_a_time(sync_mu_);
  dv1::GetStatusResponse st;
  grpc::ClientContext ctx;
  set_deadline(&ctx, kStatusTimeout);
  const grpc::Status s = stub_->GetStatus(&ctx, dv1::GetStatusRequest(), &st);
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    health_ = rampart::v1::APPLIANCE_HEALTH_UNREACHABLE;
    last_error_ = fmt::format("GetStatus: {}", s.error_message());
    return;
  }
  auto snap = state_.snapshot();
  const bool rejected_now =
      rejected_version_ != 0 && rejected_version_ == snap->version && rejected_boot_ == st.boot_id();
  {
    std::lock_guard<std::mutex> lock(mu_);
    appliance_id_ = st.appliance_id();
    boot_id_ = st.boot_id();
    applied_version_ = st.applied_version();
    policy_origin_ = st.policy_origin();
    last_seen_ms_ = now_unix_ms();
    health_ = rejected_now ? rampart::v1::APPLIANCE_HEALTH_REJECTED : rampart::v1::APPLIANCE_HEALTH_SERVING;
    if (!rejected_now && last_error_.rfind("GetStatus: ", 0) == 0) last_error_.clear();
  }
  const bool runs_desired = st.applied_version() == snap->version && st.policy_origin() == snap->policy.origin;
  if (!runs_desired && st.applied_version() >= snap->version) {
    // The appliance runs the desired number (or a higher one) with another
    // policy: it refuses anything not newer, so continue above it.
    uint64_t desired = 0;
    const Outcome advanced = state_.advance_past(st.applied_version(), &desired);
    if (!advanced.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (advanced.code == Outcome::Code::kFailedPrecondition) health_ = rampart::v1::APPLIANCE_HEALTH_CONFLICT;
      last_error_ = fmt::format("the appliance runs version {} ({}), not this controller's policy, and {}",
                                st.applied_version(), st.policy_origin(), advanced.message);
      return;
    }
    snap = state_.snapshot();
  }
  if (!runs_desired && !rejected_now) push_policy_locked(*snap, st.boot_id());
  if (identities_boot_ != st.boot_id() || identities_generation_ != inventory_.generation() || !identities_sent_) {
    sync_identities_locked();
  }
}

void ApplianceLink::push_policy_locked(const Snapshot& snap, const std::string& boot_id) {
  dv1::ApplyPolicyRequest req;
  if (auto made = api::policy_to_proto(snap.policy, snap.version, req.mutable_policy()); !made) {
    std::lock_guard<std::mutex> lock(mu_);
    last_error_ = made.error().message;  // never sent: an unresolved policy would widen rules to "any"
    return;
  }
  dv1::ApplyPolicyResponse resp;
  grpc::ClientContext ctx;
  set_deadline(&ctx, kApplyTimeout);
  const grpc::Status s = stub_->ApplyPolicy(&ctx, req, &resp);
  std::lock_guard<std::mutex> lock(mu_);
  if (s.ok()) {
    ++pushes_;
    applied_version_ = resp.applied_version();
    policy_origin_ = snap.policy.origin;
    rejected_version_ = 0;
    last_error_.clear();
    health_ = rampart::v1::APPLIANCE_HEALTH_SERVING;
    return;
  }
  // Another client may have applied meanwhile (FAILED_PRECONDITION): the
  // next GetStatus says what the appliance runs.
  last_error_ = fmt::format("ApplyPolicy version {}: {}", snap.version, s.error_message());
  if (s.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    health_ = rampart::v1::APPLIANCE_HEALTH_REJECTED;
    rejected_version_ = snap.version;
    rejected_boot_ = boot_id;
  } else if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
    health_ = rampart::v1::APPLIANCE_HEALTH_UNREACHABLE;
  }
}

bool ApplianceLink::sync_identities() {
  std::lock_guard<std::mutex> one_at_a_time(sync_mu_);
  return sync_identities_locked();
}

bool ApplianceLink::sync_identities_locked() {
  std::string boot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (health_ == rampart::v1::APPLIANCE_HEALTH_UNREACHABLE) return false;
    boot = boot_id_;
  }
  const uint64_t generation = inventory_.generation();
  const IdentitySnapshot ids = inventory_.full_update();
  dv1::UpdateIdentitiesRequest req;
  for (const auto& w : ids.bindings) {
    auto* b = req.add_upsert();
    b->set_ip(w.ip);
    b->mutable_identity()->set_workload(w.name);
    b->mutable_identity()->mutable_labels()->insert(w.labels.begin(), w.labels.end());
  }
  for (const auto& ip : ids.removed) req.add_remove(ip);
  dv1::UpdateIdentitiesResponse resp;
  grpc::ClientContext ctx;
  set_deadline(&ctx, kStatusTimeout);
  const grpc::Status s = stub_->UpdateIdentities(&ctx, req, &resp);
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    last_error_ = fmt::format("UpdateIdentities: {}", s.error_message());
    return false;
  }
  identities_boot_ = boot;
  identities_generation_ = generation;
  identities_sent_ = true;
  return true;
}

}  // namespace rampart::controller
