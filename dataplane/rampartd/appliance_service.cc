#include "dataplane/rampartd/appliance_service.h"

#include <rte_cycles.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "controlplane/api/policy_proto.h"
#include "controlplane/api/request_checks.h"
#include "dataplane/rampartd/signature_update.h"
#include "dataplane/rampartd/summary.h"

namespace rampart::dp {
namespace {

namespace v1 = rampart::dataplane::v1;

// Worker loop-duration histogram summed over workers.
std::array<uint64_t, WorkerStats::kLoopBuckets> loop_histogram(const App& app) {
  std::array<uint64_t, WorkerStats::kLoopBuckets> h{};
  for (const auto& w : app.workers) {
    for (std::size_t b = 0; b < h.size(); ++b) h[b] += w->stats().loop_log2_cycles[b].get();
  }
  return h;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Numeric leaves of the summary as dotted names; array elements are named
// by their "name" (ports, rules) or "id"/"port" (workers) field.
void flatten(const nlohmann::ordered_json& j, const std::string& prefix, std::vector<std::pair<std::string, uint64_t>>* out) {
  if (j.is_number_unsigned() || j.is_number_integer()) {
    out->emplace_back(prefix, j.get<uint64_t>());
    return;
  }
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    }
    return;
  }
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      const auto& e = j[i];
      std::string key = std::to_string(i);
      if (e.is_object()) {
        if (e.contains("name") && e["name"].is_string()) {
          key = e["name"].get<std::string>();
        } else if (e.contains("id")) {
          key = e["id"].dump();
        }
      }
      flatten(e, prefix + "." + key, out);
    }
  }
}

}  // namespace

