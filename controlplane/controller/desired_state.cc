#include "controlplane/controller/desired_state.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

#include "controlplane/api/policy_version.h"
#include "controlplane/compiler/bounded_file.h"
#include "controlplane/compiler/cidr.h"
#include "controlplane/controller/document_commit.h"
#include "controlplane/controller/policy_composer.h"
#include "controlplane/controller/staged_file.h"

namespace rampart::controller {
namespace {

namespace fs = std::filesystem;

std::vector<DocumentText> as_documents(const std::map<std::string, std::string>& docs) {
  std::vector<DocumentText> v;
  for (const auto& [name, yaml] : docs) v.push_back({name, yaml});
  return v;
}

std::string no_successor_message(const Error& e) {
  return fmt::format("{}: nothing changed (docs/design/control-plane.md, \"Versions\", says how to reset them)",
                     e.message);
}

// read_bounded_file's "PATH: reason" as the compiler reports a file:
// "PATH: error: reason".
std::string file_error(const std::string& path, const std::string& message) {
  const std::string prefix = path + ": ";
  return fmt::format("{}: error: {}", path, message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message);
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
  return s;
}

// FNV-1a 64: stable across builds and platforms, unlike std::hash (the
// digests are persisted).
class Fnv {
 public:
  void mix(std::string_view s) {
    for (unsigned char c : s) h_ = (h_ ^ c) * 0x100000001b3ull;
    h_ = (h_ ^ 0xff) * 0x100000001b3ull;  // separator
  }
  std::string hex() const { return fmt::format("{:016x}", h_); }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

// What the appliances report back (GetStatus.policy_origin) for the policy
// of `version`: the number and a digest of the documents and group members
// it was made from, both persisted, so the same policy has the same origin
// after a restart and another policy under the same number (a controller
// restored from an old backup, a second controller) has another.
std::string origin_of(uint64_t version, const VersionState& st) {
  Fnv f;
  f.mix(st.digest);
  f.mix(st.membership);
  return fmt::format("controller:{}#{}", version, f.hex());
}

std::string membership_digest(const policy::CompiledPolicy& resolved) {
  if (resolved.groups.empty()) return "";
  Fnv f;
  for (const auto& g : resolved.groups) {
    f.mix(g.name);
    for (const auto& c : g.members) f.mix(cp::format_cidr(c));
  }
  return f.hex();
}

}  // namespace

std::string DesiredState::digest(const std::map<std::string, std::string>& docs) {
  Fnv f;
  for (const auto& [name, yaml] : docs) {
    f.mix(name);
    f.mix(yaml);
  }
  return f.hex();
}

Result<policy::CompiledPolicy> DesiredState::compose(const std::map<std::string, std::string>& docs,
                                                 std::vector<std::string>* errors,
                                                 const std::vector<policy::SignatureSetText>* checked) const {
  ComposeOptions opt;
  opt.signature_cache_dir = dir_ + "/" + kSignatureCacheDir;
  opt.checked_signature_sets = checked;
  return compose_policy(as_documents(docs), errors, opt);
}

Result<std::shared_ptr<Snapshot>> DesiredState::resolve_locked(const policy::CompiledPolicy& composed) const {
  auto snap = std::make_shared<Snapshot>();
  snap->policy = composed;
  std::vector<cp::InactiveRule> inactive;
  // compose_policy checked every reference, so this cannot fail; if it
  // did, nothing unresolved is published.
  auto r = cp::resolve_groups(snap->policy, workloads_, &inactive);
  if (!r) return r.error();
  for (const auto& i : inactive) snap->warnings.push_back(cp::format_inactive(i, "warning"));
  snap->membership = membership_digest(snap->policy);
  return snap;
}

void DesiredState::publish_locked(std::shared_ptr<Snapshot> snap) {
  snap->version = state_.version;
  snap->policy.origin = origin_of(snap->version, state_);
  snapshot_ = std::move(snap);
}

Result<std::unique_ptr<DesiredState>> DesiredState::open(const std::string& dir, std::vector<std::string>* errors,
                                                         OpenOptions opt) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return Error{fmt::format("cannot create {}: {}", dir, ec.message())};
  }
  if (!fs::is_directory(dir, ec)) return Error{fmt::format("{} is not a directory", dir)};
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) return Error{fmt::format("{}: not writable", dir)};
  std::unique_ptr<DesiredState> s(new DesiredState(dir, opt.max_document_bytes));
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    // Staged files of a change a crash interrupted (document_commit.h).
    if (is_staging_leftover(e.path().filename().string())) fs::remove(e.path(), ec);
  }
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string file = e.path().filename().string();
    if (file.empty() || file[0] == '.' || e.path().extension() != ".yaml") continue;
    const std::string name = e.path().stem().string();
    if (!valid_document_name(name)) {
      errors->push_back(fmt::format("{}: error: not a valid document name (use [a-z0-9][a-z0-9._-]{{0,62}}.yaml)",
                                    e.path().string()));
      continue;
    }
    auto text = cp::read_bounded_file(e.path().string(), opt.max_document_bytes, "a policy document",
                                      "--max-document-bytes");
    if (!text) {
      errors->push_back(file_error(e.path().string(), text.error().message));
      continue;
    }
    s->docs_[name] = std::move(*text);
  }
  if (ec) return Error{fmt::format("cannot list {}: {}", dir, ec.message())};
  if (!errors->empty()) return Error{fmt::format("{}: invalid policy documents", dir)};
  auto composed = s->compose(s->docs_, errors, nullptr);
  if (!composed) return Error{fmt::format("{}: {}", dir, composed.error().message)};
  s->composed_ = std::move(*composed);
  s->workloads_ = std::move(opt.workloads);
  s->workloads_generation_ = opt.workloads_generation;
  auto snap = s->resolve_locked(s->composed_);
  if (!snap) return snap.error();
  auto st = load_version_state(dir);
  if (!st) return st.error();
  s->state_ = *st;
  const std::string d = digest(s->docs_);
  const bool fresh = !fs::exists(fs::path(dir) / kVersionFile, ec);
  // A new version when the documents were edited while we were down, or
  // when the persisted workloads give other members than the stored
  // version was made with (a crash between the inventory and the version
  // write): appliances may run either. Without an inventory file the
  // members come later (set_workloads compares).
  const bool members_moved = opt.workloads_persisted && (*snap)->membership != s->state_.membership;
  const bool changed = !fresh && (s->state_.digest != d || members_moved);
  bool bumped = false;
  if (changed) {
    auto next = api::next_policy_version(s->state_.version);
    if (next) {
      s->state_.version = *next;
      bumped = true;
    } else {
      // Still starts (and serves, and reports): the policy keeps its
      // number with the new content, so appliances that run the number
      // with the old content are in conflict (ApplianceLink), and every
      // start says so again until an operator resets the versions.
      s->startup_problems_.push_back(fmt::format(
          "{}: the documents or group members changed since version {} was stored, but {}; appliances that run "
          "version {} are reported in conflict (docs/design/control-plane.md, \"Versions\")",
          dir, s->state_.version, next.error().message, s->state_.version));
    }
  }
  for (auto it = s->state_.document_versions.begin(); it != s->state_.document_versions.end();) {
    it = s->docs_.count(it->first) ? std::next(it) : s->state_.document_versions.erase(it);
  }
  for (const auto& [name, yaml] : s->docs_) {
    auto& v = s->state_.document_versions[name];
    if (v == 0) v = s->state_.version;
  }
  if (fresh || changed) {
    s->state_.digest = d;
    s->state_.membership = (*snap)->membership;
  }
  if (fresh || bumped) {
    auto saved = save_version_state(dir, s->state_);
    if (!saved) return saved.error();
  }
  // Same documents: state_.membership keeps the members the stored version
  // was made with, for set_workloads to compare against.
  s->publish_locked(std::move(*snap));
  return s;
}

