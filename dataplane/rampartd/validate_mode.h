#pragma once
// rampartd --validate: checks the policy file and the startup signatures
// (--rules, --rules-drop, the policy's sets) without starting the EAL,
// prints every problem with file:line, and returns the exit status (0 when
// nothing is wrong). Cold.

#include "common/policy/compiled_policy.h"
#include "dataplane/rampartd/options.h"

namespace rampart::dp {

int run_validate(const Options& o, const policy::CompiledPolicy& policy);

}  // namespace rampart::dp
