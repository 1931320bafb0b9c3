#pragma once
// Policy versions, shared by rampartd (what ApplyPolicy accepts), the
// controller (every version it computes) and rampartctl: a version is
// 1..kMaxPolicyVersion (0 means "the appliance's startup policy" and is
// never applied). Versions only grow and never wrap: every accepted
// version has a successor that is a valid number, and a successor past
// the top is refused with a message, never computed by overflowing.
// The top is 2^63 - 1 so that versions also fit signed 64-bit integers
// (JSON, SQL, Java and Go tools); no deployment applies 2^63 versions,
// so only a version set by hand can get there. Cold; any thread.

#include <cstdint>
#include <limits>

#include "common/result.h"

namespace rampart::api {

inline constexpr uint64_t kMaxPolicyVersion = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

inline bool valid_policy_version(uint64_t v) { return v >= 1 && v <= kMaxPolicyVersion; }

// v + 1, or an error saying that v has no successor (v == kMaxPolicyVersion
// or above).
Result<uint64_t> next_policy_version(uint64_t v);

}  // namespace rampart::api