grpc::Status ApplianceService::ApplyPolicy(grpc::ServerContext* ctx, const v1::ApplyPolicyRequest* req,
                                           v1::ApplyPolicyResponse* resp) {
  if (!req->has_policy()) return {grpc::StatusCode::INVALID_ARGUMENT, "policy: required"};
  const uint64_t version = req->policy().version();
  const auto t0 = std::chrono::steady_clock::now();
  // The caller may give up (cancelled, or its deadline passed) and rampartd
  // may stop while this waits for the apply before it or builds: then the
  // work stops at the next check and nothing changes.
  const CancelCheck gave_up = [this, ctx] { return ctx->IsCancelled() || app_.stopping.load(); };
  auto given_up = [&](const char* when) -> grpc::Status {
    const bool stopping = app_.stopping.load();
    fmt::print(stderr, "rampartd: ApplyPolicy version {} given up {} after {:.3f} s: {}; nothing changed\n", version,
               when, seconds_since(t0), stopping ? "rampartd is stopping" : "the caller cancelled or its deadline passed");
    if (stopping) return {grpc::StatusCode::UNAVAILABLE, "rampartd is stopping"};
    return {grpc::StatusCode::CANCELLED, "the caller gave up; nothing changed"};
  };
  std::unique_lock<std::timed_mutex> one_at_a_time(app_.apply_mu, std::defer_lock);
  while (!one_at_a_time.try_lock_for(std::chrono::milliseconds(20))) {
    if (gave_up()) return given_up("waiting for the apply before it");
  }
  app_.applying_version.store(version);
  struct Applying {
    std::atomic<uint64_t>& v;
    ~Applying() { v.store(0); }
  } applying{app_.applying_version};
  if (app_.stopping.load()) return {grpc::StatusCode::UNAVAILABLE, "rampartd is stopping"};
  const auto build_start = std::chrono::steady_clock::now();
  const uint64_t applied = app_.applied_version.load();
  if (version != 0 && version <= applied) {
    return {grpc::StatusCode::FAILED_PRECONDITION,
            fmt::format("policy.version: {} is not newer than the applied version {}", version, applied)};
  }
  // Counted before anything is converted: the per-rule counters hold
  // kMaxPolicyRules.
  if (static_cast<std::size_t>(req->policy().rules_size()) > kMaxPolicyRules) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            fmt::format("policy.rules: {} rules, at most {}", req->policy().rules_size(), kMaxPolicyRules)};
  }
  std::vector<std::string> errors;
  auto policy = api::policy_from_proto(req->policy(), &errors);
  if (!policy) return {grpc::StatusCode::INVALID_ARGUMENT, policy.error().message};
  if (gave_up()) return given_up("before the build");
  // Signatures first: everything that can fail happens before anything
  // changes (all or nothing).
  SignatureRefusal why = SignatureRefusal::kPolicy;
  auto sigs = prepare_signatures(app_, *policy, &errors, &why);
  if (!sigs) {
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
    // A policy that is fine but cannot be taken now must not look
    // rejected: a controller retries UNAVAILABLE.
    const grpc::StatusCode code = why == SignatureRefusal::kRetry          ? grpc::StatusCode::UNAVAILABLE
                                  : why == SignatureRefusal::kNoInspection ? grpc::StatusCode::FAILED_PRECONDITION
                                                                           : grpc::StatusCode::INVALID_ARGUMENT;
    return {code, all};
  }
  if (gave_up()) return given_up("after the signatures");
  uint32_t generation;
  {
    std::lock_guard<std::mutex> lock(app_.control_mu);
    generation = app_.rules->current().generation() + 1;
  }
  // Off the packet cores: this gRPC thread builds the ACL contexts.
  auto rs = RuleSet::build(*policy, generation, socket_, gave_up);
  if (!rs) {
    if (is_cancelled(rs.error())) return given_up("during the rule set build");
    return {grpc::StatusCode::INVALID_ARGUMENT,
            fmt::format("policy: the rule set cannot be built: {}", rs.error().message)};
  }
  // The last point of return: from here on the policy is published.
  if (gave_up()) return given_up("after the rule set build");
  resp->set_build_seconds(seconds_since(build_start));
  const auto t1 = std::chrono::steady_clock::now();
  std::array<uint64_t, WorkerStats::kLoopBuckets> hist_before{};
  {
    std::lock_guard<std::mutex> lock(app_.control_mu);
    // Hits from here on belong to the new policy's rules.
    std::vector<uint64_t> base(policy->rules.size() + 1, 0);
    for (const auto& w : app_.workers) {
      const WorkerStats& s = w->stats();
      for (std::size_t r = 0; r < base.size() && r < s.rule_slots; ++r) base[r] += s.rule_hits[r].get();
    }
    app_.rule_hits_baseline = std::move(base);
    for (const auto& w : app_.workers) w->reset_max_loop();
    hist_before = loop_histogram(app_);
    app_.rules->publish(std::move(*rs));
    app_.policy = std::move(*policy);
    app_.applied_version.store(version);
  }
  // The swap is complete once every worker has passed a quiescent state:
  // then no packet is classified by the old rule set any more.
  const auto deadline = t1 + std::chrono::seconds(5);
  for (;;) {
    std::size_t waiting;
    {
      std::lock_guard<std::mutex> lock(app_.control_mu);
      waiting = app_.rules->reclaim();
    }
    if (waiting == 0 || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  resp->set_publish_seconds(seconds_since(t1));
  if (*sigs) {
    resp->set_signature_build_seconds((*sigs)->build_seconds);
    // false: a worker has not taken up its new engine within 5 s. The
    // policy is applied (rules in force, the engine offered); that worker
    // runs the new signatures from its next loop, and until then a new
    // signature update is refused as retryable.
    resp->set_signatures_pending(!publish_signatures(app_, std::move(**sigs), 5000));
  }
  {
    std::lock_guard<std::mutex> lock(app_.control_mu);
    resp->set_signatures(app_.matcher != nullptr ? static_cast<uint32_t>(app_.matcher->size()) : 0);
    resp->set_signature_generation(app_.sig_generation);
  }
  uint64_t max_cycles = 0;
  for (const auto& w : app_.workers) max_cycles = std::max(max_cycles, w->stats().max_loop_cycles.get());
  const double ns_per_cycle = 1e9 / static_cast<double>(rte_get_tsc_hz());
  resp->set_max_worker_loop_ns(static_cast<uint64_t>(static_cast<double>(max_cycles) * ns_per_cycle));
  const auto hist_after = loop_histogram(app_);
  uint64_t loops = 0;
  for (std::size_t b = 0; b < hist_after.size(); ++b) loops += hist_after[b] - hist_before[b];
  resp->set_worker_loops(loops);
  uint64_t seen = 0;
  for (std::size_t b = 0; b < hist_after.size() && loops > 0; ++b) {
    seen += hist_after[b] - hist_before[b];
    if (seen * 100 >= loops * 99) {
      resp->set_p99_worker_loop_ns(static_cast<uint64_t>(static_cast<double>(uint64_t{2} << b) * ns_per_cycle));
      break;
    }
  }
  resp->set_applied_version(version);
  resp->set_generation(generation);
  return grpc::Status::OK;
}

grpc::Status ApplianceService::UpdateIdentities(grpc::ServerContext*, const v1::UpdateIdentitiesRequest* req,
                                                v1::UpdateIdentitiesResponse* resp) {
  if (auto e = api::bindings_error("upsert", req->upsert_size()); !e.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, e};
  }
  for (int i = 0; i < req->upsert_size(); ++i) {
    const auto& b = req->upsert(i);
    const std::string at = fmt::format("upsert[{}]", i);
    if (auto e = api::binding_error(at, at + ".identity", b.ip(), b.identity().workload(), b.identity().labels());
        !e.empty()) {
      return {grpc::StatusCode::INVALID_ARGUMENT, e};
    }
  }
  if (auto e = api::removals_error("remove", req->remove()); !e.empty()) return {grpc::StatusCode::INVALID_ARGUMENT, e};
  std::lock_guard<std::mutex> lock(app_.identities_mu);
  for (const auto& ip : req->remove()) app_.identities.erase(ip);
  for (const auto& b : req->upsert()) app_.identities[b.ip()] = b.identity().workload();
  resp->set_bindings(app_.identities.size());
  return grpc::Status::OK;
}

