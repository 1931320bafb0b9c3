#include "controlplane/compiler/bounded_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace rampart::cp {
namespace {

const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

Result<Ok> regular(const std::string& path, const struct stat& st, std::string_view what) {
  if (S_ISREG(st.st_mode)) return Ok{};
  return Error{fmt::format("{}: {}, not a regular file: refusing to read it as {}", path, kind_of(st.st_mode), what)};
}

// `size`: the file's size, or 0 when it grew past the limit while read.
std::string too_large(const std::string& path, std::size_t size, std::size_t max_bytes, std::string_view what,
                      std::string_view hint) {
  return fmt::format("{}: {}, more than the {} bytes allowed for {}{}", path,
                     size != 0 ? fmt::format("{} bytes", size) : std::string("grew while read"), max_bytes, what,
                     hint.empty() ? "" : fmt::format(" ({})", hint));
}

}  // namespace

Result<Ok> check_regular_file(const std::string& path, std::string_view what) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Error{fmt::format("{}: {}", path, std::strerror(errno))};
  return regular(path, st, what);
}

Result<std::string> read_bounded_file(const std::string& path, std::size_t max_bytes, std::string_view what,
                                      std::string_view limit_hint) {
  // stat first: a device is never even opened (opening one can act).
  if (auto ok = check_regular_file(path, what); !ok) return ok.error();
  // O_NONBLOCK: if the name now points at a FIFO, open does not wait for
  // a writer; fstat below refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Error{fmt::format("{}: {}", path, std::strerror(errno))};
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return Error{fmt::format("{}: {}", path, std::strerror(e))};
  }
  if (auto ok = regular(path, st, what); !ok) {
    ::close(fd);
    return ok.error();
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Error{too_large(path, static_cast<std::size_t>(st.st_size), max_bytes, what, limit_hint)};
  }
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t used = 0;
  for (;;) {
    if (used == out.size()) {
      // Grown since fstat: keep going, but never past the limit.
      if (out.size() > max_bytes) break;
      out.resize(std::min(max_bytes + 1, std::max<std::size_t>(out.size() * 2, 4096)));
    }
    const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return Error{fmt::format("{}: {}", path, std::strerror(e))};
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (used > max_bytes) return Error{too_large(path, 0, max_bytes, what, limit_hint)};
  out.resize(used);
  return out;
}

}  // namespace rampart::cp
