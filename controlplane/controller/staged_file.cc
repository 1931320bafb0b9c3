#include "controlplane/controller/staged_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

namespace rampart::controller {

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string staging_name(const std::string& path, const char* kind) {
  const auto slash = path.rfind('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return fmt::format("{}/.{}.{}{}", directory_of(path), base, kind, ::getpid());
}

bool is_staging_leftover(const std::string& file_name) {
  if (file_name.size() < 2 || file_name[0] != '.') return false;
  const std::string_view n(file_name);
  const auto digits = n.find_last_not_of("0123456789");
  if (digits == std::string_view::npos || digits + 1 == n.size()) return false;
  const std::string_view head = n.substr(0, digits + 1);
  for (std::string_view kind : {".tmp", ".old"}) {
    if (head.size() > kind.size() + 1 && head.substr(head.size() - kind.size()) == kind) return true;
  }
  return false;
}

Result<Ok> sync_directory(const std::string& dir) {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Error{fmt::format("cannot open {}: {}", dir, std::strerror(errno))};
  const int rc = ::fsync(dfd);
  const int e = errno;
  ::close(dfd);
  if (rc != 0) return Error{fmt::format("cannot sync {}: {}", dir, std::strerror(e))};
  return Ok{};
}

Result<StagedFile> StagedFile::write(const std::string& path, const std::string& content) {
  const std::string tmp = staging_name(path, "tmp");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Error{fmt::format("cannot write {}: {}", tmp, std::strerror(errno))};
  std::size_t off = 0;
  int failed = 0;
  while (off < content.size() && failed == 0) {
    const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno != EINTR) failed = errno;
      continue;
    }
    off += static_cast<std::size_t>(n);
  }
  // fsync reports space the filesystem could only find at writeback.
  if (failed == 0 && ::fsync(fd) != 0) failed = errno;
  if (::close(fd) != 0 && failed == 0) failed = errno;
  if (failed != 0) {
    ::unlink(tmp.c_str());
    return Error{fmt::format("cannot write {}: {}", tmp, std::strerror(failed))};
  }
  return StagedFile(path, tmp);
}

StagedFile::StagedFile(StagedFile&& other) noexcept : path_(std::move(other.path_)), tmp_(std::move(other.tmp_)) {
  other.tmp_.clear();
}

StagedFile::~StagedFile() {
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

Result<Ok> StagedFile::commit() {
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    return Error{fmt::format("cannot rename {} to {}: {}", tmp_, path_, std::strerror(errno))};
  }
  tmp_.clear();
  return Ok{};
}

}  // namespace rampart::controller
