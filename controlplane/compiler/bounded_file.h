#pragma once
// read_bounded_file: the whole content of a file whose size someone else
// decides (an operator, or whoever can write where it lives: policy
// documents and files, rule files, the controller's state files, TLS
// files), read only if it is a regular file (a symlink to one is fine)
// and never beyond `max_bytes`. A FIFO, a device (/dev/zero), a socket or
// a directory is refused without reading (and without blocking: a FIFO
// nobody writes to would hang an ordinary open), so is a file larger than
// the limit, and one that grows past it while being read. Errors name the
// file, what it was read as, and the limit.
// Cold; any thread.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rampart::cp {

// `what` says what the file is, for messages ("a policy document");
// `limit_hint` how to change the limit, if it can be ("--max-document-bytes").
Result<std::string> read_bounded_file(const std::string& path, std::size_t max_bytes, std::string_view what,
                                      std::string_view limit_hint = {});

// Whether `path` names a regular file (after symlinks) and so may be read;
// else why not ("a FIFO", ...). Does not open it.
Result<Ok> check_regular_file(const std::string& path, std::string_view what);

}  // namespace rampart::cp
