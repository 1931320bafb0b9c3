#pragma once
// The packet loop: the workers run until a stop signal, the end of an
// offline capture or --duration, with the agent (agent.h) ticking beside
// them. With worker lcores, each Worker runs on its own lcore and the main
// lcore ticks the agent every 10 ms; with none (offline mode, or one
// lcore), the main lcore runs the one worker and ticks the agent every
// 1,024 polls and whenever a poll brings nothing. `before_stop` runs when
// the loop ends, before the workers stop (the API closes there, so an
// apply in flight completes while workers still pass quiescent states).
// Main lcore.

#include <functional>

#include "dataplane/rampartd/agent.h"
#include "dataplane/rampartd/app.h"

namespace rampart::dp {

void run_packet_loop(App& app, Agent& agent, const std::function<void()>& before_stop);

}  // namespace rampart::dp
