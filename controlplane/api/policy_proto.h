#pragma once
// Conversion between the compiler's CompiledPolicy and the appliance API's
// rampart.dataplane.v1.Policy message. The controller compiles policy
// documents and sends the result; rampartd checks every field again
// before it builds a rule set from it (a message may come from any tool).
// Cold, any thread.

#include <cstdint>
#include <string>
#include <vector>

#include "appliance.pb.h"
#include "common/policy/compiled_policy.h"
#include "common/result.h"

namespace rampart::api {

// Every problem is appended to *errors as "policy.rules[3].dst[0]: ..."
// (field path, then what is wrong); on any, the Error joins them.
Result<policy::CompiledPolicy> policy_from_proto(const rampart::dataplane::v1::Policy& p, std::vector<std::string>* errors);

// Refuses (out untouched) a policy that is not fully_resolved(): a rule
// still carrying group references would go out with an empty src/dst,
// which the appliance reads as "any address".
Result<Ok> policy_to_proto(const policy::CompiledPolicy& c, uint64_t version, rampart::dataplane::v1::Policy* out);

}  // namespace rampart::api
