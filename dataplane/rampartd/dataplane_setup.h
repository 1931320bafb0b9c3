#pragma once
// Starting and stopping the DPDK side of rampartd: the EAL, the mbuf pool,
// the ports, the first rule set and its RCU, one Worker per worker lcore
// (or one on the main lcore), the EVE writer and the event hub. Whatever
// step fails, shutdown_dataplane() frees what was built and removes the
// EAL runtime directory. Cold, main lcore.

#include <string>
#include <vector>

#include "common/result.h"
#include "dataplane/rampartd/app.h"

namespace rampart::dp {

// Starts the EAL with `eal_args` (argv[0] first) and builds everything the
// packet loop needs into `app` (app.policy, app.matcher and the checksum
// settings must be set). On an error after the EAL started, the caller
// still calls shutdown_dataplane().
Result<Ok> start_dataplane(App& app, std::vector<std::string> eal_args);

// True once rte_eal_init() succeeded (shutdown_dataplane() has work to do).
bool eal_started();

// Every DPDK object freed while the EAL still exists, then the EAL and its
// runtime directory. Safe after a partial start_dataplane().
void shutdown_dataplane(App& app);

}  // namespace rampart::dp
