#include "dataplane/rampartd/signature_update.h"

#include <chrono>
#include <functional>
#include <thread>

#include <fmt/format.h>

#include "controlplane/compiler/signature_compiler.h"
#include "dataplane/rampartd/policy_signatures.h"

namespace rampart::dp {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Result<std::optional<PreparedSignatures>> prepare_signatures(const App& app, const policy::CompiledPolicy& policy,
                                                             std::vector<std::string>* errors,
                                                             SignatureRefusal* why) {
  *why = SignatureRefusal::kPolicy;
  if (!policy.has_signature_sets) return std::optional<PreparedSignatures>{};
  const auto t0 = std::chrono::steady_clock::now();
  if (app.matcher == nullptr) {
    if (policy.signature_sets.empty()) return std::optional<PreparedSignatures>{};
    *why = SignatureRefusal::kNoInspection;
    errors->push_back(
        "policy.signatures: this appliance does not inspect L7 (rampartd was started without --rules or --l7), "
        "so it cannot run signature sets");
    return Error{errors->back()};
  }
  // The full texts are compared, not a hash: an equal digest with a
  // different text must never keep the old signatures.
  std::string texts = signature_set_texts(policy);
  if (app.sig_texts && *app.sig_texts == texts) return std::optional<PreparedSignatures>{};
  for (const auto& w : app.workers) {
    if (w->l7()->generation() != app.sig_generation) {
      *why = SignatureRefusal::kRetry;
      errors->push_back("policy.signatures: a worker has not taken up the previous signature update yet; retry");
      return Error{errors->back()};
    }
  }

  std::vector<policy::Signature> policy_sigs;
  if (!parse_policy_signature_sets(policy, app.startup_signatures, true, &policy_sigs, errors)) {
    return Error{"problems in the signature sets"};
  }
  // The appliance runs its startup signatures and the policy's together.
  std::vector<policy::Signature> all = app.startup_signatures;
  all.insert(all.end(), policy_sigs.begin(), policy_sigs.end());
  cp::SignatureCompileOptions copt;
  copt.cache_dir = app.opts.hs_cache_dir;
  // This gRPC thread shares the main lcore's CPU with the agent (EAL
  // affinity): more compile threads would only crowd it.
  copt.threads = 1;
  auto compiled = cp::compile_signatures(std::move(all), copt);
  if (!compiled) {
    *why = SignatureRefusal::kRetry;  // not the text's fault (a resource or cache problem)
    errors->push_back(fmt::format("policy.signatures: {}", compiled.error().message));
    return Error{errors->back()};
  }
  const std::size_t before = errors->size();
  for (const auto& u : policy_compile_problems(compiled->unsupported, policy_sigs)) {
    errors->push_back(fmt::format("policy.signatures: {}", u));
  }
  if (errors->size() != before) return Error{fmt::format("{} unsupported signatures", errors->size() - before)};
  auto matcher = SignatureMatcher::build(std::move(*compiled));
  if (!matcher) {
    *why = SignatureRefusal::kRetry;
    errors->push_back(fmt::format("policy.signatures: {}", matcher.error().message));
    return Error{errors->back()};
  }
  PreparedSignatures p;
  p.matcher = std::move(*matcher);
  p.generation = app.sig_generation + 1;
  p.digest = std::move(texts);
  for (const auto& w : app.workers) {
    auto e = w->l7()->prepare_engine(p.matcher.get(), p.generation);
    if (!e) {
      *why = SignatureRefusal::kRetry;
      errors->push_back(fmt::format("policy.signatures: worker state: {}", e.error().message));
      return Error{errors->back()};
    }
    p.engines.push_back(std::move(*e));
  }
  p.build_seconds = seconds_since(t0);
  return std::optional<PreparedSignatures>{std::move(p)};
}

bool publish_signatures(App& app, PreparedSignatures prepared, uint32_t timeout_ms) {
  std::vector<std::unique_ptr<L7Engine>> retired;
  {
    std::lock_guard<std::mutex> lock(app.control_mu);
    // A previous update whose workers never all adopted: its engines are
    // still offered or in use; retire what came back and keep waiting.
    for (auto& w : app.workers) {
      if (auto r = w->l7()->take_retired()) retired.push_back(std::move(r));
    }
    // prepare_signatures() checked that every worker runs the current set;
    // alerts of the previous one may still be queued if the last update
    // timed out before its drain.
    if (app.drain) app.drain();
    retired.clear();
    app.previous_matcher.reset();
    app.previous_matcher = std::move(app.matcher);
    app.matcher = std::move(prepared.matcher);
    app.sig_generation = prepared.generation;
    app.sig_texts = std::move(prepared.digest);
    for (std::size_t i = 0; i < app.workers.size(); ++i) {
      // The offer slot is free: every worker adopted the previous offer.
      (void)app.workers[i]->l7()->offer(prepared.engines[i]);
    }
  }
  retired.clear();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    bool all = true;
    for (const auto& w : app.workers) all = all && w->l7()->generation() == prepared.generation;
    if (all) break;
    if (app.stopping.load() || std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  // Every worker runs the new set: alerts of the old one can only be in
  // the rings. Drain them (under control_mu, as the agent does), then the
  // old set has no user left.
  std::lock_guard<std::mutex> lock(app.control_mu);
  if (app.drain) app.drain();
  for (auto& w : app.workers) {
    if (auto r = w->l7()->take_retired()) retired.push_back(std::move(r));
  }
  retired.clear();
  app.previous_matcher.reset();
  return true;
}

const SignatureMatcher* matcher_for_alert(const App& app, uint8_t sig_generation) {
  if (sig_generation == static_cast<uint8_t>(app.sig_generation)) return app.matcher.get();
  return app.previous_matcher.get();
}

}  // namespace rampart::dp
