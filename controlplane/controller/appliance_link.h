#pragma once
// ApplianceLink: the controller's connection to one rampartd and the
// thread that keeps it in step with the desired state. Every 500 ms (or
// at once after wake()) it calls GetStatus and, unless the appliance
// reports that it runs the desired policy (its version and its origin,
// which names this controller's policy digest: Snapshot::policy), applies
// the composed policy; an appliance at or above the desired version with
// another policy (this controller lost its state, an operator applied
// directly, a restart after a restart) moves the desired version past it
// first, and one whose version has no successor is a conflict (health
// CONFLICT, nothing pushed). It also sends the workload inventory in full
// after a restart or an inventory change. An unreachable appliance keeps
// enforcing its last policy; the link keeps retrying.
// Thread-safe: view(), wake(), sync_identities() and stub() from any thread.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "appliance.grpc.pb.h"
#include "controller.pb.h"
#include "controlplane/controller/desired_state.h"
#include "controlplane/controller/inventory.h"

namespace rampart::controller {

class ApplianceLink {
 public:
  ApplianceLink(std::string address, std::shared_ptr<grpc::Channel> channel, DesiredState& state,
                Inventory& inventory);
  ~ApplianceLink() { stop(); }
  ApplianceLink(const ApplianceLink&) = delete;
  ApplianceLink& operator=(const ApplianceLink&) = delete;

  void start();
  void stop();
  void wake();

  // What ListAppliances reports; in_sync: the appliance last reported that
  // it runs `desired` (version and origin).
  rampart::v1::Appliance view(const Snapshot& desired) const;
  const std::string& address() const { return address_; }
  std::string appliance_id() const;  // as last reported; the address until then
  bool reachable() const;
  rampart::dataplane::v1::Appliance::Stub& stub() { return *stub_; }

  // Sends the whole inventory now (called after UpsertWorkloads). False
  // when the appliance could not take it; the sync thread retries.
  bool sync_identities();

 private:
  void run();
  void sync_once();
  void push_policy_locked(const Snapshot& snap, const std::string& boot_id);
  bool sync_identities_locked();

  const std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<rampart::dataplane::v1::Appliance::Stub> stub_;
  DesiredState& state_;
  Inventory& inventory_;

  std::thread thread_;
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool woken_ = false;          // guarded by wake_mu_
  std::atomic<bool> stop_{false};

  std::mutex sync_mu_;  // serialises the calls that change the appliance
  mutable std::mutex mu_;
  // Guarded by mu_ (written by the sync thread, read by view()):
  std::string appliance_id_;
  std::string boot_id_;
  rampart::v1::ApplianceHealth health_ = rampart::v1::APPLIANCE_HEALTH_UNREACHABLE;
  uint64_t applied_version_ = 0;
  std::string policy_origin_;
  uint64_t last_seen_ms_ = 0;
  std::string last_error_;
  uint64_t pushes_ = 0;
  // Guarded by sync_mu_:
  uint64_t rejected_version_ = 0;  // the appliance refused this version; not re-pushed for the same boot
  std::string rejected_boot_;
  std::string identities_boot_;    // boot_id the inventory was last sent to
  uint64_t identities_generation_ = 0;
  bool identities_sent_ = false;
};

}  // namespace rampart::controller