grpc::Status ApplianceService::GetCounters(grpc::ServerContext*, const v1::GetCountersRequest*,
                                           v1::GetCountersResponse* resp) {
  std::vector<std::pair<std::string, uint64_t>> flat;
  {
    std::lock_guard<std::mutex> lock(app_.control_mu);
    flatten(build_summary(app_), "", &flat);
  }
  std::sort(flat.begin(), flat.end());
  for (const auto& [name, value] : flat) {
    auto* c = resp->add_counters();
    c->set_name(name);
    c->set_value(value);
  }
  resp->set_applied_version(app_.applied_version.load());
  return grpc::Status::OK;
}

grpc::Status ApplianceService::StreamEvents(grpc::ServerContext* ctx, const v1::StreamEventsRequest* req,
                                            grpc::ServerWriter<v1::Event>* out) {
  EventFilter f;
  const std::string bad =
      api::event_filter_error(req->types(), v1::EVENT_TYPE_ANOMALY, req->src_ip(), req->dst_ip(), req->dst_port());
  if (!bad.empty()) return {grpc::StatusCode::INVALID_ARGUMENT, bad};
  for (int t : req->types()) {
    if (t == v1::EVENT_TYPE_ALERT) f.kinds |= 1u << static_cast<unsigned>(EveKind::kAlert);
    if (t == v1::EVENT_TYPE_DROP) f.kinds |= 1u << static_cast<unsigned>(EveKind::kDrop);
    if (t == v1::EVENT_TYPE_FLOW) f.kinds |= 1u << static_cast<unsigned>(EveKind::kFlow);
    if (t == v1::EVENT_TYPE_ANOMALY) f.kinds |= 1u << static_cast<unsigned>(EveKind::kAnomaly);
  }
  f.src_ip = req->src_ip();
  f.dst_ip = req->dst_ip();
  f.dst_port = static_cast<uint16_t>(req->dst_port());
  auto sub = app_.hub->subscribe(std::move(f), 4096);
  if (!sub) return {grpc::StatusCode::RESOURCE_EXHAUSTED, "too many event streams open; try again later"};
  HubEvent e;
  while (!ctx->IsCancelled() && !app_.stopping.load()) {
    if (!sub->next(&e, std::chrono::milliseconds(200))) continue;
    v1::Event ev;
    static constexpr v1::EventType kTypes[] = {v1::EVENT_TYPE_ALERT, v1::EVENT_TYPE_DROP, v1::EVENT_TYPE_FLOW,
                                               v1::EVENT_TYPE_ANOMALY};
    ev.set_type(kTypes[static_cast<unsigned>(e.kind)]);
    ev.set_timestamp_ns(e.timestamp_ns);
    ev.set_eve_json(std::move(e.line));
    ev.set_lost_before(e.lost_before);
    if (!out->Write(ev)) break;
  }
  app_.hub->unsubscribe(sub);
  return grpc::Status::OK;
}

grpc::Status ApplianceService::GetStatus(grpc::ServerContext*, const v1::GetStatusRequest*,
                                         v1::GetStatusResponse* resp) {
  resp->set_health(app_.stopping.load() ? v1::HEALTH_STOPPING : v1::HEALTH_SERVING);
  resp->set_appliance_id(app_.appliance_id);
  resp->set_boot_id(app_.boot_id);
  resp->set_software_version(RAMPART_VERSION);
  resp->set_applied_version(app_.applied_version.load());
  resp->set_applying_version(app_.applying_version.load());
  {
    std::lock_guard<std::mutex> lock(app_.control_mu);
    resp->set_generation(app_.rules->current().generation());
    resp->set_policy_origin(app_.policy.origin);
    resp->set_signatures(app_.matcher != nullptr ? static_cast<uint32_t>(app_.matcher->size()) : 0);
    resp->set_signature_generation(app_.sig_generation);
    resp->set_l7_inspection(app_.matcher != nullptr);
  }
  resp->set_workers(static_cast<uint32_t>(app_.workers.size()));
  resp->set_uptime_seconds(static_cast<uint64_t>(seconds_since(app_.started)));
  return grpc::Status::OK;
}

}  // namespace rampart::dp