std::shared_ptr<const Snapshot> DesiredState::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

uint64_t DesiredState::version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_.version;
}

Outcome DesiredState::commit_locked(std::map<std::string, std::string> docs, policy::CompiledPolicy composed,
                                    std::shared_ptr<Snapshot> snap, const std::string& changed, bool removed) {
  auto next_version = api::next_policy_version(state_.version);
  if (!next_version) return Outcome::failed_precondition(no_successor_message(next_version.error()));
  VersionState next = state_;
  next.version = *next_version;
  next.digest = digest(docs);
  next.membership = snap->membership;
  if (removed) {
    next.document_versions.erase(changed);
  } else {
    next.document_versions[changed] = next.version;
  }
  // The document and the version file on disk first (all or nothing);
  // only then memory and the snapshot the appliances get.
  auto committed = commit_document_change(dir_, changed, removed ? nullptr : &docs.at(changed), next);
  if (!committed) return Outcome::unavailable(fmt::format("{}: nothing changed", committed.error().message));
  docs_ = std::move(docs);
  composed_ = std::move(composed);
  state_ = std::move(next);
  publish_locked(std::move(snap));
  return Outcome::success();
}

Outcome DesiredState::apply(const std::string& name, const std::string& yaml, bool dry_run,
                            std::vector<std::string>* errors, ApplyResult* result) {
  if (!valid_document_name(name)) {
    return Outcome::invalid(
        fmt::format("document.name: '{}' is not a valid name ([a-z0-9][a-z0-9._-]{{0,62}})", name));
  }
  if (yaml.size() > max_document_bytes_) {
    return Outcome::invalid(fmt::format("document.yaml: {} bytes, at most {} (--max-document-bytes)", yaml.size(),
                                        max_document_bytes_));
  }
  // Composed (signature sets compiled: seconds for a large new set) under
  // write_mu_ only: snapshot() and set_workloads are not held up, and no
  // other writer changes docs_ or composed_ meanwhile.
  std::lock_guard<std::mutex> writing(write_mu_);
  std::map<std::string, std::string> docs;
  std::vector<policy::SignatureSetText> checked;
  {
    std::lock_guard<std::mutex> lock(mu_);
    docs = docs_;
    checked = composed_.signature_sets;
  }
  docs[name] = yaml;
  auto composed = compose(docs, errors, &checked);
  if (!composed) return Outcome::invalid(join(*errors));
  std::lock_guard<std::mutex> lock(mu_);
  auto snap = resolve_locked(*composed);
  if (!snap) return Outcome::invalid(snap.error().message);
  result->rules = static_cast<uint32_t>((*snap)->policy.rules.size());
  result->warnings = (*snap)->warnings;
  result->version = state_.version;
  if (dry_run) return Outcome::success();
  auto it = docs_.find(name);
  if (it != docs_.end() && it->second == yaml) return Outcome::success();  // unchanged: same version
  Outcome o = commit_locked(std::move(docs), std::move(*composed), std::move(*snap), name, false);
  result->version = state_.version;
  return o;
}

