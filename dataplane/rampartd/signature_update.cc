#include "dataplane/rampartd/signature_update.h"

#include <chrono>
#include <functional>
#include <thread>

#include <fmt/format.h>

#include "controlplane/compiler/signature_compiler.h"
#include "controlplane/compiler/signature_parser.h"

namespace rampart::dp {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Result<std::optional<PreparedSignatures>> prepare_signatures(const App& app, const cp::CompiledPolicy& policy,
                                                             std::vector<std::string>* errors) {
  if (!policy.has_signature_sets) return std::optional<PreparedSignatures>{};
  const auto t0 = std::chrono::steady_clock::now();
  if (app.matcher == nullptr) {
    if (policy.signature_sets.empty()) return std::optional<PreparedSignatures>{};
    errors->push_back(
        "policy.signatures: this appliance does not inspect L7 (rampartd was started without --rules or --l7), "
        "so it cannot run signature sets");
    return Error{errors->back()};
  }
  // The full texts are compared, not only a hash: an equal digest with a
  // different text must never keep the old signatures.
  std::string texts;
  for (const auto& s : policy.signature_sets) texts += fmt::format("{}:{}\n{}:{}\n", s.name.size(), s.name, s.text.size(), s.text);
  if (app.sig_texts && *app.sig_texts == texts) return std::optional<PreparedSignatures>{};
  for (const auto& w : app.workers) {
    if (w->l7()->generation() != app.sig_generation) {
      errors->push_back("policy.signatures: a worker has not taken up the previous signature update yet; retry");
      return Error{errors->back()};
    }
  }

  const std::size_t before = errors->size();
  cp::SignatureSet parsed;
  for (std::size_t i = 0; i < policy.signature_sets.size(); ++i) {
    const auto& set = policy.signature_sets[i];
    cp::SignatureSet one;
    cp::parse_signatures(set.text, set.name, cp::SignatureVars::defaults(), one);
    const std::string at = fmt::format("policy.signatures.sets[{}] ({})", i, set.name);
    for (const auto& e : one.errors) errors->push_back(fmt::format("{}: {}", at, e));
    // An unsupported rule would load as nothing: refused, never silently
    // weaker than the set as written.
    for (const auto& u : one.unsupported) errors->push_back(fmt::format("{}: {}", at, u));
    for (auto& sig : one.signatures) parsed.signatures.push_back(std::move(sig));
  }
  if (errors->size() != before) {
    return Error{fmt::format("{} problem{} in the signature sets", errors->size() - before,
                             errors->size() - before == 1 ? "" : "s")};
  }
  cp::SignatureCompileOptions copt;
  copt.cache_dir = app.opts.hs_cache_dir;
  auto compiled = cp::compile_signatures(std::move(parsed.signatures), copt);
  if (!compiled) {
    errors->push_back(fmt::format("policy.signatures: {}", compiled.error().message));
    return Error{errors->back()};
  }
  for (const auto& u : compiled->unsupported) errors->push_back(fmt::format("policy.signatures: {}", u));
  if (errors->size() != before) return Error{fmt::format("{} unsupported signatures", errors->size() - before)};
  auto matcher = SignatureMatcher::build(std::move(*compiled));
  if (!matcher) {
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
