#pragma once
// DesiredState: the policy documents in --policy-dir, their composition
// (policy_composer.h) and the desired policy version (version_store.h).
// Every change is validated as a whole composition before anything is
// written; a document is written atomically, then the bumped version.
// Readers take an immutable Snapshot (version + composed policy), so a
// push never sees a half-made change.
// Thread-safe: every method may be called from any thread.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "controlplane/compiler/compiled_policy.h"
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
  cp::CompiledPolicy policy;  // origin "controller:<version>"
};

class DesiredState {
 public:
  // Loads DIR/*.yaml (DIR is created when missing) and the version; a
  // document set that differs from the one the stored version describes
  // gets a new version. Invalid documents: every error in *errors.
  static Result<std::unique_ptr<DesiredState>> open(const std::string& dir, std::vector<std::string>* errors);

  std::shared_ptr<const Snapshot> snapshot() const;
  uint64_t version() const;

  struct ApplyResult {
    uint64_t version = 0;
    uint32_t rules = 0;
  };
  // Creates or replaces a document. Composition errors go to *errors (and
  // the Outcome is kInvalidArgument, its message every error joined by
  // "\n"); dry_run checks only.
  Outcome apply(const std::string& name, const std::string& yaml, bool dry_run, std::vector<std::string>* errors,
                ApplyResult* result);
  Outcome remove(const std::string& name, uint64_t* new_version);
  Outcome get(const std::string& name, StoredDocument* out) const;
  std::vector<StoredDocument> list() const;

  // An appliance runs `seen` > the desired version (this controller's state
  // was lost or restored from a backup): continue above it. Returns the
  // desired version afterwards.
  uint64_t advance_past(uint64_t seen);

  const std::string& dir() const { return dir_; }

 private:
  explicit DesiredState(std::string dir) : dir_(std::move(dir)) {}
  static std::string digest(const std::map<std::string, std::string>& docs);
  Outcome commit_locked(std::map<std::string, std::string> docs, cp::CompiledPolicy policy, const std::string& changed,
                        bool removed);

  const std::string dir_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> docs_;  // guarded by mu_: name -> YAML text
  VersionState state_;                       // guarded by mu_
  std::shared_ptr<const Snapshot> snapshot_; // guarded by mu_
};

}  // namespace rampart::controller
