#include "controlplane/api/policy_version.h"

#include <fmt/format.h>

namespace rampart::api {

Result<uint64_t> next_policy_version(uint64_t v) {
  if (v >= kMaxPolicyVersion) {
    return Error{fmt::format("policy version {} has no successor: versions end at {} and never wrap", v,
                             kMaxPolicyVersion)};
  }
  return v + 1;
}

}  // namespace rampart::api
