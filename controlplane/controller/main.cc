// rampart-controller: holds the desired state (policy documents, workload
// inventory), serves the public API (proto/rampart/v1/controller.proto)
// and keeps every appliance given with --appliance in step with it.
// See docs/design/control-plane.md.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "controlplane/api/grpc_transport.h"
#include "controlplane/controller/desired_state.h"
#include "controlplane/controller/fleet.h"
#include "controlplane/controller/inventory.h"
#include "controlplane/controller/inventory_service.h"
#include "controlplane/controller/options.h"
#include "controlplane/controller/policy_service.h"
#include "controlplane/controller/telemetry_service.h"

using namespace rampart;             // NOLINT
using namespace rampart::controller;  // NOLINT

int main(int argc, char** argv) {
  auto opts = parse_options(argc, argv);
  if (!opts) {
    fmt::print(stderr, "rampart-controller: {}\n", opts.error().message);
    return 1;
  }
  if (opts->help) {
    fmt::print("{}", usage());
    return 0;
  }
  // Signals go to the thread that waits for them below, never to gRPC's
  // or the sync threads (they inherit this mask).
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  // The persisted inventory first: the first snapshot (what a link pushes,
  // what the API serves) is resolved against the workloads groups had
  // before the restart, never against none.
  Inventory inventory;
  auto had_inventory = inventory.load(opts->policy_dir);
  if (!had_inventory) {
    fmt::print(stderr, "rampart-controller: {}\n", had_inventory.error().message);
    return 1;
  }
  DesiredState::OpenOptions open_opts;
  open_opts.max_document_bytes = opts->max_document_bytes;
  open_opts.workloads_persisted = *had_inventory;
  open_opts.workloads = inventory.labeled_addresses(&open_opts.workloads_generation);
  std::vector<std::string> errors;
  auto state = DesiredState::open(opts->policy_dir, &errors, std::move(open_opts));
  if (!state) {
    for (const auto& e : errors) fmt::print(stderr, "{}\n", e);
    fmt::print(stderr, "rampart-controller: {}\n", state.error().message);
    return 1;
  }
  Fleet fleet;
  for (const auto& a : opts->appliances) {
    auto added = fleet.add(a, opts->appliance_tls, **state, inventory);
    if (!added) {
      fmt::print(stderr, "rampart-controller: {}\n", added.error().message);
      return 1;
    }
  }
  std::atomic<bool> stopping{false};
  PolicyService policy_svc(**state, fleet);
  FleetService fleet_svc(**state, fleet);
  InventoryService inventory_svc(inventory, **state, fleet);
  TelemetryService telemetry_svc(fleet, stopping);
  auto server = api::start_server(opts->listen, {&policy_svc, &fleet_svc, &inventory_svc, &telemetry_svc});
  if (!server) {
    fmt::print(stderr, "rampart-controller: {}\n", server.error().message);
    return 1;
  }
  fleet.start();
  fmt::print(stderr,
             "rampart-controller: policy version {} from {} ({} rules, {} workloads), {} appliance{}, listening on "
             "{}{}{}\n",
             (*state)->version(), opts->policy_dir, (*state)->snapshot()->policy.rules.size(), inventory.list().size(),
             opts->appliances.size(), opts->appliances.size() == 1 ? "" : "s",
             opts->listen.unix_socket.empty() ? "" : "unix:" + opts->listen.unix_socket,
             !opts->listen.unix_socket.empty() && !opts->listen.tcp.empty() ? " and " : "",
             opts->listen.tcp.empty() ? "" : fmt::format("{} (port {})", opts->listen.tcp, server->tcp_port));
  for (const auto& w : (*state)->snapshot()->warnings) fmt::print(stderr, "rampart-controller: {}\n", w);
  for (const auto& p : (*state)->startup_problems()) fmt::print(stderr, "rampart-controller: error: {}\n", p);
  int sig = 0;
  sigwait(&sigs, &sig);
  fmt::print(stderr, "rampart-controller: {}, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  stopping.store(true);
  server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  fleet.stop();
  if (!opts->listen.unix_socket.empty()) ::unlink(opts->listen.unix_socket.c_str());
  return 0;
}
