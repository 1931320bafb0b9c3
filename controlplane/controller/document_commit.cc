#include "controlplane/controller/document_commit.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "controlplane/controller/staged_file.h"

namespace rampart::controller {
namespace {

std::string errno_text() { return std::strerror(errno); }

// Puts the document back as it was before step 2.
Result<Ok> undo_document(const std::string& path, const std::string& aside, bool had_old) {
  if (had_old) {
    if (::rename(aside.c_str(), path.c_str()) != 0) {
      return Error{fmt::format("cannot put {} back from {}: {}", path, aside, errno_text())};
    }
  } else if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Error{fmt::format("cannot remove the new {}: {}", path, errno_text())};
  }
  return Ok{};
}

}  // namespace

Result<Ok> commit_document_change(const std::string& dir, const std::string& name, const std::string* new_text,
                                  const VersionState& next) {
  const std::string path = fmt::format("{}/{}.yaml", dir, name);
  const std::string aside = staging_name(path, "old");
  auto version_text = format_version_state(next);
  if (!version_text) return Error{fmt::format("{}/{}: {}", dir, kVersionFile, version_text.error().message)};

  // 1. Stage everything that needs space.
  std::optional<StagedFile> document;
  if (new_text != nullptr) {
    auto staged = StagedFile::write(path, *new_text);
    if (!staged) return staged.error();
    document.emplace(std::move(*staged));
  }
  auto version = StagedFile::write(fmt::format("{}/{}", dir, kVersionFile), *version_text);
  if (!version) return version.error();
  struct stat st;
  const bool had_old = ::lstat(path.c_str(), &st) == 0;
  ::unlink(aside.c_str());  // a leftover of this pid's earlier crash
  if (had_old && new_text != nullptr && ::link(path.c_str(), aside.c_str()) != 0) {
    return Error{fmt::format("cannot keep {} as {} while it is replaced: {}", path, aside, errno_text())};
  }

  // 2. The document.
  if (new_text != nullptr) {
    if (auto placed = document->commit(); !placed) {
      if (had_old) ::unlink(aside.c_str());
      return placed.error();
    }
  } else if (had_old && ::rename(path.c_str(), aside.c_str()) != 0) {
    return Error{fmt::format("cannot remove {}: {}", path, errno_text())};
  }
  auto synced = sync_directory(dir);

  // 3. The version file; on failure the document goes back.
  Result<Ok> versioned = synced ? version->commit() : Result<Ok>(synced.error());
  if (!versioned) {
    auto undone = undo_document(path, aside, had_old);
    if (!undone) {
      return Error{fmt::format("{}; and {} (the next start gives the documents on disk a new version)",
                               versioned.error().message, undone.error().message)};
    }
    return Error{fmt::format("{} ({} is as it was)", versioned.error().message, path)};
  }
  (void)sync_directory(dir);

  // 4. The old document's second name.
  if (had_old) ::unlink(aside.c_str());
  return Ok{};
}

}  // namespace rampart::controller
