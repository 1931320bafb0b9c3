#pragma once
// StagedFile: a file written in full under a hidden temporary name beside
// its destination (".NAME.tmpPID") and fsynced, put in place later by one
// rename (commit()). A change that touches several files stages all of
// them first: a full disk (ENOSPC) or any other write error then fails
// before anything visible changes, and only renames, which need no space,
// are left for the commit. An uncommitted StagedFile removes its
// temporary when destroyed.
// Hidden names (".NAME.tmpPID", ".NAME.oldPID" for a copy set aside during
// a commit) never look like policy documents; a crash can leave them
// behind, and is_staging_leftover() recognises them for removal at start.
// Cold; the caller serialises access to the directory.

#include <string>

#include "common/result.h"

namespace rampart::controller {

class StagedFile {
 public:
  static Result<StagedFile> write(const std::string& path, const std::string& content);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  // Renames the temporary over the destination (no directory fsync: see
  // sync_directory).
  Result<Ok> commit();
  const std::string& path() const { return path_; }

 private:
  StagedFile(std::string path, std::string tmp) : path_(std::move(path)), tmp_(std::move(tmp)) {}
  std::string path_;
  std::string tmp_;  // "" once committed or moved from
};

// ".BASE.KINDPID" beside `path` (KIND: "tmp" or "old").
std::string staging_name(const std::string& path, const char* kind);
// A name staging_name() makes (any pid).
bool is_staging_leftover(const std::string& file_name);
// fsync of the directory, so that renames in it survive a crash.
Result<Ok> sync_directory(const std::string& dir);
std::string directory_of(const std::string& path);

}  // namespace rampart::controller
