#include "controlplane/controller/inventory.h"

#include <fmt/format.h>

#include "controlplane/api/request_checks.h"
#include "controlplane/compiler/cidr.h"

namespace rampart::controller {

Outcome Inventory::upsert(const rampart::v1::UpsertWorkloadsRequest& req, uint64_t* count) {
  for (int i = 0; i < req.workloads_size(); ++i) {
    const auto& w = req.workloads(i);
    if (!api::valid_ip(w.ip())) {
      return Outcome::invalid(fmt::format("workloads[{}].ip: '{}' is not an IPv4 or IPv6 address", i, w.ip()));
    }
    if (w.workload().empty()) return Outcome::invalid(fmt::format("workloads[{}].workload: required", i));
  }
  for (int i = 0; i < req.remove_ips_size(); ++i) {
    if (!api::valid_ip(req.remove_ips(i))) {
      return Outcome::invalid(
          fmt::format("remove_ips[{}]: '{}' is not an IPv4 or IPv6 address", i, req.remove_ips(i)));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& ip : req.remove_ips()) {
    by_ip_.erase(ip);
    removed_.insert(ip);
  }
  for (const auto& w : req.workloads()) {
    by_ip_[w.ip()] = w;
    removed_.erase(w.ip());
  }
  ++generation_;
  *count = by_ip_.size();
  return Outcome::success();
}

std::vector<rampart::v1::Workload> Inventory::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<rampart::v1::Workload> out;
  for (const auto& [ip, w] : by_ip_) out.push_back(w);
  return out;
}

rampart::dataplane::v1::UpdateIdentitiesRequest Inventory::full_update() const {
  std::lock_guard<std::mutex> lock(mu_);
  rampart::dataplane::v1::UpdateIdentitiesRequest r;
  for (const auto& [ip, w] : by_ip_) {
    auto* b = r.add_upsert();
    b->set_ip(ip);
    b->mutable_identity()->set_workload(w.workload());
    b->mutable_identity()->mutable_labels()->insert(w.labels().begin(), w.labels().end());
  }
  for (const auto& ip : removed_) r.add_remove(ip);
  return r;
}

uint64_t Inventory::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

std::vector<cp::LabeledAddress> Inventory::labeled_addresses(uint64_t* generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<cp::LabeledAddress> out;
  for (const auto& [ip, w] : by_ip_) {
    std::string why;
    auto host = cp::parse_cidr(ip, &why);  // validated by upsert
    if (!host) continue;
    out.push_back({*host, {w.labels().begin(), w.labels().end()}});
  }
  *generation = generation_;
  return out;
}

}  // namespace rampart::controller
