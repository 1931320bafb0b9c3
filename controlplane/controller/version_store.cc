#include "controlplane/controller/version_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <sstream>

#include <fmt/format.h>

#include "controlplane/api/policy_version.h"
#include "controlplane/compiler/bounded_file.h"
#include "controlplane/controller/staged_file.h"

namespace rampart::controller {
namespace {

// A line per document: far more than any policy directory needs.
constexpr std::size_t kMaxVersionFileBytes = std::size_t{16} << 20;

}  // namespace

Result<VersionState> load_version_state(const std::string& dir) {
  const std::string path = dir + "/" + kVersionFile;
  VersionState s;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) return s;
  auto text = cp::read_bounded_file(path, kMaxVersionFileBytes, "the controller's version file");
  if (!text) return Error{fmt::format("cannot read {}", text.error().message)};
  std::istringstream in(*text);
  std::string line;
  if (!std::getline(in, line)) return Error{fmt::format("{}: empty (expected the policy version)", path)};
  const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), s.version);
  if (ec != std::errc() || end != line.data() + line.size() || !api::valid_policy_version(s.version)) {
    return Error{fmt::format("{}:1: '{}' is not a policy version (1-{}); fix the file, or remove it to start "
                             "again at version 1 (the controller then continues above the version its "
                             "appliances run)",
                             path, line, api::kMaxPolicyVersion)};
  }
  int lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    std::istringstream ls(line);
    std::string kind, name;
    uint64_t v = 0;
    ls >> kind;
    if (kind == "digest") {
      ls >> s.digest;
    } else if (kind == "groups") {
      ls >> s.membership;
    } else if (kind == "doc" && (ls >> name >> v)) {
      s.document_versions[name] = v;
    } else {
      return Error{fmt::format("{}:{}: cannot parse '{}'", path, lineno, line)};
    }
  }
  return s;
}

Result<std::string> format_version_state(const VersionState& s) {
  // Never write what load_version_state would refuse: the controller must
  // always be able to start again.
  if (!api::valid_policy_version(s.version)) {
    return Error{fmt::format("refusing to store policy version {} (1-{})", s.version, api::kMaxPolicyVersion)};
  }
  std::string text = fmt::format("{}\n", s.version);
  if (!s.digest.empty()) text += fmt::format("digest {}\n", s.digest);
  if (!s.membership.empty()) text += fmt::format("groups {}\n", s.membership);
  for (const auto& [name, v] : s.document_versions) text += fmt::format("doc {} {}\n", name, v);
  return text;
}

Result<Ok> save_version_state(const std::string& dir, const VersionState& s) {
  auto text = format_version_state(s);
  if (!text) return Error{fmt::format("{}/{}: {}", dir, kVersionFile, text.error().message)};
  return write_file_atomic(dir + "/" + kVersionFile, *text);
}

Result<Ok> write_file_atomic(const std::string& path, const std::string& content) {
  auto staged = StagedFile::write(path, content);
  if (!staged) return staged.error();
  if (auto done = staged->commit(); !done) return done.error();
  // The rename itself must survive a crash too.
  (void)sync_directory(directory_of(path));
  return Ok{};
}

}  // namespace rampart::controller
