#pragma once
// The agent: rampartd's control side beside the workers, on the main lcore.
// It writes the workers' event and alert records (EVE file, API
// subscribers), reclaims rule sets the workers no longer use, prints the
// stats line when one is due and ends a --duration run; and it answers
// DPDK telemetry (/rampart/stats). One tick() serves both packet loops
// (packet_loop.h): the main lcore running the one worker between bursts,
// and the main lcore waiting while worker lcores run. Cold: control thread
// only (telemetry: DPDK's telemetry thread, under control_mu).

#include <chrono>

#include "dataplane/rampartd/app.h"

namespace rampart::dp {

class Agent {
 public:
  explicit Agent(App& app);
  ~Agent();  // telemetry no longer reaches this App
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Events written, retired rule sets reclaimed; live, the stats line when
  // due. False once --duration has passed (live).
  bool tick();
  double elapsed() const;

 private:
  App& app_;
  double next_stats_;
};

// Writes every record queued in the workers' rings. Caller holds
// app.control_mu.
void drain_events(App& app);

// Offline mode's RingFullHook (dataplane/events/event_ring.h): the inline
// worker found a ring full; the writer empties every ring on this same
// thread before the worker goes on. `ctx` is the App.
void drain_on_ring_full(void* ctx);

}  // namespace rampart::dp
