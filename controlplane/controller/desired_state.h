#pragma once
// DesiredState: the policy documents in --policy-dir, their composition
// (policy_composer.h) and the desired policy version (version_store.h).
// Every change is validated as a whole composition before anything is
// written; then the document and the bumped version are committed
// together (document_commit.h: a failure, ENOSPC included, changes
// nothing), and only then does the new snapshot exist.
// Readers take an immutable Snapshot (version + composed policy), so a
// push never sees a half-made change.
// Groups are resolved against the workloads the inventory last gave
// (set_workloads; at start, OpenOptions::workloads); the snapshot's policy
// is always resolved (policy::fully_resolved). A workload change that moves
// any group's members is a new version, persisted like a document change;
// one that moves none changes nothing. The workloads themselves are
// persisted by the Inventory (inventory.h, DIR/.rampart-inventory) and
// given to open(): after a restart the first snapshot is resolved with the
// members the stored version was made with, so the version does not move
// and no group is published empty. Members that differ from those the
// stored version was made with (the digest is in the version file: a crash
// between the inventory and the version write) are a new version at open.
// Without an inventory file (a controller that never had one) groups
// resolve against no workloads under the stored version, and the first
// workload set that differs from the members that version was made with is
// a new version.
// Signature sets are compiled (policy_composer.h) with the Hyperscan cache
// in DIR/.hs-cache.
// Thread-safe: every method may be called from any thread. It takes only
// its own mutexes (write_mu_ before mu_, never the other way) and calls
// nothing that locks (the Inventory is read by the caller before
// set_workloads), so no lock order with others arises. apply and remove
// compose under write_mu_ alone; readers and set_workloads only wait for
// mu_, which is never held while signature sets compile.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/policy/compiled_policy.h"
#include "controlplane/compiler/group_resolution.h"
#include "controlplane/compiler/policy_compiler.h"
#include "controlplane/controller/outcome.h"
#include "controlplane/controller/version_store.h"

namespace rampart::controller {

struct StoredDocument {
  std::string name;
  std::string yaml;
  uint64_t version = 0;  // the policy version it last changed in
};

struct Snapshot {
  uint64_t version = 0;
  // Resolved; origin "controller:<version>#<digest of the documents and
  // group members it was made from>": what an appliance that runs it
  // reports (GetStatus.policy_origin).
  policy::CompiledPolicy policy;
  // Rules left out because they match nothing (a group without members),
  // as "file:line: warning: ...".
  std::vector<std::string> warnings;
  std::string membership;  // digest of the groups' members; "" without groups
};

class DesiredState {
 public:
  struct OpenOptions {
    // The persisted inventory (Inventory::load, labeled_addresses): the
    // first snapshot is resolved against it.
    // Documents larger are refused: at start (every such file named, like
    // any invalid document) and in apply (INVALID_ARGUMENT).
    std::size_t max_document_bytes = cp::kMaxPolicyFileBytes;
    bool workloads_persisted = false;  // the inventory file existed
    uint64_t workloads_generation = 0;
    std::vector<cp::LabeledAddress> workloads;
  };
  // Loads DIR/*.yaml (DIR is created when missing) and the version; a
  // document set that differs from the one the stored version describes
  // gets a new version, and so do persisted workloads that give groups
  // other members than the stored version was made with. Invalid
  // documents: every error in *errors.
  static Result<std::unique_ptr<DesiredState>> open(const std::string& dir, std::vector<std::string>* errors,
                                                    OpenOptions opt);
  static Result<std::unique_ptr<DesiredState>> open(const std::string& dir, std::vector<std::string>* errors) {
    return open(dir, errors, OpenOptions{});
  }

  std::shared_ptr<const Snapshot> snapshot() const;
  uint64_t version() const;

  struct ApplyResult {
    uint64_t version = 0;
    uint32_t rules = 0;                 // in the resolved composition
    std::vector<std::string> warnings;  // as Snapshot::warnings, for the composition with this document
  };
  // Creates or replaces a document. Composition errors go to *errors (and
  // the Outcome is kInvalidArgument, its message every error joined by
  // "\n"); dry_run checks only. A change when the version has no successor
  // is kFailedPrecondition and changes nothing (so is remove() then, and
  // set_workloads() when members move).
  Outcome apply(const std::string& name, const std::string& yaml, bool dry_run, std::vector<std::string>* errors,
                ApplyResult* result);
  Outcome remove(const std::string& name, uint64_t* new_version);
  Outcome get(const std::string& name, StoredDocument* out) const;
  std::vector<StoredDocument> list() const;

  // The workloads groups resolve against (the inventory at `generation`;
  // a generation older than one already given is ignored). *bumped: the
  // members of some group moved, so there is a new version.
  Outcome set_workloads(uint64_t generation, std::vector<cp::LabeledAddress> workloads, bool* bumped);

  // An appliance runs version `seen` >= the desired one, but not this
  // controller's policy (its state was lost or restored from a backup, an
  // operator applied directly): continue above it, persisted first.
  // *desired: the desired version afterwards. Changes nothing when `seen`
  // has no successor (kFailedPrecondition, api::next_policy_version) or
  // the version file cannot be written (kUnavailable).
  Outcome advance_past(uint64_t seen, uint64_t* desired);

  // What open() found wrong but started anyway with (the documents changed
  // while down and the version has no successor), for the log.
  const std::vector<std::string>& startup_problems() const { return startup_problems_; }

  const std::string& dir() const { return dir_; }

 private:
  DesiredState(std::string dir, std::size_t max_document_bytes)
      : dir_(std::move(dir)), max_document_bytes_(max_document_bytes) {}
  static std::string digest(const std::map<std::string, std::string>& docs);
  // compose_policy with the Hyperscan cache in dir_; signature sets equal
  // to `checked` (those of composed_, which passed) are not checked again.
  // Reads no member but dir_: called without mu_.
  Result<policy::CompiledPolicy> compose(const std::map<std::string, std::string>& docs, std::vector<std::string>* errors,
                                     const std::vector<policy::SignatureSetText>* checked) const;
  // `composed` (compose_policy's output) resolved against workloads_;
  // version and origin unset.
  Result<std::shared_ptr<Snapshot>> resolve_locked(const policy::CompiledPolicy& composed) const;
  void publish_locked(std::shared_ptr<Snapshot> snap);
  Outcome commit_locked(std::map<std::string, std::string> docs, policy::CompiledPolicy composed,
                        std::shared_ptr<Snapshot> snap, const std::string& changed, bool removed);

  const std::string dir_;
  const std::size_t max_document_bytes_;
  std::mutex write_mu_;  // serialises apply and remove (the only writers of docs_ and composed_)
  mutable std::mutex mu_;
  std::map<std::string, std::string> docs_;  // guarded by mu_: name -> YAML text
  policy::CompiledPolicy composed_;              // guarded by mu_: docs_ composed, unresolved
  std::vector<cp::LabeledAddress> workloads_;  // guarded by mu_
  uint64_t workloads_generation_ = 0;          // guarded by mu_
  VersionState state_;                         // guarded by mu_
  std::shared_ptr<const Snapshot> snapshot_;   // guarded by mu_
  std::vector<std::string> startup_problems_;  // written by open() only
};

}  // namespace rampart::controller
