#pragma once
// CancelCheck: how a long cold build (RuleSet::build and its parts) learns
// that its result is no longer wanted: the gRPC caller gave up (cancelled,
// or its deadline passed) or rampartd is stopping. Builds ask it between
// steps and every kCancelCheckStride items of their long loops, and return
// cancelled_error() when it says true; nothing is published then. Any
// thread.

#include <cstddef>
#include <functional>

#include "common/result.h"

namespace rampart {

using CancelCheck = std::function<bool()>;

// Items a build loop handles between two questions: a few hundred
// microseconds of work, so giving up is prompt and asking costs nothing.
inline constexpr std::size_t kCancelCheckStride = 4096;

inline bool cancel_requested(const CancelCheck& check) { return check && check(); }

inline constexpr const char* kCancelledMessage = "cancelled";
inline Error cancelled_error() { return Error{kCancelledMessage}; }
inline bool is_cancelled(const Error& e) { return e.message == kCancelledMessage; }

}  // namespace rampart
