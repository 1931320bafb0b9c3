#include "dataplane/rampartd/summary.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <array>

namespace rampart::dp {

nlohmann::ordered_json build_summary(const App& app) {
  using nlohmann::ordered_json;
  uint64_t in = 0, out = 0, dropped = 0, flows = 0, rejects = 0, lost = 0;
  std::array<uint64_t, kDropReasonCount> reasons{};
  ordered_json workers = ordered_json::array();
  std::vector<uint64_t> hits(app.rules->current().rules().size() + 1, 0);
  ordered_json counters = ordered_json::object();
  for (const auto& w : app.workers) {
    const WorkerStats& s = w->stats();
    in += s.rx_packets.get();
    out += s.tx_packets.get();
    flows += s.flows_created.get();
    rejects += s.rejects_sent.get();
    lost += s.events_lost.get();
    for (std::size_t r = 0; r < kDropReasonCount; ++r) reasons[r] += s.drops[r].get();
    for (std::size_t r = 0; r < hits.size() && r < s.rule_slots; ++r) hits[r] += s.rule_hits[r].get();
    ordered_json wj = {{"id", w->id()}, {"packets_in", s.rx_packets.get()}, {"packets_out", s.tx_packets.get()},
                       {"dropped", s.dropped_total()}, {"active_flows", w->active_flows()},
                       {"max_loop_ns", static_cast<uint64_t>(static_cast<double>(s.max_loop_cycles.get()) * 1e9 /
                                                             static_cast<double>(rte_get_tsc_hz()))}};
#define RAMPART_SUM_COUNTER(name) \
  counters[#name] = counters.value(#name, uint64_t{0}) + s.name.get();
    RAMPART_WORKER_COUNTERS(RAMPART_SUM_COUNTER)
#undef RAMPART_SUM_COUNTER
    ordered_json hist = ordered_json::object();
    for (std::size_t b = 0; b < WorkerStats::kLoopBuckets; ++b) {
      if (s.loop_log2_cycles[b].get() != 0) hist[std::to_string(b)] = s.loop_log2_cycles[b].get();
    }
    wj["loop_log2_cycles"] = hist;
    workers.push_back(wj);
  }
  ordered_json drop_reasons = ordered_json::object();
  for (std::size_t r = 0; r < kDropReasonCount; ++r) {
    dropped += reasons[r];
    if (reasons[r] != 0) drop_reasons[std::string(drop_reason_name(static_cast<DropReason>(r)))] = reasons[r];
  }
  // Hits since the policy in force was applied (counters are per rule
  // position and keep counting across applies).
  for (std::size_t r = 0; r < hits.size() && r < app.rule_hits_baseline.size(); ++r) {
    hits[r] = hits[r] >= app.rule_hits_baseline[r] ? hits[r] - app.rule_hits_baseline[r] : 0;
  }
  ordered_json rules = ordered_json::array();
  const RuleSet& rs = app.rules->current();
  rules.push_back({{"name", "default"}, {"action", policy::action_name(app.policy.default_action)}, {"hits", hits[0]}});
  for (std::size_t i = 0; i < rs.rules().size(); ++i) {
    rules.push_back({{"name", rs.rules()[i].name}, {"action", policy::action_name(rs.rules()[i].action)},
                     {"source", rs.rules()[i].source}, {"hits", hits[i + 1]}});
  }
  ordered_json ports = ordered_json::array();
  for (uint16_t p = 0; p < app.ports.size(); ++p) {
    rte_eth_stats st{};
    rte_eth_stats_get(p, &st);
    ports.push_back({{"port", p}, {"name", app.ports[p].name}, {"driver", app.ports[p].driver},
                     {"rx_packets", st.ipackets}, {"tx_packets", st.opackets}, {"rx_missed", st.imissed},
                     {"rx_errors", st.ierrors}, {"tx_errors", st.oerrors}, {"rx_nombuf", st.rx_nombuf}});
  }
  ordered_json l7 = nullptr;
  for (const auto& w : app.workers) {
    const L7Inspector* x = w->l7();
    if (x == nullptr) continue;
    if (l7.is_null()) l7 = ordered_json::object();
    auto add = [&l7](const char* k, uint64_t v) { l7[k] = l7.value(k, uint64_t{0}) + v; };
    const L7Stats& s = x->stats();
    add("flows_inspected", s.flows_inspected.get());
    add("slots_exhausted", s.slots_exhausted.get());
    add("slots_parked", s.slots_parked.get());
    add("slots_evicted", s.slots_evicted.get());
    add("http_requests", s.http_requests.get());
    add("not_http", s.not_http.get());
    add("tls_client_hellos", s.tls_client_hellos.get());
    add("tls_failed", s.tls_failed.get());
    add("dns_queries", s.dns_queries.get());
    add("dns_tcp_flows", s.dns_tcp_flows.get());
    add("dns_tcp_failed", s.dns_tcp_failed.get());
    add("dns_anomalies", s.dns_anomalies.get());
    add("tls_anomalies", s.tls_anomalies.get());
    add("alerts", s.alerts.get());
    add("alerts_lost", s.alerts_lost.get());
    add("flows_blocked", s.flows_blocked.get());
    add("stream_overlaps_different", s.stream_anomalies.get());
    add("http_anomalies", s.http_anomalies.get());
    add("raw_stream_bytes", s.raw_stream_bytes.get());
    add("raw_stream_gaps", s.raw_stream_gaps.get());
    add("raw_pending_dropped", s.raw_pending_dropped.get());
    const ReassemblyStats& r = x->reassembly_stats();
    add("stream_delivered_bytes", r.delivered_bytes.get());
    add("stream_gaps", r.gaps.get());
    add("stream_cap_hits", r.cap_hits.get());
    add("stream_pool_exhausted", r.pool_exhausted.get());
    add("stream_out_of_window", r.out_of_window.get());
    add("stream_segments_refused", r.segments_refused.get());
    add("stream_conflicts_refused", r.conflicts_refused.get());
    add("stream_overlaps_unverified", r.overlaps_unverified.get());
  }
  ordered_json j;
  j["packets_in"] = in;
  j["packets_out"] = out;
  j["dropped"] = dropped;
  j["drop_reasons"] = drop_reasons;
  j["flows"] = flows;
  j["rejects_sent"] = rejects;
  j["events_lost"] = lost;
  j["run_seconds"] = app.run_seconds;
  if (app.capture) {
    // Offline: whether this summary covers the whole capture.
    const CaptureScan& c = *app.capture;
    const bool truncated = c.truncated || in < c.packets;
    ordered_json cap = {{"link_type", c.link_name}, {"converted", c.converted}, {"packets", c.packets},
                        {"truncated", truncated}};
    if (!c.error.empty()) cap["error"] = c.error;
    cap["checksums"] = {{"ipv4", app.ipv4_checksums}, {"l4", app.l4_checksums},
                        {"ipv4_sampled", c.ipv4_sampled}, {"ipv4_bad", c.ipv4_bad},
                        {"l4_sampled", c.l4_sampled}, {"l4_bad", c.l4_bad}};
    j["capture"] = cap;
    j["interrupted"] = app.interrupted;
    j["complete"] = !truncated && !app.interrupted;
  }
  j["policy"] = {{"origin", rs.origin()}, {"generation", rs.generation()}, {"rules", rs.rules().size()}};
  j["rules"] = rules;
  j["counters"] = counters;
  if (!l7.is_null()) j["l7"] = l7;
  j["ports"] = ports;
  j["workers"] = workers;
  return j;
}

void fill_telemetry(const App& app, rte_tel_data* d) {
  const auto s = build_summary(app);
  rte_tel_data_start_dict(d);
  for (const char* k : {"packets_in", "packets_out", "dropped", "flows", "rejects_sent", "events_lost"}) {
    rte_tel_data_add_dict_u64(d, k, s[k].get<uint64_t>());
  }
  rte_tel_data* reasons = rte_tel_data_alloc();
  rte_tel_data_start_dict(reasons);
  for (const auto& [k, v] : s["drop_reasons"].items()) rte_tel_data_add_dict_u64(reasons, k.c_str(), v.get<uint64_t>());
  rte_tel_data_add_dict_container(d, "drop_reasons", reasons, 0);
}

}  // namespace rampart::dp
