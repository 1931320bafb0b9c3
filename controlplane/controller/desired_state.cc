#include "controlplane/controller/desired_state.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "controlplane/controller/policy_composer.h"

namespace rampart::controller {
namespace {

namespace fs = std::filesystem;

std::vector<DocumentText> as_documents(const std::map<std::string, std::string>& docs) {
  std::vector<DocumentText> v;
  for (const auto& [name, yaml] : docs) v.push_back({name, yaml});
  return v;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
  return s;
}

}  // namespace

std::string DesiredState::digest(const std::map<std::string, std::string>& docs) {
  // FNV-1a 64: stable across builds and platforms, unlike std::hash.
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull;  // separator
  };
  for (const auto& [name, yaml] : docs) {
    mix(name);
    mix(yaml);
  }
  return fmt::format("{:016x}", h);
}

Result<std::unique_ptr<DesiredState>> DesiredState::open(const std::string& dir, std::vector<std::string>* errors) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return Error{fmt::format("cannot create {}: {}", dir, ec.message())};
  }
  if (!fs::is_directory(dir, ec)) return Error{fmt::format("{} is not a directory", dir)};
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) return Error{fmt::format("{}: not writable", dir)};
  std::unique_ptr<DesiredState> s(new DesiredState(dir));
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string file = e.path().filename().string();
    if (file.empty() || file[0] == '.' || e.path().extension() != ".yaml") continue;
    const std::string name = e.path().stem().string();
    if (!valid_document_name(name)) {
      errors->push_back(fmt::format("{}: error: not a valid document name (use [a-z0-9][a-z0-9._-]{{0,62}}.yaml)",
                                    e.path().string()));
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    if (!in) {
      errors->push_back(fmt::format("{}: error: cannot read", e.path().string()));
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    s->docs_[name] = ss.str();
  }
  if (ec) return Error{fmt::format("cannot list {}: {}", dir, ec.message())};
  if (!errors->empty()) return Error{fmt::format("{}: invalid policy documents", dir)};
  auto policy = compose_policy(as_documents(s->docs_), errors);
  if (!policy) return Error{fmt::format("{}: {}", dir, policy.error().message)};
  auto st = load_version_state(dir);
  if (!st) return st.error();
  s->state_ = *st;
  const std::string d = digest(s->docs_);
  const bool fresh = !fs::exists(fs::path(dir) / kVersionFile, ec);
  if (!fresh && s->state_.digest != d) ++s->state_.version;  // edited while we were down
  for (auto it = s->state_.document_versions.begin(); it != s->state_.document_versions.end();) {
    it = s->docs_.count(it->first) ? std::next(it) : s->state_.document_versions.erase(it);
  }
  for (const auto& [name, yaml] : s->docs_) {
    auto& v = s->state_.document_versions[name];
    if (v == 0) v = s->state_.version;
  }
  if (fresh || s->state_.digest != d) {
    s->state_.digest = d;
    auto saved = save_version_state(dir, s->state_);
    if (!saved) return saved.error();
  }
  auto snap = std::make_shared<Snapshot>();
  snap->version = s->state_.version;
  snap->policy = std::move(*policy);
  snap->policy.origin = fmt::format("controller:{}", snap->version);
  s->snapshot_ = std::move(snap);
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

Outcome DesiredState::commit_locked(std::map<std::string, std::string> docs, cp::CompiledPolicy policy,
                                    const std::string& changed, bool removed) {
  const std::string path = fmt::format("{}/{}.yaml", dir_, changed);
  if (removed) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Outcome::unavailable(fmt::format("cannot remove {}: {}", path, std::strerror(errno)));
    }
  } else {
    auto w = write_file_atomic(path, docs.at(changed));
    if (!w) return Outcome::unavailable(w.error().message);
  }
  VersionState next = state_;
  ++next.version;
  next.digest = digest(docs);
  if (removed) {
    next.document_versions.erase(changed);
  } else {
    next.document_versions[changed] = next.version;
  }
  auto saved = save_version_state(dir_, next);
  // The document is already in place: keep memory in step with the disk
  // even if the version file could not be written (the digest check at the
  // next start bumps the version then).
  docs_ = std::move(docs);
  state_ = std::move(next);
  auto snap = std::make_shared<Snapshot>();
  snap->version = state_.version;
  snap->policy = std::move(policy);
  snap->policy.origin = fmt::format("controller:{}", snap->version);
  snapshot_ = std::move(snap);
  if (!saved) return Outcome::unavailable(saved.error().message);
  return Outcome::success();
}

Outcome DesiredState::apply(const std::string& name, const std::string& yaml, bool dry_run,
                            std::vector<std::string>* errors, ApplyResult* result) {
  if (!valid_document_name(name)) {
    return Outcome::invalid(
        fmt::format("document.name: '{}' is not a valid name ([a-z0-9][a-z0-9._-]{{0,62}})", name));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto docs = docs_;
  docs[name] = yaml;
  auto policy = compose_policy(as_documents(docs), errors);
  if (!policy) return Outcome::invalid(join(*errors));
  result->rules = static_cast<uint32_t>(policy->rules.size());
  result->version = state_.version;
  if (dry_run) return Outcome::success();
  auto it = docs_.find(name);
  if (it != docs_.end() && it->second == yaml) return Outcome::success();  // unchanged: same version
  Outcome o = commit_locked(std::move(docs), std::move(*policy), name, false);
  result->version = state_.version;
  return o;
}

Outcome DesiredState::remove(const std::string& name, uint64_t* new_version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!docs_.count(name)) return Outcome::not_found(fmt::format("policy document '{}' not found", name));
  auto docs = docs_;
  docs.erase(name);
  std::vector<std::string> errors;
  auto policy = compose_policy(as_documents(docs), &errors);
  // Removing a document cannot make the others invalid, but be sure.
  if (!policy) return Outcome::invalid(join(errors));
  Outcome o = commit_locked(std::move(docs), std::move(*policy), name, true);
  *new_version = state_.version;
  return o;
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

uint64_t DesiredState::advance_past(uint64_t seen) {
  std::lock_guard<std::mutex> lock(mu_);
  if (seen < state_.version) return state_.version;
  VersionState next = state_;
  next.version = seen + 1;
  // Best effort: if this cannot be saved the next start repeats it.
  (void)save_version_state(dir_, next);
  state_ = std::move(next);
  auto snap = std::make_shared<Snapshot>(*snapshot_);
  snap->version = state_.version;
  snap->policy.origin = fmt::format("controller:{}", snap->version);
  snapshot_ = std::move(snap);
  return state_.version;
}

}  // namespace rampart::controller
