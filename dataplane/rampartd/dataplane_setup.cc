#include "dataplane/rampartd/dataplane_setup.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_random.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "dataplane/conntrack/flow_hash.h"
#include "dataplane/rampartd/agent.h"
#include "dataplane/rampartd/stop_signal.h"

namespace rampart::dp {
namespace {

bool g_eal_started = false;

// Enough mbufs for every queue's descriptors, the bursts in flight and the
// fragment memory cap, unless --mbufs says otherwise.
uint32_t pool_size(const Options& o, const PortOptions& po, uint16_t ports, uint16_t workers) {
  if (o.mbufs != 0) return o.mbufs;
  const uint64_t per_worker_frag = o.frag_memcap / (RTE_MBUF_DEFAULT_BUF_SIZE) + 1;
  return static_cast<uint32_t>(uint64_t{ports} * workers * (po.rx_desc + po.tx_desc) +
                               workers * (per_worker_frag + 4 * Worker::kBurst + 512) + 4096);
}

WorkerConfig worker_config(App& app) {
  const Options& o = app.opts;
  const bool offline = app.capture.has_value();
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
  return wc;
}

}  // namespace

bool eal_started() { return g_eal_started; }

Result<Ok> start_dataplane(App& app, std::vector<std::string> eal_args) {
  const Options& o = app.opts;
  std::vector<char*> eal_argv;
  for (auto& s : eal_args) eal_argv.push_back(s.data());
  if (rte_eal_init(static_cast<int>(eal_argv.size()), eal_argv.data()) < 0) {
    return Error{fmt::format("EAL init failed: {}", rte_strerror(rte_errno))};
  }
  g_eal_started = true;
  install_stop_handlers();  // the EAL may have installed handlers of its own

  const uint16_t nb_ports = rte_eth_dev_count_avail();
  if (nb_ports == 0) return Error{"no ports: give PCI devices or --vdev (or --pcap FILE for offline mode)"};
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) { app.worker_lcores.push_back(lcore); }
  const uint16_t nb_workers = app.worker_lcores.empty() ? 1 : static_cast<uint16_t>(app.worker_lcores.size());

  PortOptions po;
  po.queues = nb_workers;
  po.mtu = o.mtu;
  po.rx_timestamp = app.capture.has_value();
  const uint32_t mbufs = pool_size(o, po, nb_ports, nb_workers);
  app.pool = rte_pktmbuf_pool_create("rampart_mbufs", mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                     static_cast<int>(rte_socket_id()));
  if (app.pool == nullptr) {
    return Error{fmt::format("cannot create a pool of {} mbufs: {} (raise -m or lower --mbufs)", mbufs,
                             rte_strerror(rte_errno))};
  }
  for (uint16_t p = 0; p < nb_ports; ++p) {
    auto info = setup_port(p, po, app.pool);
    if (!info) return info.error();
    app.port_names.push_back(info->name);
    app.ports.push_back(*info);
  }

  auto rs = RuleSet::build(app.policy, 1, static_cast<int>(rte_socket_id()));
  if (!rs) return rs.error();
  auto rcu = RuleSetRcu::create(nb_workers, std::move(*rs));
  if (!rcu) return rcu.error();
  app.rules = std::move(*rcu);

  flow_hash_init(rte_rand);
  const WorkerConfig wc = worker_config(app);
  for (uint16_t w = 0; w < nb_workers; ++w) {
    std::vector<PortPair> pairs;
    for (uint16_t p = 0; p < nb_ports; ++p) {
      const uint16_t peer = (p ^ 1u) < nb_ports ? static_cast<uint16_t>(p ^ 1u) : p;
      pairs.push_back(PortPair{p, peer});
    }
    auto worker = Worker::create(w, w, std::move(pairs), wc, app.pool, app.rules.get(),
                                 static_cast<int>(rte_socket_id()));
    if (!worker) return Error{fmt::format("worker {}: {}", w, worker.error().message)};
    app.workers.push_back(std::move(*worker));
  }
  const bool api = !o.grpc_socket.empty() || !o.grpc_listen.empty();
  app.hub = std::make_unique<EventHub>(16);
  if (!o.eve_file.empty() || api) {
    auto eve = EveWriter::open(o.eve_file, app.port_names);
    if (!eve) return eve.error();
    app.eve = std::move(*eve);
    app.eve->attach_hub(app.hub.get());
  }
  app.boot_id = fmt::format("{:016x}{:016x}", rte_rand(), rte_rand());
  return Ok{};
}

void shutdown_dataplane(App& app) {
  if (!g_eal_started) return;
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
  g_eal_started = false;
  // The EAL leaves its runtime directory (config, fbarrays, telemetry
  // socket) behind; the file prefix is ours alone, so remove it.
  std::error_code ec;
  std::filesystem::remove_all(runtime_dir, ec);
}

}  // namespace rampart::dp
