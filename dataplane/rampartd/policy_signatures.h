#pragma once
// Signature sets carried by a policy (docs/policy.md, "Signature sets"):
// parsed as strictly as the appliance API requires, for rampartd's start
// (--policy FILE) and for ApplyPolicy alike. The appliance runs its startup
// signatures (--rules, --rules-drop) together with the running policy's
// sets; a policy's sets must not reuse a sid of either.
//
// An error or an unsupported rule in a set is a problem (a set never loads
// weaker than written); each is reported with the set and its line. Cold,
// any thread.

#include <string>
#include <vector>

#include "common/policy/compiled_policy.h"
#include "common/policy/signature.h"

namespace rampart::dp {

// The identity of a policy's sets (names and texts, length-prefixed): two
// policies run the same signatures iff these are equal.
std::string signature_set_texts(const policy::CompiledPolicy& policy);

// Parses every set of `policy` into *out. Problems are appended to
// *errors as "<where>: NAME:LINE: ...", where `where` is
// "policy.signatures.sets[I] (NAME)" (API) or "FILE: signature set NAME"
// (a policy file). Returns whether there was none.
bool parse_policy_signature_sets(const policy::CompiledPolicy& policy, const std::vector<policy::Signature>& startup,
                                 bool api_paths, std::vector<policy::Signature>* out, std::vector<std::string>* errors);

// The entries of a compile's `unsupported` list that concern one of
// `policy_sigs` (matched by the signature's source, "NAME:LINE").
std::vector<std::string> policy_compile_problems(const std::vector<std::string>& unsupported,
                                                 const std::vector<policy::Signature>& policy_sigs);

}  // namespace rampart::dp
