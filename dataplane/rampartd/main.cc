// rampartd: the Rampart dataplane daemon. Sets up the EAL, ports, policy
// and workers, runs them (live or over a capture file), and reports. See
// docs/rampartd.md for the command line and docs/design/ for the parts.

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_random.h>
#include <rte_telemetry.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "controlplane/api/grpc_transport.h"
#include "controlplane/compiler/policy_compiler.h"
#include "controlplane/compiler/signature_compiler.h"
#include "controlplane/compiler/signature_parser.h"
#include "controlplane/compiler/signature_set_check.h"
#include "dataplane/conntrack/flow_hash.h"
#include "dataplane/agent/eve_writer.h"
#include "dataplane/port/port.h"
#include "dataplane/rampartd/app.h"
#include "dataplane/rampartd/appliance_service.h"
#include "dataplane/rampartd/capture_file.h"
#include "dataplane/rampartd/options.h"
#include "dataplane/rampartd/policy_signatures.h"
#include "dataplane/rampartd/signature_update.h"
#include "dataplane/rampartd/summary.h"
#include "dataplane/ruleset/rule_set_rcu.h"
#include "dataplane/worker/worker.h"

namespace rampart::dp {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

void on_signal(int sig) {
  g_signal.store(sig);
  g_stop.store(true);
}

// SIGINT, SIGTERM and SIGHUP stop rampartd cleanly (summary, EAL runtime
// directory removed); SIGPIPE is ignored, so a closed stdout is a write
// error rampartd reports instead of a death that leaves files behind.
void install_signal_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
}

// Exit statuses (docs/rampartd.md).
constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitIncomplete = 3;  // offline: truncated capture or interrupted run

// Writes all of `text` to stdout; false (with a message on stderr) if it
// could not, e.g. a reader that closed the pipe.
bool write_stdout(const std::string& text) {
  const bool ok = std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0;
  if (!ok) fmt::print(stderr, "rampartd: cannot write to stdout: {}\n", std::strerror(errno));
  return ok;
}

// A directory of ours for an offline run's temporary files (the Ethernet
// copy of a capture of another link type), removed on every way out.
class TempDir {
 public:
  TempDir() = default;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  Result<std::string> create() {
    std::error_code ec;
    std::string tmpl = (std::filesystem::temp_directory_path(ec) / "rampart-offline-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      return Error{fmt::format("cannot create a temporary directory {}: {}", tmpl, std::strerror(errno))};
    }
    path_ = tmpl;
    return path_;
  }

 private:
  std::string path_;
};

// Polls in a row with nothing received before offline mode calls the
// capture finished. net_pcap returns nothing only at end of file; the margin
// guards against a PMD that returns an empty burst now and then.
constexpr int kOfflineEofIdlePolls = 1000;
constexpr uint32_t kEventDrainBatch = 256;

// The telemetry callback runs on DPDK's telemetry thread, which outlives
// the App: the mutex keeps teardown from pulling the App from under it.
std::mutex g_app_mutex;
App* g_app = nullptr;  // guarded by g_app_mutex

