#include "dataplane/rampartd/agent.h"

#include <rte_ring.h>
#include <rte_telemetry.h>

#include <mutex>

#include <fmt/format.h>

#include "dataplane/rampartd/signature_update.h"
#include "dataplane/rampartd/summary.h"

namespace rampart::dp {
namespace {

constexpr uint32_t kEventDrainBatch = 256;

// The telemetry callback runs on DPDK's telemetry thread, which outlives
// the App: the mutex keeps teardown from pulling the App from under it.
std::mutex g_app_mutex;
App* g_app = nullptr;  // guarded by g_app_mutex
bool g_registered = false;  // guarded by g_app_mutex

int telemetry_stats(const char*, const char*, rte_tel_data* d) {
  std::lock_guard<std::mutex> lock(g_app_mutex);
  if (g_app == nullptr) return -1;
  std::lock_guard<std::mutex> control(g_app->control_mu);
  fill_telemetry(*g_app, d);
  return 0;
}

void print_stats_line(const App& app, double t) {
  const auto s = build_summary(app);
  uint64_t active = 0;
  for (const auto& w : app.workers) active += w->active_flows();
  fmt::print(stderr, "{{\"t\":{:.3f},\"packets_in\":{},\"packets_out\":{},\"dropped\":{},\"active_flows\":{}}}\n", t,
             s["packets_in"].get<uint64_t>(), s["packets_out"].get<uint64_t>(), s["dropped"].get<uint64_t>(), active);
}

}  // namespace

Agent::Agent(App& app) : app_(app), next_stats_(app.opts.stats_interval > 0 ? app.opts.stats_interval : -1) {
  std::lock_guard<std::mutex> lock(g_app_mutex);
  g_app = &app;
  if (!g_registered) {
    rte_telemetry_register_cmd("/rampart/stats", telemetry_stats,
                               "Rampart counters: packets in/out, drops by reason, flows. No parameters.");
    g_registered = true;
  }
}

Agent::~Agent() {
  std::lock_guard<std::mutex> lock(g_app_mutex);
  g_app = nullptr;
}

double Agent::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - app_.started).count();
}

bool Agent::tick() {
  std::unique_lock<std::mutex> control(app_.control_mu);
  drain_events(app_);
  app_.rules->reclaim();
  if (app_.capture) return true;  // offline: the capture's end stops the run
  const double t = elapsed();
  if (next_stats_ > 0 && t >= next_stats_) {
    print_stats_line(app_, t);
    next_stats_ += app_.opts.stats_interval;
  }
  return !(app_.opts.duration > 0 && t >= app_.opts.duration);
}

void drain_events(App& app) {
  EventRecord batch[kEventDrainBatch];
  for (auto& w : app.workers) {
    if (w->l7() != nullptr) {
      AlertRecord a;
      while (rte_ring_sc_dequeue_elem(w->l7()->alerts(), &a, sizeof(a)) == 0) {
        // An alert names its signature by index into the set it was
        // matched with (signature_update.h keeps that set until here).
        const SignatureMatcher* m = matcher_for_alert(app, a.sig_generation);
        if (app.eve && m != nullptr) app.eve->write_alert(a, *m);
      }
    }
    unsigned n;
    while ((n = rte_ring_sc_dequeue_burst_elem(w->events(), batch, sizeof(EventRecord), kEventDrainBatch, nullptr)) >
           0) {
      if (app.eve) {
        for (unsigned i = 0; i < n; ++i) app.eve->write(batch[i], app.rules->current());
      }
    }
  }
  if (app.eve) app.eve->flush();
}

void drain_on_ring_full(void* ctx) {
  App& app = *static_cast<App*>(ctx);
  std::lock_guard<std::mutex> control(app.control_mu);
  drain_events(app);
}

}  // namespace rampart::dp
