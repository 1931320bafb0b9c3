#include "controlplane/controller/version_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "controlplane/api/policy_version.h"

namespace rampart::controller {

Result<VersionState> load_version_state(const std::string& dir) {
  const std::string path = dir + "/" + kVersionFile;
  VersionState s;
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return s;
    return Error{fmt::format("cannot read {}: {}", path, std::strerror(errno))};
  }
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

Result<Ok> save_version_state(const std::string& dir, const VersionState& s) {
  // Never write what load_version_state would refuse: the controller must
  // always be able to start again.
  if (!api::valid_policy_version(s.version)) {
    return Error{fmt::format("{}/{}: refusing to store policy version {} (1-{})", dir, kVersionFile, s.version,
                             api::kMaxPolicyVersion)};
  }
  std::string text = fmt::format("{}\n", s.version);
  if (!s.digest.empty()) text += fmt::format("digest {}\n", s.digest);
  if (!s.membership.empty()) text += fmt::format("groups {}\n", s.membership);
  for (const auto& [name, v] : s.document_versions) text += fmt::format("doc {} {}\n", name, v);
  return write_file_atomic(dir + "/" + kVersionFile, text);
}

Result<Ok> write_file_atomic(const std::string& path, const std::string& content) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  // Hidden and not *.yaml: a crash leaves nothing that looks like a document.
  const std::string tmp = fmt::format("{}/.{}.tmp{}", dir, base, ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Error{fmt::format("cannot write {}: {}", tmp, std::strerror(errno))};
  std::size_t off = 0;
  while (off < content.size()) {
    const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error{fmt::format("cannot write {}: {}", tmp, std::strerror(e))};
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return Error{fmt::format("cannot write {}: {}", tmp, std::strerror(e))};
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return Error{fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(e))};
  }
  // The rename itself must survive a crash too.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok{};
}

}  // namespace rampart::controller
