// rampartd: the Rampart dataplane daemon. Reads its command line and its
// policy, then either checks them (--validate: validate_mode.h) or runs:
// offline input prepared (offline_input.h), startup signatures compiled
// (startup_signatures.h), the DPDK side started (dataplane_setup.h), the
// appliance API served (appliance_service.h), the packet loop and the agent
// (packet_loop.h, agent.h), the summary, and everything stopped. See
// docs/rampartd.md for the command line and docs/design/ for the parts.

#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "controlplane/api/grpc_transport.h"
#include "controlplane/compiler/policy_compiler.h"
#include "dataplane/rampartd/agent.h"
#include "dataplane/rampartd/app.h"
#include "dataplane/rampartd/appliance_service.h"
#include "dataplane/rampartd/dataplane_setup.h"
#include "dataplane/rampartd/exit_status.h"
#include "dataplane/rampartd/offline_input.h"
#include "dataplane/rampartd/options.h"
#include "dataplane/rampartd/packet_loop.h"
#include "dataplane/rampartd/policy_signatures.h"
#include "dataplane/rampartd/startup_signatures.h"
#include "dataplane/rampartd/stop_signal.h"
#include "dataplane/rampartd/summary.h"
#include "dataplane/rampartd/validate_mode.h"

namespace rampart::dp {
namespace {

// Writes all of `text` to stdout; false (with a message on stderr) if it
// could not, e.g. a reader that closed the pipe.
bool write_stdout(const std::string& text) {
  const bool ok = std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0;
  if (!ok) fmt::print(stderr, "rampartd: cannot write to stdout: {}\n", std::strerror(errno));
  return ok;
}

// --policy FILE compiled, or the embedded allow-and-record default.
bool load_policy(App& app) {
  if (app.opts.policy_file.empty()) {
    app.policy = policy::embedded_default_policy();
    return true;
  }
  std::vector<std::string> errors;
  auto p = cp::compile_policy_file(app.opts.policy_file, &errors);
  if (!p) {
    for (const auto& e : errors) fmt::print(stderr, "{}\n", e);
    fmt::print(stderr, "rampartd: policy rejected: {}\n", p.error().message);
    return false;
  }
  app.policy = std::move(*p);
  return true;
}

// Startup signatures, parsed and compiled before the EAL starts (cold, may
// take seconds; compiled databases are cached on disk), into app.matcher.
bool load_signatures(App& app) {
  const Options& o = app.opts;
  if (o.rules.empty() && o.rules_drop.empty() && !o.l7 && app.policy.signature_sets.empty()) return true;
  StartupSignatures s = load_startup_signatures(o, app.policy);
  if (!s.parse_ok()) {
    for (const auto& e : s.files.errors) fmt::print(stderr, "{}\n", e);
    for (const auto& e : s.set_problems) fmt::print(stderr, "{}\n", e);
    if (!s.files.errors.empty()) {
      fmt::print(stderr, "rampartd: signatures rejected: {} errors\n", s.files.errors.size());
    } else if (!s.set_problems.empty()) {
      fmt::print(stderr, "rampartd: policy rejected: its signature sets have {} problems\n", s.set_problems.size());
    }
    return false;
  }
  // Kept: every later matcher (a policy's sets through the API) holds them too.
  app.startup_signatures = s.files.signatures;
  if (app.policy.has_signature_sets) app.sig_texts = signature_set_texts(app.policy);
  const std::size_t unsupported = s.files.unsupported.size();
  auto compiled = compile_startup_signatures(s, app.policy, o.hs_cache_dir);
  if (!compiled) {
    fmt::print(stderr, "rampartd: {}\n", compiled.error().message);
    return false;
  }
  if (!compiled->set_problems.empty()) {
    for (const auto& e : compiled->set_problems) fmt::print(stderr, "{}\n", e);
    fmt::print(stderr, "rampartd: policy rejected: {} signatures of its sets are unsupported\n",
               compiled->set_problems.size());
    return false;
  }
  fmt::print(stderr, "rampartd: signatures: {} loaded, {} unsupported (see --validate --rules)\n",
             compiled->compiled.signatures.size(), unsupported + compiled->compiled.unsupported.size());
  auto matcher = SignatureMatcher::build(std::move(compiled->compiled));
  if (!matcher) {
    fmt::print(stderr, "rampartd: {}\n", matcher.error().message);
    return false;
  }
  app.matcher = std::move(*matcher);
  return true;
}

// The appliance API on its unix socket and/or TCP with TLS; nullopt when
// the options ask for neither, an error when it cannot listen.
Result<std::optional<api::RunningServer>> serve_api(const Options& o, ApplianceService& service) {
  if (o.grpc_socket.empty() && o.grpc_listen.empty()) return std::optional<api::RunningServer>{};
  api::ServerListen listen;
  listen.unix_socket = o.grpc_socket;
  listen.tcp = o.grpc_listen;
  listen.tls = api::TlsFiles{o.grpc_tls_cert, o.grpc_tls_key, o.grpc_tls_client_ca};
  auto srv = api::start_server(listen, {&service});
  if (!srv) return Error{fmt::format("appliance API: {}", srv.error().message)};
  fmt::print(stderr, "rampartd: appliance API on {}{}{}\n", o.grpc_socket.empty() ? "" : "unix:" + o.grpc_socket,
             !o.grpc_socket.empty() && !o.grpc_listen.empty() ? " and " : "",
             o.grpc_listen.empty() ? ""
                                   : fmt::format("{} (TLS{}, port {})", o.grpc_listen,
                                                 o.grpc_tls_client_ca.empty() ? "" : ", client certificates required",
                                                 srv->tcp_port));
  return std::optional<api::RunningServer>{std::move(*srv)};
}

// Everything after the policy is loaded, for a live or an offline run.
int run_daemon(App& app, const CommandLine& cl, const char* argv0) {
  const Options& o = app.opts;
  const bool offline = !o.pcap_in.empty();
  TempDir temp;
  if (offline) {
    // The capture is read before anything slow (signature compile).
    if (auto ok = prepare_offline_input(app, temp, argv0); !ok) {
      fmt::print(stderr, "rampartd: {}\n", ok.error().message);
      return kExitError;
    }
  } else {
    settle_live_checksums(app);
  }
  if (!load_signatures(app)) return kExitError;
  if (stop_requested()) {
    fmt::print(stderr, "rampartd: stopped by signal {} before the packet loop\n", stop_signal());
    return kExitIncomplete;
  }
  auto started = start_dataplane(app, offline ? offline_eal_args(argv0, o, app.capture->eal_path) : cl.eal_args);
  if (!started) {
    fmt::print(stderr, "rampartd: {}\n", started.error().message);
    shutdown_dataplane(app);
    return kExitError;
  }
  app.started = std::chrono::steady_clock::now();
  app.appliance_id = o.appliance_id;
  if (app.appliance_id.empty()) {
    char host[256] = {};
    app.appliance_id = gethostname(host, sizeof(host) - 1) == 0 ? host : "rampartd";
  }
  app.drain = [&app] { drain_events(app); };
  int status = kExitOk;
  {
    Agent agent(app);
    ApplianceService appliance_service(app, static_cast<int>(rte_socket_id()));
    auto server = serve_api(o, appliance_service);
    if (!server) {
      fmt::print(stderr, "rampartd: {}\n", server.error().message);
      status = kExitError;
    } else {
      fmt::print(stderr, "rampartd: {} port{}, {} worker{}, policy {} ({} rules), {}\n", app.ports.size(),
                 app.ports.size() == 1 ? "" : "s", app.workers.size(), app.workers.size() == 1 ? "" : "s",
                 app.policy.origin, app.policy.rules.size(), offline ? "offline" : "forwarding");
      run_packet_loop(app, agent, [&app, &server] {
        app.stopping.store(true);
        app.hub->close_all();
        if (*server && (*server)->server) {
          (*server)->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
          (*server)->server.reset();
        }
      });
      app.run_seconds = agent.elapsed();
      app.interrupted = stop_requested() && stop_signal() != 0;
      for (auto& w : app.workers) w->finish();
      drain_events(app);
      if (offline || o.summary) {
        const auto summary = build_summary(app);
        if (offline && !summary.value("complete", true)) status = kExitIncomplete;
        if (!write_stdout(summary.dump(offline ? -1 : 2) + "\n")) status = kExitError;
      }
    }
  }
  shutdown_dataplane(app);
  if (app.interrupted) fmt::print(stderr, "rampartd: stopped by signal {}\n", stop_signal());
  return status;
}

int run(int argc, char** argv) {
  auto cl = parse_command_line(argc, argv);
  if (!cl) {
    fmt::print(stderr, "rampartd: {}\n", cl.error().message);
    return kExitUsage;
  }
  install_stop_handlers();
  if (cl->help) {
    fmt::print("{}", usage());
    return kExitOk;
  }
  App app;
  app.opts = cl->opts;
  if (!load_policy(app)) return kExitError;
  if (app.opts.validate_only) return run_validate(app.opts, app.policy);
  return run_daemon(app, *cl, argv[0]);
}

}  // namespace
}  // namespace rampart::dp

int main(int argc, char** argv) { return rampart::dp::run(argc, argv); }
