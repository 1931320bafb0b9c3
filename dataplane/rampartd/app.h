#pragma once
// App: everything rampartd owns while it runs. Built and torn down by
// main.cc on the main lcore; workers see only their own Worker.

#include <rte_mempool.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/policy/compiled_policy.h"
#include "dataplane/agent/event_hub.h"
#include "dataplane/agent/eve_writer.h"
#include "dataplane/port/port.h"
#include "dataplane/rampartd/capture_file.h"
#include "dataplane/rampartd/options.h"
#include "dataplane/ruleset/rule_set_rcu.h"
#include "dataplane/l7/match/signature_matcher.h"
#include "dataplane/worker/worker.h"

namespace rampart::dp {

// Rules a policy may have (per-rule hit counters are allocated for this
// many at start, so a policy applied later never outgrows them).
inline constexpr std::size_t kMaxPolicyRules = 131072;

struct App {
  Options opts;
  policy::CompiledPolicy policy;
  std::vector<PortInfo> ports;
  std::vector<std::string> port_names;
  rte_mempool* pool = nullptr;
  std::unique_ptr<RuleSetRcu> rules;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<unsigned> worker_lcores;  // one per worker; empty: the one worker runs on the main lcore
  std::unique_ptr<EveWriter> eve;
  // L7 inspection (--rules or --l7): the running signatures; the previous
  // set until every worker has moved on (signature_update.h).
  std::unique_ptr<SignatureMatcher> matcher;
  std::unique_ptr<SignatureMatcher> previous_matcher;
  std::vector<policy::Signature> startup_signatures;  // --rules, --rules-drop: kept in every later matcher
  uint32_t sig_generation = 0;           // 0: the startup set
  std::optional<std::string> sig_texts;  // signature_set_texts() of the running policy's sets; nullopt: none yet
  std::function<void()> drain;           // writes the workers' queued events (caller holds control_mu)
  std::chrono::steady_clock::time_point started;
  double run_seconds = 0;  // the packet loop, start to stop (offline: to end of file)
  std::optional<CaptureScan> capture;  // offline mode: what the capture holds
  bool interrupted = false;            // stopped by a signal
  bool ipv4_checksums = true;          // --checksum-validation, resolved
  bool l4_checksums = true;

  // Control plane (the gRPC appliance API, appliance_service.*).
  // control_mu serialises the control side of RuleSetRcu (publish,
  // reclaim) with everything off the packet path that reads the current
  // RuleSet or `policy` (EVE writing, summaries, counters).
  std::mutex control_mu;
  std::timed_mutex apply_mu;  // one ApplyPolicy at a time (timed: a waiting caller may give up)
  std::atomic<uint64_t> applied_version{0};  // 0: the startup policy
  std::atomic<uint64_t> applying_version{0};  // the apply holding apply_mu (0: none)
  std::vector<uint64_t> rule_hits_baseline;  // per rule position, summed over workers, at the last apply
  std::unique_ptr<EventHub> hub;
  std::string appliance_id;
  std::string boot_id;
  std::mutex identities_mu;
  std::map<std::string, std::string> identities;  // IP -> workload
  std::atomic<bool> stopping{false};
};

}  // namespace rampart::dp
