#pragma once
// Inventory: the workload bindings (IP -> workload name and labels) the
// controller holds in memory and forwards to every appliance. Removed IPs
// are remembered, so an appliance that missed a removal (unreachable at the
// time, or resynchronised in full) drops its binding too.
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

namespace rampart::controller {

class Inventory {
 public:
  // Validates every IP and workload first; on any error nothing changes.
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
  std::map<std::string, rampart::v1::Workload> by_ip_;  // guarded by mu_
  std::set<std::string> removed_;                       // guarded by mu_
  uint64_t generation_ = 0;                             // guarded by mu_: bumped on each change
};

}  // namespace rampart::controller
