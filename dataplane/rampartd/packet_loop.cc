#include "dataplane/rampartd/packet_loop.h"

#include <rte_launch.h>
#include <rte_lcore.h>

#include <thread>

#include "dataplane/rampartd/stop_signal.h"

namespace rampart::dp {
namespace {

// Polls in a row with nothing received before offline mode calls the
// capture finished. net_pcap returns nothing only at end of file; the margin
// guards against a PMD that returns an empty burst now and then.
constexpr int kOfflineEofIdlePolls = 1000;
constexpr auto kAgentInterval = std::chrono::milliseconds(10);

int worker_main(void* arg) {
  static_cast<Worker*>(arg)->run(stop_flag());
  return 0;
}

// The one worker on the main lcore, the agent between its bursts.
void run_inline(App& app, Agent& agent, const std::function<void()>& before_stop) {
  Worker& w = *app.workers[0];
  const bool offline = app.capture.has_value();
  app.rules->worker_online(0);
  int idle = 0;
  uint64_t polls = 0;
  while (!stop_requested()) {
    const uint32_t n = w.poll_once();
    if (offline) {
      idle = n == 0 ? idle + 1 : 0;
      if (idle >= kOfflineEofIdlePolls) break;
    }
    if (((++polls & 1023) == 0 || n == 0) && !agent.tick()) break;
  }
  before_stop();
  app.rules->worker_offline(0);
}

// Workers on their lcores; the main lcore is the agent.
void run_on_lcores(App& app, Agent& agent, const std::function<void()>& before_stop) {
  for (std::size_t i = 0; i < app.workers.size(); ++i) {
    rte_eal_remote_launch(worker_main, app.workers[i].get(), app.worker_lcores[i]);
  }
  while (!stop_requested()) {
    std::this_thread::sleep_for(kAgentInterval);
    if (!agent.tick()) break;
  }
  before_stop();
  request_stop();
  rte_eal_mp_wait_lcore();
}

}  // namespace

void run_packet_loop(App& app, Agent& agent, const std::function<void()>& before_stop) {
  if (app.worker_lcores.empty()) {
    run_inline(app, agent, before_stop);
  } else {
    run_on_lcores(app, agent, before_stop);
  }
}

}  // namespace rampart::dp
