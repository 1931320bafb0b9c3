#pragma once
// Fleet: the appliances given with --appliance, fixed at start. Owns one
// ApplianceLink and one ApplianceEventFeed per appliance. Thread-safe
// after start() (the set of links never changes while serving).

#include <memory>
#include <string>
#include <vector>

#include "controlplane/api/grpc_transport.h"
#include "controlplane/controller/appliance_event_feed.h"
#include "controlplane/controller/appliance_link.h"

namespace rampart::controller {

class Fleet {
 public:
  // Creates the channels (TLS files are read here: errors name them).
  Result<Ok> add(const std::string& address, const api::TlsFiles& tls, DesiredState& state, Inventory& inventory);
  void start();
  void stop();
  void wake_all();

  const std::vector<std::unique_ptr<ApplianceLink>>& links() const { return links_; }
  // By address or appliance_id; empty selector: all.
  std::vector<ApplianceLink*> select(const std::string& selector) const;
  std::vector<ApplianceEventFeed*> select_feeds(const std::string& selector) const;

 private:
  std::vector<std::unique_ptr<ApplianceLink>> links_;
  std::vector<std::unique_ptr<ApplianceEventFeed>> feeds_;  // feeds_[i] reads links_[i]
};

}  // namespace rampart::controller
