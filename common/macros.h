#pragma once
// Branch hints, inlining and the three kinds of checks (see STYLE.md):
// RAMPART_DCHECK for invariants (debug builds), RAMPART_CHECK for init-time
// failures that must stop the process with a clear message.

#include <cstdio>
#include <cstdlib>

#define RAMPART_LIKELY(x) __builtin_expect(!!(x), 1)
#define RAMPART_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RAMPART_ALWAYS_INLINE inline __attribute__((always_inline))

#define RAMPART_CHECK(cond, msg)                                              \
  do {                                                                        \
    if (RAMPART_UNLIKELY(!(cond))) {                                          \
      std::fprintf(stderr, "rampart: fatal: %s (%s at %s:%d)\n", (msg), #cond, \
                   __FILE__, __LINE__);                                       \
      std::abort();                                                           \
    }                                                                         \
  } while (0)

#ifdef NDEBUG
#define RAMPART_DCHECK(cond) ((void)0)
#else
#define RAMPART_DCHECK(cond) RAMPART_CHECK(cond, "invariant violated")
#endif
