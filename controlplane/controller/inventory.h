#pragma once
// Inventory: the workload bindings (IP -> workload name and labels) the
// controller holds and forwards to every appliance. Removed IPs are
// remembered, so an appliance that missed a removal (unreachable at the
// time, or resynchronised in full) drops its binding too.
// Persisted (after load()) in DIR/.rampart-inventory, next to the version
// file: JSON, replaced atomically (write_file_atomic) on every change
// before upsert() returns, so a restarted controller resolves groups
// against the workloads it had (docs/design/control-plane.md, "Groups").
// The removed IPs are persisted too: an appliance that was unreachable
// when a workload left still drops it after a controller restart.
//   {"format": 1,
//    "workloads": [{"ip": "198.18.1.10", "workload": "docker:web-1",
//                   "labels": {"app": "web"}}, ...],
//    "removed": ["198.18.1.9", ...]}
// Plain types only: InventoryService and ApplianceLink convert to and
// from the API's messages. Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "controlplane/compiler/group_resolution.h"
#include "controlplane/controller/outcome.h"
#include "common/result.h"

namespace rampart::controller {

inline constexpr const char* kInventoryFile = ".rampart-inventory";

// One binding: an address and the workload that holds it.
struct Workload {
  std::string ip;
  std::string name;  // e.g. "docker:web-1", "k8s:prod/web-7d9f"
  std::map<std::string, std::string> labels;
};

// One change: bindings added or replaced, addresses given up.
struct WorkloadChange {
  std::vector<Workload> upsert;
  std::vector<std::string> remove_ips;
};

// What an appliance needs to catch up: every binding and every removal.
struct IdentitySnapshot {
  std::vector<Workload> bindings;  // by IP
  std::vector<std::string> removed;
};

class Inventory {
 public:
  // Reads DIR/.rampart-inventory and persists every later change there.
  // Returns whether the file existed (missing: empty inventory). A file
  // that cannot be read or parsed, or holds an invalid binding, is an
  // error naming it. Call once, before any other method.
  Result<bool> load(const std::string& dir);

  // The change must have been checked (InventoryService checks the
  // request: addresses, names, label sizes). When persisted, the new
  // inventory is written before anything changes in memory: a failed write
  // is kUnavailable and changes nothing.
  Outcome upsert(const WorkloadChange& change, uint64_t* count);
  std::vector<Workload> list() const;  // by IP
  IdentitySnapshot full_update() const;
  uint64_t generation() const;
  // What groups resolve against (DesiredState::set_workloads), with the
  // generation it belongs to, read under one lock.
  std::vector<cp::LabeledAddress> labeled_addresses(uint64_t* generation) const;

 private:
  mutable std::mutex mu_;
  std::string path_;                                    // guarded by mu_: "" not persisted
  std::string persisted_;                               // guarded by mu_: the file's content
  std::map<std::string, Workload> by_ip_;               // guarded by mu_
  std::set<std::string> removed_;                       // guarded by mu_
  uint64_t generation_ = 0;                             // guarded by mu_: bumped on each change
};

}  // namespace rampart::controller