int telemetry_stats(const char*, const char*, rte_tel_data* d) {
  std::lock_guard<std::mutex> lock(g_app_mutex);
  if (g_app == nullptr) return -1;
  std::lock_guard<std::mutex> control(g_app->control_mu);
  fill_telemetry(*g_app, d);
  return 0;
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

// Offline mode's RingFullHook: the inline worker found a ring full; the
// writer empties every ring on this same thread before it goes on.
void drain_on_ring_full(void* ctx) {
  App& app = *static_cast<App*>(ctx);
  std::lock_guard<std::mutex> control(app.control_mu);
  drain_events(app);
}

void print_stats_line(const App& app, double t) {
  const auto s = build_summary(app);
  uint64_t active = 0;
  for (const auto& w : app.workers) active += w->active_flows();
  fmt::print(stderr, "{{\"t\":{:.3f},\"packets_in\":{},\"packets_out\":{},\"dropped\":{},\"active_flows\":{}}}\n", t,
             s["packets_in"].get<uint64_t>(), s["packets_out"].get<uint64_t>(), s["dropped"].get<uint64_t>(), active);
}

// The bundled signature set: where the build tree's source checkout has it,
// else beside the binary (<dir>/../rules/, <dir>/../share/rampart/rules/).
Result<std::string> bundled_rules_path(const char* argv0) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> tried{RAMPART_BUNDLED_RULES};
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  const fs::path dir = ec ? fs::path(argv0).parent_path() : exe.parent_path();
  tried.push_back(dir / ".." / "rules" / "rampart-web.rules");
  tried.push_back(dir / ".." / "share" / "rampart" / "rules" / "rampart-web.rules");
  std::string where;
  for (const auto& p : tried) {
    if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
    where += (where.empty() ? "" : ", ") + p.lexically_normal().string();
  }
  return Error{fmt::format("the bundled signature set is not at {}; pass --rules FILE_OR_DIR or --no-rules", where)};
}

std::vector<std::string> offline_eal_args(const char* argv0, const Options& o, const std::string& capture) {
  std::string vdev = fmt::format("net_pcap0,rx_pcap={}", capture);
  if (!o.pcap_out.empty()) vdev += fmt::format(",tx_pcap={}", o.pcap_out);
  return {argv0,
          "--no-huge",
          "-m",
          "512",
          "--no-pci",
          "-l",
          "0",
          "--file-prefix",
          fmt::format("rampart-offline-{}", getpid()),
          "--log-level",
          "lib.eal:warning",
          "--vdev",
          vdev};
}

// Everything after a successful rte_eal_init, on every path out (normal end
// or an error part-way through set-up): DPDK objects are freed while the EAL
// still exists, then the EAL and its runtime directory go.
void shutdown_dataplane(App& app) {
  {
    std::lock_guard<std::mutex> lock(g_app_mutex);
    g_app = nullptr;
  }
  for (uint16_t p = 0; p < app.ports.size(); ++p) {
    rte_eth_dev_stop(p);
    rte_eth_dev_close(p);
  }
  app.eve.reset();
  app.workers.clear();
  app.rules.reset();
  if (app.pool != nullptr) rte_mempool_free(app.pool);
  app.pool = nullptr;
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  // The EAL leaves its runtime directory (config, fbarrays, telemetry
  // socket) behind; the file prefix is ours alone, so remove it.
  std::error_code ec;
  std::filesystem::remove_all(runtime_dir, ec);
}

int worker_main(void* arg) {
  static_cast<Worker*>(arg)->run(g_stop);
  return 0;
}

