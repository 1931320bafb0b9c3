#pragma once
// rampartd's exit statuses (docs/rampartd.md, "Exit status").

namespace rampart::dp {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;       // nothing or not everything ran
inline constexpr int kExitUsage = 2;       // a bad command line
inline constexpr int kExitIncomplete = 3;  // offline: a truncated capture or an interrupted run

}  // namespace rampart::dp
