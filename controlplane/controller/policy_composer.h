#pragma once
// Policy composition: the controller's effective policy from its policy
// documents. Documents are taken in name order; each is compiled on its own
// (errors read "NAME.yaml:LINE:COL: error: ..."), then their rules are
// concatenated. `default_action` and `non_ip` may be set by at most one
// document; unset, they keep the policy v0 defaults (allow, allow). Rule
// names are unique across documents; a rule without a name is called
// "DOC.rule-N" (N counts from 1 within its document) so that unnamed rules
// of different documents do not collide. Groups and signature sets are
// gathered from every document (names unique across documents); a rule may
// refer to a group another document defines. The result is NOT resolved
// (group_resolution.h: DesiredState resolves it against the inventory) and
// always has has_signature_sets (the controller is authoritative). The
// signature sets are checked with the signature parser and then compiled
// together, once per composition, with the appliances' signature compiler
// (a rule the appliance would refuse, unsupported ones included, is an
// error). Pure function apart from the Hyperscan cache; any thread.

#include <string>
#include <string_view>
#include <vector>

#include "common/policy/compiled_policy.h"
#include "common/result.h"

namespace rampart::controller {

struct DocumentText {
  std::string name;  // without ".yaml"
  std::string yaml;
};

// [a-z0-9][a-z0-9._-]{0,62}
bool valid_document_name(std::string_view name);

struct ComposeOptions {
  // Compile the signature sets (cp::SignatureCheckOptions::compile).
  bool compile_signatures = true;
  std::string signature_cache_dir;  // Hyperscan cache; "" none
  // Sets that already passed the check (the current composition's): when
  // the composition has exactly these (names and texts, in order), they
  // are not checked again.
  const std::vector<policy::SignatureSetText>* checked_signature_sets = nullptr;
};

// On failure every error is appended to *errors and the Error counts them.
Result<policy::CompiledPolicy> compose_policy(std::vector<DocumentText> documents, std::vector<std::string>* errors,
                                          const ComposeOptions& opt = {});

}  // namespace rampart::controller
