#pragma once
// Policy v0 compiler: YAML text -> CompiledPolicy. Cold, allocating, may be
// called from any thread. Reports every error it finds, each with
// file:line:column, and never returns a partially valid policy.

#include <string>
#include <string_view>
#include <vector>

#include "controlplane/compiler/compiled_policy.h"
#include "dataplane/common/result.h"

namespace rampart::cp {

// `origin` names the source in messages (a file name). On failure every
// error is appended to *errors as "file:line:col: error: message" and the
// returned Error summarises them.
Result<CompiledPolicy> compile_policy_yaml(std::string_view yaml_text, const std::string& origin,
                                           std::vector<std::string>* errors);

Result<CompiledPolicy> compile_policy_file(const std::string& path, std::vector<std::string>* errors);

}  // namespace rampart::cp