int run(int argc, char** argv) {
  auto cl = parse_command_line(argc, argv);
  if (!cl) {
    fmt::print(stderr, "rampartd: {}\n", cl.error().message);
    return kExitUsage;
  }
  install_signal_handlers();
  if (cl->help) {
    fmt::print("{}", usage());
    return 0;
  }
  App app;
  app.opts = cl->opts;
  const Options& o = app.opts;

  std::vector<std::string> errors;
  if (o.policy_file.empty()) {
    app.policy = policy::embedded_default_policy();
  } else {
    auto p = cp::compile_policy_file(o.policy_file, &errors);
    if (!p) {
      for (const auto& e : errors) fmt::print(stderr, "{}\n", e);
      fmt::print(stderr, "rampartd: policy rejected: {}\n", p.error().message);
      return 1;
    }
    app.policy = std::move(*p);
  }
  if (o.validate_only) {
    fmt::print("{}: OK, {} rule{}, default {}\n", app.policy.origin, app.policy.rules.size(),
               app.policy.rules.size() == 1 ? "" : "s", policy::action_name(app.policy.default_action));
    if (o.rules.empty() && app.policy.signature_sets.empty()) return 0;
    cp::SignatureSet sigs;
    bool readable = true;
    for (const auto& r : o.rules) readable = cp::load_signatures(r, cp::SignatureVars::defaults(), sigs) && readable;
    for (const auto& e : sigs.errors) fmt::print("{}\n", e);
    for (const auto& u : sigs.unsupported) fmt::print("{}\n", u);
    // The policy file's signature sets: as strict as through the API.
    std::vector<policy::Signature> policy_sigs;
    std::vector<std::string> set_problems;
    const bool sets_ok = parse_policy_signature_sets(app.policy, sigs.signatures, false, &policy_sigs, &set_problems);
    for (const auto& e : set_problems) fmt::print("{}\n", e);
    if (!app.policy.signature_sets.empty()) {
      fmt::print("{}: {} signature set{}, {} signatures\n", app.policy.origin, app.policy.signature_sets.size(),
                 app.policy.signature_sets.size() == 1 ? "" : "s", policy_sigs.size());
    }
    const std::vector<policy::Signature> policy_sigs_seen = policy_sigs;
    for (auto& sig : policy_sigs) sigs.signatures.push_back(std::move(sig));
    fmt::print("signatures: {} rules, {} parsed, {} unsupported, {} errors\n", sigs.rule_lines,
               sigs.signatures.size(), sigs.unsupported.size(), sigs.errors.size());
    cp::SignatureCompileOptions copt;
    copt.cache_dir = o.hs_cache_dir;
    auto compiled = cp::compile_signatures(std::move(sigs.signatures), copt);
    if (!compiled) {
      fmt::print("signatures: Hyperscan compile failed: {}\n", compiled.error().message);
      return 1;
    }
    for (const auto& u : compiled->unsupported) fmt::print("{}\n", u);
    std::size_t patterns = 0, bytes = 0;
    for (const auto& db : compiled->databases) {
      patterns += db.patterns;
      bytes += db.serialized.size();
    }
    patterns += compiled->tcp_stream.patterns;
    bytes += compiled->tcp_stream.serialized.size();
    fmt::print("hyperscan: {} signatures compiled ({} patterns, {} of them raw TCP stream in streaming mode, "
               "{} KiB of databases), {} unsupported by Hyperscan, {:.1f} s{}\n",
               compiled->signatures.size(), patterns, compiled->tcp_stream.patterns, bytes / 1024,
               compiled->unsupported.size(), compiled->compile_seconds,
               compiled->cache_hits > 0 ? " (from cache)" : "");
    const auto set_compile_problems = policy_compile_problems(compiled->unsupported, policy_sigs_seen);
    return readable && sigs.errors.empty() && sets_ok && set_compile_problems.empty() ? 0 : 1;
  }

  // The capture file is read before anything slow (signature compile):
  // readable, its link type (copied as Ethernet if it is another), how many
  // packets, truncated or not, and its checksums for --checksum-validation
  // auto (capture_file.h).
  const bool offline = !o.pcap_in.empty();
  TempDir temp;
  if (offline) {
    for (const std::string* p : {&o.pcap_in, &o.pcap_out}) {
      if (p->find(',') != std::string::npos) {
        fmt::print(stderr, "rampartd: {}: a path with ',' cannot be passed to the net_pcap device; rename it\n", *p);
        return kExitError;
      }
    }
    auto dir = temp.create();
    if (!dir) {
      fmt::print(stderr, "rampartd: {}\n", dir.error().message);
      return kExitError;
    }
    auto scan = scan_capture(o.pcap_in, *dir);
    if (!scan) {
      fmt::print(stderr, "rampartd: {}\n", scan.error().message);
      return kExitError;
    }
    if (scan->truncated) {
      fmt::print(stderr, "rampartd: {}: warning: only the first {} packets can be read: {}\n", o.pcap_in,
                 scan->packets, scan->error);
    }
    if (scan->converted) {
      fmt::print(stderr, "rampartd: {}: link type {} read as Ethernet frames\n", o.pcap_in, scan->link_name);
    }
    app.capture = std::move(*scan);
    if (o.checksums == Options::Checksums::kAuto) {
      app.ipv4_checksums = !CaptureScan::offloaded(app.capture->ipv4_bad, app.capture->ipv4_sampled);
      app.l4_checksums = !CaptureScan::offloaded(app.capture->l4_bad, app.capture->l4_sampled);
    }
  }
  if (o.checksums != Options::Checksums::kAuto) {
    app.ipv4_checksums = o.checksums == Options::Checksums::kYes;
    app.l4_checksums = o.checksums == Options::Checksums::kYes;
  }
  // Offline mode inspects with the bundled signature set unless told
  // otherwise (--rules, --no-rules).
  if (!o.pcap_in.empty() && !o.validate_only && !o.no_rules && o.rules.empty() && o.rules_drop.empty()) {
    auto bundled = bundled_rules_path(argv[0]);
    if (!bundled) {
      fmt::print(stderr, "rampartd: {}\n", bundled.error().message);
      return 1;
    }
    fmt::print(stderr, "rampartd: offline mode with the bundled signature set {} (--no-rules for none)\n", *bundled);
    app.opts.rules.push_back(*bundled);
  }

  // Signatures: parsed and compiled before the EAL starts (cold, may take
  // seconds; compiled databases are cached on disk).
  if (!o.rules.empty() || !o.rules_drop.empty() || o.l7 || !app.policy.signature_sets.empty()) {
    cp::SignatureSet sigs;
    for (const auto& r : o.rules) {
      if (!cp::load_signatures(r, cp::SignatureVars::defaults(), sigs)) {
        for (const auto& e : sigs.errors) fmt::print(stderr, "{}\n", e);
        return 1;
      }
    }
    // --rules-drop: what suricata-update's drop.conf does, for whole files:
    // a set written to alert is enforced inline.
    for (const auto& r : o.rules_drop) {
      const std::size_t first = sigs.signatures.size();
      if (!cp::load_signatures(r, cp::SignatureVars::defaults(), sigs)) {
        for (const auto& e : sigs.errors) fmt::print(stderr, "{}\n", e);
        return 1;
      }
      for (std::size_t i = first; i < sigs.signatures.size(); ++i) {
        if (sigs.signatures[i].action == policy::SigAction::kAlert) sigs.signatures[i].action = policy::SigAction::kDrop;
      }
    }
    if (!sigs.errors.empty()) {
      for (const auto& e : sigs.errors) fmt::print(stderr, "{}\n", e);
      fmt::print(stderr, "rampartd: signatures rejected: {} errors\n", sigs.errors.size());
      return 1;
    }
    // Kept: every later matcher (a policy's sets through the API) holds
    // them too.
    app.startup_signatures = sigs.signatures;
    std::vector<policy::Signature> policy_sigs;
    std::vector<std::string> set_problems;
    if (!parse_policy_signature_sets(app.policy, app.startup_signatures, false, &policy_sigs, &set_problems)) {
      for (const auto& e : set_problems) fmt::print(stderr, "{}\n", e);
      fmt::print(stderr, "rampartd: policy rejected: its signature sets have {} problems\n", set_problems.size());
      return 1;
    }
    if (app.policy.has_signature_sets) app.sig_texts = signature_set_texts(app.policy);
    const std::vector<policy::Signature> policy_sigs_seen = policy_sigs;
    for (auto& sig : policy_sigs) sigs.signatures.push_back(std::move(sig));
    cp::SignatureCompileOptions copt;
    copt.cache_dir = o.hs_cache_dir;
    auto compiled = cp::compile_signatures(std::move(sigs.signatures), copt);
    if (!compiled) {
      fmt::print(stderr, "rampartd: {}\n", compiled.error().message);
      return 1;
    }
    if (const auto bad = policy_compile_problems(compiled->unsupported, policy_sigs_seen); !bad.empty()) {
      for (const auto& e : bad) fmt::print(stderr, "{}\n", cp::signature_set_message_at(app.policy, e, "unsupported"));
      fmt::print(stderr, "rampartd: policy rejected: {} signatures of its sets are unsupported\n", bad.size());
      return 1;
    }
    fmt::print(stderr, "rampartd: signatures: {} loaded, {} unsupported (see --validate --rules)\n",
               compiled->signatures.size(), sigs.unsupported.size() + compiled->unsupported.size());
    auto matcher = SignatureMatcher::build(std::move(*compiled));
    if (!matcher) {
      fmt::print(stderr, "rampartd: {}\n", matcher.error().message);
      return 1;
    }
    app.matcher = std::move(*matcher);
  }

  if (g_stop.load()) {
    fmt::print(stderr, "rampartd: stopped by signal {} before the packet loop\n", g_signal.load());
    return kExitIncomplete;
  }
  std::vector<std::string> eal = offline ? offline_eal_args(argv[0], o, app.capture->eal_path) : cl->eal_args;
  std::vector<char*> eal_argv;
  for (auto& s : eal) eal_argv.push_back(s.data());
  if (rte_eal_init(static_cast<int>(eal_argv.size()), eal_argv.data()) < 0) {
    fmt::print(stderr, "rampartd: EAL init failed: {}\n", rte_strerror(rte_errno));
    return 1;
  }
  // The EAL may have installed handlers of its own: ours again.
  install_signal_handlers();

  const uint16_t nb_ports = rte_eth_dev_count_avail();
  if (nb_ports == 0) {
    fmt::print(stderr, "rampartd: no ports: give PCI devices or --vdev (or --pcap FILE for offline mode)\n");
    shutdown_dataplane(app);
    return 1;
  }
  std::vector<unsigned> worker_lcores;
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) { worker_lcores.push_back(lcore); }
  const bool inline_worker = worker_lcores.empty();
  const uint16_t nb_workers = inline_worker ? 1 : static_cast<uint16_t>(worker_lcores.size());

  PortOptions po;
  po.queues = nb_workers;
  po.mtu = o.mtu;
  po.rx_timestamp = offline;
  uint32_t mbufs = o.mbufs;
  if (mbufs == 0) {
    const uint64_t per_worker_frag = o.frag_memcap / (RTE_MBUF_DEFAULT_BUF_SIZE) + 1;
    mbufs = static_cast<uint32_t>(uint64_t{nb_ports} * nb_workers * (po.rx_desc + po.tx_desc) +
                                  nb_workers * (per_worker_frag + 4 * Worker::kBurst + 512) + 4096);
  }
  app.pool = rte_pktmbuf_pool_create("rampart_mbufs", mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                     static_cast<int>(rte_socket_id()));
  if (app.pool == nullptr) {
    fmt::print(stderr, "rampartd: cannot create a pool of {} mbufs: {} (raise -m or lower --mbufs)\n", mbufs,
               rte_strerror(rte_errno));
    shutdown_dataplane(app);
    return 1;
  }
  for (uint16_t p = 0; p < nb_ports; ++p) {
    auto info = setup_port(p, po, app.pool);
    if (!info) {
      fmt::print(stderr, "rampartd: {}\n", info.error().message);
      shutdown_dataplane(app);
      return 1;
    }
    app.port_names.push_back(info->name);
    app.ports.push_back(*info);
  }

  auto rs = RuleSet::build(app.policy, 1, static_cast<int>(rte_socket_id()));
  if (!rs) {
    fmt::print(stderr, "rampartd: {}\n", rs.error().message);
    shutdown_dataplane(app);
    return 1;
  }
  auto rcu = RuleSetRcu::create(nb_workers, std::move(*rs));
  if (!rcu) {
    fmt::print(stderr, "rampartd: {}\n", rcu.error().message);
    shutdown_dataplane(app);
    return 1;
  }
  app.rules = std::move(*rcu);

  flow_hash_init(rte_rand);
  WorkerConfig wc;
  wc.flow_capacity = o.flows;
  wc.flow_table_full_bypass = o.flow_table_full_bypass;
  wc.tcp_midstream_allow = o.tcp_midstream_allow;
  wc.parse.ipv4_checksum = app.ipv4_checksums;
  wc.parse.l4_checksum = app.l4_checksums;
  wc.l7.slots = o.l7_flows;
  wc.l7.evict_idle_ns = static_cast<uint64_t>(o.l7_evict_idle * 1e9);
  wc.l7_exhausted_bypass = o.l7_exhausted_bypass;
  wc.frag.memcap_bytes = o.frag_memcap;
  wc.frag.forward_on_memcap = o.frag_forward_on_memcap;
  wc.hash_seed = static_cast<uint32_t>(rte_rand());
  // Room for the largest policy the API accepts: counters never move.
  wc.rule_slots = static_cast<uint32_t>(std::max(app.policy.rules.size(), kMaxPolicyRules) + 1);
  wc.matcher = app.matcher.get();
  // An offline run is evidence: a full ring waits for the writer.
  if (offline) wc.ring_full = RingFullHook{drain_on_ring_full, &app};
  // net_pcap stamps every mbuf with its capture time whether or not the
  // offload was requested; use it whenever the dynamic field exists.
  if (offline) {
    wc.timestamp_offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
    const int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
    if (wc.timestamp_offset < 0 || bit < 0) {
      wc.timestamp_offset = -1;
    } else {
      wc.timestamp_flag = 1ull << bit;
    }
  }
  for (uint16_t w = 0; w < nb_workers; ++w) {
    std::vector<PortPair> pairs;
    for (uint16_t p = 0; p < nb_ports; ++p) {
      const uint16_t peer = (p ^ 1u) < nb_ports ? static_cast<uint16_t>(p ^ 1u) : p;
      pairs.push_back(PortPair{p, peer});
    }
    auto worker = Worker::create(w, w, std::move(pairs), wc, app.pool, app.rules.get(),
                                 static_cast<int>(rte_socket_id()));
    if (!worker) {
      fmt::print(stderr, "rampartd: worker {}: {}\n", w, worker.error().message);
      shutdown_dataplane(app);
      return 1;
    }
    app.workers.push_back(std::move(*worker));
  }
  const bool api = !o.grpc_socket.empty() || !o.grpc_listen.empty();
  app.hub = std::make_unique<EventHub>(16);
  if (!o.eve_file.empty() || api) {
    auto eve = EveWriter::open(o.eve_file, app.port_names);
    if (!eve) {
      fmt::print(stderr, "rampartd: {}\n", eve.error().message);
      shutdown_dataplane(app);
      return 1;
    }
    app.eve = std::move(*eve);
    app.eve->attach_hub(app.hub.get());
  }
  {
    std::lock_guard<std::mutex> lock(g_app_mutex);
    g_app = &app;
  }
  rte_telemetry_register_cmd("/rampart/stats", telemetry_stats,
                             "Rampart counters: packets in/out, drops by reason, flows. No parameters.");

  app.started = std::chrono::steady_clock::now();
  app.appliance_id = o.appliance_id;
  if (app.appliance_id.empty()) {
    char host[256] = {};
    app.appliance_id = gethostname(host, sizeof(host) - 1) == 0 ? host : "rampartd";
  }
  app.boot_id = fmt::format("{:016x}{:016x}", rte_rand(), rte_rand());
  app.drain = [&app] { drain_events(app); };
  ApplianceService appliance_service(app, static_cast<int>(rte_socket_id()));
  api::RunningServer grpc_server;
  if (api) {
    api::ServerListen listen;
    listen.unix_socket = o.grpc_socket;
    listen.tcp = o.grpc_listen;
    listen.tls = api::TlsFiles{o.grpc_tls_cert, o.grpc_tls_key, o.grpc_tls_client_ca};
    auto srv = api::start_server(listen, {&appliance_service});
    if (!srv) {
      fmt::print(stderr, "rampartd: appliance API: {}\n", srv.error().message);
      shutdown_dataplane(app);
      return 1;
    }
    grpc_server = std::move(*srv);
    fmt::print(stderr, "rampartd: appliance API on {}{}{}\n", o.grpc_socket.empty() ? "" : "unix:" + o.grpc_socket,
               !o.grpc_socket.empty() && !o.grpc_listen.empty() ? " and " : "",
               o.grpc_listen.empty() ? ""
                                     : fmt::format("{} (TLS{}, port {})", o.grpc_listen,
                                                   o.grpc_tls_client_ca.empty() ? "" : ", client certificates required",
                                                   grpc_server.tcp_port));
  }
  // Stops the API before the workers: an apply in flight completes while
  // they still pass quiescent states.
  auto stop_api = [&app, &grpc_server] {
    app.stopping.store(true);
    app.hub->close_all();
    if (grpc_server.server) {
      grpc_server.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
      grpc_server.server.reset();
    }
  };
  auto elapsed = [&app] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - app.started).count();
  };
  double next_stats = o.stats_interval > 0 ? o.stats_interval : -1;
  fmt::print(stderr, "rampartd: {} port{}, {} worker{}, policy {} ({} rules), {}\n", nb_ports, nb_ports == 1 ? "" : "s",
             nb_workers, nb_workers == 1 ? "" : "s", app.policy.origin, app.policy.rules.size(),
             offline ? "offline" : "forwarding");

  if (inline_worker) {
    Worker& w = *app.workers[0];
    app.rules->worker_online(0);
    int idle = 0;
    uint64_t polls = 0;
    while (!g_stop.load(std::memory_order_relaxed)) {
      const uint32_t n = w.poll_once();
      if (offline) {
        idle = n == 0 ? idle + 1 : 0;
        if (idle >= kOfflineEofIdlePolls) break;
      }
      if ((++polls & 1023) == 0 || n == 0) {
        std::unique_lock<std::mutex> control(app.control_mu);
        drain_events(app);
        app.rules->reclaim();
        if (!offline) {
          const double t = elapsed();
          if (next_stats > 0 && t >= next_stats) {
            print_stats_line(app, t);
            next_stats += o.stats_interval;
          }
          if (o.duration > 0 && t >= o.duration) break;
        }
      }
    }
    stop_api();
    app.rules->worker_offline(0);
  } else {
    for (std::size_t i = 0; i < app.workers.size(); ++i) {
      rte_eal_remote_launch(worker_main, app.workers[i].get(), worker_lcores[i]);
    }
    while (!g_stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::unique_lock<std::mutex> control(app.control_mu);
      drain_events(app);
      app.rules->reclaim();
      const double t = elapsed();
      if (next_stats > 0 && t >= next_stats) {
        print_stats_line(app, t);
        next_stats += o.stats_interval;
      }
      if (o.duration > 0 && t >= o.duration) break;
    }
    stop_api();
    g_stop.store(true);
    rte_eal_mp_wait_lcore();
  }
  app.run_seconds = elapsed();
  app.interrupted = g_stop.load() && g_signal.load() != 0;
  for (auto& w : app.workers) w->finish();
  drain_events(app);
  int status = kExitOk;
  if (offline || o.summary) {
    const auto summary = build_summary(app);
    if (offline && !summary.value("complete", true)) status = kExitIncomplete;
    if (!write_stdout(summary.dump(offline ? -1 : 2) + "\n")) status = kExitError;
  }
  shutdown_dataplane(app);
  if (app.interrupted) fmt::print(stderr, "rampartd: stopped by signal {}\n", g_signal.load());
  return status;
}

}  // namespace
}  // namespace rampart::dp

int main(int argc, char** argv) { return rampart::dp::run(argc, argv); }
