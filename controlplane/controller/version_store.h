#pragma once
// VersionStore: the controller's persisted policy version, in
// DIR/.rampart-version, always replaced atomically (write a temporary file,
// fsync, rename). The file is text: the desired version on the first line,
// then "digest HEX" (of the documents that version describes, so documents
// edited while the controller was down still produce a new version) and
// one "doc NAME VERSION" line per document (the version it last changed
// in), and "groups HEX" (digest of the groups' members) when the
// documents define groups. A missing file means version 1 and no
// documents.
// Cold; the caller serialises access.

#include <cstdint>
#include <map>
#include <string>

#include "common/result.h"

namespace rampart::controller {

struct VersionState {
  uint64_t version = 1;
  std::string digest;
  std::map<std::string, uint64_t> document_versions;
  // Digest of the groups' resolved members that version was made with
  // ("" without groups): an inventory that moves them is a new version.
  std::string membership;
};

inline constexpr const char* kVersionFile = ".rampart-version";
// Hyperscan databases of the signature sets the controller compiled to
// check them (cp::SignatureCompileOptions::cache_dir), keyed by content.
inline constexpr const char* kSignatureCacheDir = ".hs-cache";

// Missing file: the defaults above. A file that cannot be read or parsed is
// an error naming it.
Result<VersionState> load_version_state(const std::string& dir);
Result<Ok> save_version_state(const std::string& dir, const VersionState& s);
// The file's text; an error for a version load_version_state would refuse.
Result<std::string> format_version_state(const VersionState& s);

// Writes `content` to `path` atomically (staged_file.h): readers see the
// old or the new file, never a partial one; a failed write changes nothing.
Result<Ok> write_file_atomic(const std::string& path, const std::string& content);

}  // namespace rampart::controller
