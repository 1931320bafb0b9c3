#include "controlplane/controller/inventory.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "controlplane/api/request_checks.h"
#include "controlplane/compiler/bounded_file.h"
#include "controlplane/compiler/cidr.h"
#include "controlplane/controller/version_store.h"

namespace rampart::controller {
namespace {

// Far more than a site's workloads (about 100 bytes each).
constexpr std::size_t kMaxInventoryFileBytes = std::size_t{256} << 20;

using Json = nlohmann::json;

// Deterministic (objects are sorted): the same inventory, the same bytes.
std::string to_json(const std::map<std::string, Workload>& by_ip, const std::set<std::string>& removed) {
  Json workloads = Json::array();
  for (const auto& [ip, w] : by_ip) {
    Json labels = Json::object();
    for (const auto& [k, v] : w.labels) labels[k] = v;
    workloads.push_back({{"ip", ip}, {"workload", w.name}, {"labels", std::move(labels)}});
  }
  Json doc = {{"format", 1}, {"workloads", std::move(workloads)}, {"removed", removed}};
  return doc.dump(1) + "\n";
}

// "" when valid, else what is wrong (the caller names the file).
std::string from_json(const std::string& text, std::map<std::string, Workload>* by_ip,
                      std::set<std::string>* removed) {
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded()) return "not valid JSON";
  if (!doc.is_object()) return "not a JSON object";
  if (!doc.contains("format") || doc["format"] != 1) return "'format' must be 1";
  const Json& workloads = doc.contains("workloads") ? doc["workloads"] : Json::array();
  if (!workloads.is_array()) return "'workloads' must be an array";
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    const Json& w = workloads[i];
    const std::string at = fmt::format("workloads[{}]", i);
    if (!w.is_object()) return at + ": not an object";
    if (!w.contains("ip") || !w["ip"].is_string() || !api::valid_ip(w["ip"].get<std::string>())) {
      return at + ".ip: not an IPv4 or IPv6 address";
    }
    if (!w.contains("workload") || !w["workload"].is_string() || w["workload"].get<std::string>().empty()) {
      return at + ".workload: required (a string)";
    }
    Workload out;
    out.ip = w["ip"].get<std::string>();
    out.name = w["workload"].get<std::string>();
    if (w.contains("labels")) {
      if (!w["labels"].is_object()) return at + ".labels: not an object";
      for (const auto& [k, v] : w["labels"].items()) {
        if (!v.is_string()) return fmt::format("{}.labels.{}: not a string", at, k);
        out.labels[k] = v.get<std::string>();
      }
    }
    if (!by_ip->emplace(out.ip, out).second) return fmt::format("{}.ip: '{}' appears twice", at, out.ip);
  }
  const Json& gone = doc.contains("removed") ? doc["removed"] : Json::array();
  if (!gone.is_array()) return "'removed' must be an array";
  for (std::size_t i = 0; i < gone.size(); ++i) {
    if (!gone[i].is_string() || !api::valid_ip(gone[i].get<std::string>())) {
      return fmt::format("removed[{}]: not an IPv4 or IPv6 address", i);
    }
    removed->insert(gone[i].get<std::string>());
  }
  return "";
}

}  // namespace

Result<bool> Inventory::load(const std::string& dir) {
  const std::string path = dir + "/" + kInventoryFile;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
    std::lock_guard<std::mutex> lock(mu_);
    path_ = path;
    return false;
  }
  auto text = cp::read_bounded_file(path, kMaxInventoryFileBytes, "the workload inventory");
  if (!text) return Error{fmt::format("cannot read {}", text.error().message)};
  std::map<std::string, Workload> by_ip;
  std::set<std::string> removed;
  const std::string why = from_json(*text, &by_ip, &removed);
  if (!why.empty()) {
    return Error{fmt::format("{}: not a valid workload inventory: {} (fix or remove the file; the orchestrator "
                             "then re-sends the workloads)",
                             path, why)};
  }
  std::lock_guard<std::mutex> lock(mu_);
  path_ = path;
  persisted_ = std::move(*text);
  by_ip_ = std::move(by_ip);
  removed_ = std::move(removed);
  ++generation_;
  return true;
}

Outcome Inventory::upsert(const WorkloadChange& change, uint64_t* count) {
  std::lock_guard<std::mutex> lock(mu_);
  auto by_ip = by_ip_;
  auto removed = removed_;
  for (const auto& ip : change.remove_ips) {
    by_ip.erase(ip);
    removed.insert(ip);
  }
  for (const auto& w : change.upsert) {
    by_ip[w.ip] = w;
    removed.erase(w.ip);
  }
  if (!path_.empty()) {
    // Written under the lock: the file always holds the latest inventory.
    std::string text = to_json(by_ip, removed);
    if (text != persisted_) {
      auto w = write_file_atomic(path_, text);
      if (!w) return Outcome::unavailable(w.error().message);
      persisted_ = std::move(text);
    }
  }
  by_ip_ = std::move(by_ip);
  removed_ = std::move(removed);
  ++generation_;
  *count = by_ip_.size();
  return Outcome::success();
}

std::vector<Workload> Inventory::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Workload> out;
  for (const auto& [ip, w] : by_ip_) out.push_back(w);
  return out;
}

IdentitySnapshot Inventory::full_update() const {
  std::lock_guard<std::mutex> lock(mu_);
  IdentitySnapshot r;
  for (const auto& [ip, w] : by_ip_) r.bindings.push_back(w);
  r.removed.assign(removed_.begin(), removed_.end());
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
    auto host = cp::parse_cidr(ip, &why);  // validated by upsert / load
    if (!host) continue;
    out.push_back({*host, {w.labels.begin(), w.labels.end()}});
  }
  *generation = generation_;
  return out;
}

}  // namespace rampart::controller
