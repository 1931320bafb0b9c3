#pragma once
// App: everything rampartd owns while it runs. Built and torn down by
// main.cc on the main lcore; workers see only their own Worker.

#include <rte_mempool.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "controlplane/compiler/compiled_policy.h"
#include "dataplane/events/eve_writer.h"
#include "dataplane/port/port.h"
#include "dataplane/rampartd/options.h"
#include "dataplane/ruleset/rule_set_rcu.h"
#include "dataplane/l7/match/signature_matcher.h"
#include "dataplane/worker/worker.h"

namespace rampart::dp {

struct App {
  Options opts;
  cp::CompiledPolicy policy;
  std::vector<PortInfo> ports;
  std::vector<std::string> port_names;
  rte_mempool* pool = nullptr;
  std::unique_ptr<RuleSetRcu> rules;
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<EveWriter> eve;
  std::unique_ptr<SignatureMatcher> matcher;  // L7 inspection, when --rules was given
  std::chrono::steady_clock::time_point started;
  double run_seconds = 0;  // the packet loop, start to stop (offline: to end of file)
};

}  // namespace rampart::dp
