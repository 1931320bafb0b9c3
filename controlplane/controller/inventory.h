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
// Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "appliance.pb.h"
#include "controller.pb.h"
#include "controlplane/compiler/group_resolution.h"
#include "controlplane/controller/outcome.h"
#include "dataplane/common/result.h"

namespace rampart::controller {

inline constexpr const char* kInventoryFile = ".rampart-inventory";

class Inventory {
 public:
  // Reads DIR/.rampart-inventory and persists every later change there.
  // Returns whether the file existed (missing: empty inventory). A file
  // that cannot be read or parsed, or holds an invalid binding, is an
  // error naming it. Call once, before any other method.
  Result<bool> load(const std::string& dir);

  // Validates every IP and workload first; on any error nothing changes.
  // When persisted, the new inventory is written before anything changes
  // in memory: a failed write is kUnavailable and changes nothing.
  Outcome upsert(const rampart::v1::UpsertWorkloadsRequest& req, uint64_t* count);
  std::vector<rampart::v1::Workload> list() const;  // by IP
  // Every binding and every removal: what an appliance needs to catch up.
  rampart::dataplane::v1::UpdateIdentitiesRequest full_update() const;
  uint64_t generation() const;
  // What groups resolve against (DesiredState::set_workloads), with the
  // generation it belongs to, read under one lock.
  std::vector<cp::LabeledAddress> labeled_addresses(uint64_t* generation) const;

 private:
  mutable std::mutex mu_;
  std::string path_;                                    // guarded by mu_: "" not persisted
  std::string persisted_;                               // guarded by mu_: the file's content
  std::map<std::string, rampart::v1::Workload> by_ip_;  // guarded by mu_
  std::set<std::string> removed_;                       // guarded by mu_
  uint64_t generation_ = 0;                             // guarded by mu_: bumped on each change
};

}  // namespace rampart::controller
