#pragma once
// Policy v0 compiler: YAML text -> CompiledPolicy. Cold, allocating, may be
// called from any thread. Reports every error it finds, each with
// file:line:column, and never returns a partially valid policy. The text
// is read with load_yaml_checked (yaml_load.h): duplicate keys, merge keys
// and a second document are errors too.
// Groups are compiled as written (CompiledPolicy::group_definitions, rules'
// src_groups / dst_groups); resolving them to addresses is a separate step
// (group_resolution.h), done by the controller against its inventory or by
// compile_policy_file for a standalone appliance.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "controlplane/compiler/model.h"
#include "common/result.h"

namespace rampart::cp {

// Names of groups, signature sets and controller documents:
// [a-z0-9][a-z0-9._-]{0,62}.
bool valid_policy_name(std::string_view name);

// `origin` names the source in messages (a file name). On failure every
// error is appended to *errors as "file:line:col: error: message" and the
// returned Error summarises them. Group references are NOT resolved (the
// result may not be fully_resolved()); has_signature_sets is true iff the
// text has a `signature_sets` key.
Result<CompiledPolicy> compile_policy_yaml(std::string_view yaml_text, const std::string& origin,
                                           std::vector<std::string>* errors);

// The standalone appliance's compile (rampartd --policy / --validate):
// compile_policy_yaml, then resolve_static_groups (a group with a selector
// is an error: there is no inventory without rampart-controller). The
// result is fully_resolved().
// Policy files and documents larger than this are refused unread (the
// largest policy an appliance accepts, 131,072 rules, is about 13 MB of
// YAML); the controller's limit is --max-document-bytes.
inline constexpr std::size_t kMaxPolicyFileBytes = std::size_t{16} << 20;

Result<CompiledPolicy> compile_policy_file(const std::string& path, std::vector<std::string>* errors);

}  // namespace rampart::cp
