#pragma once
// The JSON summary (printed at exit, served as /rampart/stats over DPDK
// telemetry): totals, drops by reason, rule hits, per-port and per-worker
// counters. Cold path: reads worker counters without stopping them.

#include <rte_telemetry.h>

#include <nlohmann/json.hpp>

#include "dataplane/rampartd/app.h"

namespace rampart::dp {

nlohmann::ordered_json build_summary(const App& app);
void fill_telemetry(const App& app, rte_tel_data* d);

}  // namespace rampart::dp
