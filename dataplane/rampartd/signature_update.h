#pragma once
// Signature updates through the appliance API: a policy that carries
// signature sets replaces the signatures every worker runs, without a
// restart and without stopping a worker (docs/design/l7-inspection.md,
// "Replacing the signatures").
//
// prepare_signatures() does all the work that can fail, off the packet
// cores and before anything changes: parse every set (an error or an
// unsupported rule refuses the policy, naming the set and line), compile
// the Hyperscan databases (cached by content), build the matcher and one
// L7Engine per worker. publish_signatures() then offers each worker its
// engine; workers adopt it at the start of their next loop, never waiting.
// Once every worker has, the agent's next drain writes the alerts still
// queued for the old set, and the old engines and matcher are freed.
//
// Threads: the caller holds App::apply_mu (one apply at a time);
// control_mu is taken inside where App state is read or changed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/policy/compiled_policy.h"
#include "common/result.h"
#include "dataplane/l7/match/signature_matcher.h"
#include "dataplane/rampartd/app.h"
#include "dataplane/worker/l7_inspector.h"

namespace rampart::dp {

struct PreparedSignatures {
  std::unique_ptr<SignatureMatcher> matcher;
  std::vector<std::unique_ptr<L7Engine>> engines;  // one per worker, in App::workers order
  std::string digest;                               // of the sets' names and texts
  uint32_t generation = 0;
  double build_seconds = 0;
};

// Why prepare_signatures() refused: the policy's own fault, a set this
// appliance cannot run at all (no L7 inspector), or its state right now (a
// worker still adopting the previous update, memory): worth a retry.
enum class SignatureRefusal { kPolicy, kNoInspection, kRetry };

// nullopt: nothing to do (the policy does not carry signature sets, or
// carries exactly the running ones). The new matcher holds the startup
// signatures (--rules) and the policy's sets. Errors: one message per
// problem, "policy.signatures.sets[I] (NAME): NAME:LINE: ...", and *why.
Result<std::optional<PreparedSignatures>> prepare_signatures(const App& app, const policy::CompiledPolicy& policy,
                                                             std::vector<std::string>* errors,
                                                             SignatureRefusal* why);

// Offers the engines and waits (at most `timeout_ms`) until every worker
// runs them. Returns false when a worker did not adopt in time: it will at
// its next loop; the old set stays allocated until a later update frees it.
bool publish_signatures(App& app, PreparedSignatures prepared, uint32_t timeout_ms);

// The matcher an alert record refers to (the current or, until every
// worker has moved on and the queue is drained, the previous set).
const SignatureMatcher* matcher_for_alert(const App& app, uint8_t sig_generation);

}  // namespace rampart::dp
