#pragma once
// Checks the signature sets a policy carries with the signature parser
// (signature_parser.h), without compiling them: the controller refuses a
// document whose set does not parse before any appliance sees it. The
// appliance compiles the sets itself (Hyperscan) and remains the final
// judge. Cold, any thread.

#include <string>
#include <vector>

#include "controlplane/compiler/compiled_policy.h"

namespace rampart::cp {

// Every set is parsed with SignatureVars::defaults() as one rule set (sids
// are unique across sets). A rule that is not valid syntax, a duplicate
// sid, and a valid rule outside the supported subset are all errors (the
// appliance refuses a policy with any of them). Each names the document
// line and the set's own line:
//   "web.yaml:15: error: web-extra:2: <message>"
//   "web.yaml:16: error: web-extra:3: unsupported: <message>"
// (web.yaml:15 is where that rule is in the document when the text is a
// block scalar, else the line that defines the set).
void check_signature_sets(const CompiledPolicy& policy, std::vector<std::string>* errors);

}  // namespace rampart::cp