Outcome DesiredState::remove(const std::string& name, uint64_t* new_version) {
  std::lock_guard<std::mutex> writing(write_mu_);  // as in apply()
  std::map<std::string, std::string> docs;
  std::vector<policy::SignatureSetText> checked;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!docs_.count(name)) return Outcome::not_found(fmt::format("policy document '{}' not found", name));
    docs = docs_;
    checked = composed_.signature_sets;
  }
  docs.erase(name);
  std::vector<std::string> errors;
  // Removing a document can leave a reference to a group it defined: the
  // composition is checked like any change.
  auto composed = compose(docs, &errors, &checked);
  if (!composed) return Outcome::invalid(join(errors));
  std::lock_guard<std::mutex> lock(mu_);
  auto snap = resolve_locked(*composed);
  if (!snap) return Outcome::invalid(snap.error().message);
  Outcome o = commit_locked(std::move(docs), std::move(*composed), std::move(*snap), name, true);
  *new_version = state_.version;
  return o;
}

Outcome DesiredState::set_workloads(uint64_t generation, std::vector<cp::LabeledAddress> workloads, bool* bumped) {
  *bumped = false;
  std::lock_guard<std::mutex> lock(mu_);
  if (generation < workloads_generation_) return Outcome::success();  // a later set is already in
  std::vector<cp::LabeledAddress> previous = std::move(workloads_);
  workloads_ = std::move(workloads);
  auto snap = resolve_locked(composed_);
  if (!snap) {
    workloads_ = std::move(previous);
    return Outcome::invalid(snap.error().message);
  }
  // Compared with what is published and with what the stored version was
  // made with: after a restart the two differ (no workloads yet), and
  // either difference means the appliances may run other members.
  if ((*snap)->membership == snapshot_->membership && (*snap)->membership == state_.membership) {
    workloads_generation_ = generation;
    return Outcome::success();
  }
  // Nothing changes on a refusal, the generation included: the same
  // workloads given again (an orchestrator's retry) try again.
  auto next_version = api::next_policy_version(state_.version);
  if (!next_version) {
    workloads_ = std::move(previous);
    return Outcome::failed_precondition(no_successor_message(next_version.error()));
  }
  VersionState next = state_;
  next.version = *next_version;
  next.membership = (*snap)->membership;
  if (auto saved = save_version_state(dir_, next); !saved) {
    workloads_ = std::move(previous);
    return Outcome::unavailable(fmt::format("{}: nothing changed", saved.error().message));
  }
  workloads_generation_ = generation;
  state_ = std::move(next);
  publish_locked(std::move(*snap));
  *bumped = true;
  return Outcome::success();
}

Outcome DesiredState::get(const std::string& name, StoredDocument* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = docs_.find(name);
  if (it == docs_.end()) return Outcome::not_found(fmt::format("policy document '{}' not found", name));
  out->name = name;
  out->yaml = it->second;
  auto v = state_.document_versions.find(name);
  out->version = v == state_.document_versions.end() ? state_.version : v->second;
  return Outcome::success();
}

std::vector<StoredDocument> DesiredState::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StoredDocument> out;
  for (const auto& [name, yaml] : docs_) {
    auto v = state_.document_versions.find(name);
    out.push_back({name, yaml, v == state_.document_versions.end() ? state_.version : v->second});
  }
  return out;
}

Outcome DesiredState::advance_past(uint64_t seen, uint64_t* desired) {
  std::lock_guard<std::mutex> lock(mu_);
  *desired = state_.version;
  if (seen < state_.version) return Outcome::success();
  auto next_version = api::next_policy_version(seen);
  if (!next_version) return Outcome::failed_precondition(next_version.error().message);
  VersionState next = state_;
  next.version = *next_version;
  // Persisted before anything is pushed under it.
  if (auto saved = save_version_state(dir_, next); !saved) return Outcome::unavailable(saved.error().message);
  state_ = std::move(next);
  publish_locked(std::make_shared<Snapshot>(*snapshot_));
  *desired = state_.version;
  return Outcome::success();
}

}  // namespace rampart::controller
