#pragma once
// Checks the signature sets a policy carries with the signature parser
// (signature_parser.h) and, on request, with the signature compiler
// (signature_compiler.h, Hyperscan) the appliances use: the controller
// refuses a document whose set an appliance would refuse before any
// appliance sees it. The appliance compiles the sets itself and remains
// the final judge (its Hyperscan may differ). Cold, any thread; with
// `compile`, seconds for a large set that is not in the cache.

#include <string>
#include <string_view>
#include <vector>

#include "controlplane/compiler/model.h"

namespace rampart::cp {

struct SignatureCheckOptions {
  // Also compile the parsed signatures (once, all sets together, as the
  // appliance does) when the parse found nothing wrong: what only the
  // compiler refuses (content on icmp, signatures with only negated
  // contents, pcres Hyperscan rejects) is an error too.
  bool compile = false;
  std::string cache_dir;  // Hyperscan database cache (SignatureCompileOptions::cache_dir); "" none
  unsigned threads = 0;   // SignatureCompileOptions::threads
};

// Every set is parsed with SignatureVars::defaults() as one rule set (sids
// are unique across sets). A rule that is not valid syntax, a duplicate
// sid, and a valid rule outside the supported subset are all errors (the
// appliance refuses a policy with any of them). Each names the document
// line and the set's own line:
//   "web.yaml:15: error: web-extra:2: <message>"
//   "web.yaml:16: error: web-extra:3: unsupported: <message>"
// (web.yaml:15 is where that rule is in the document when the text is a
// block scalar, else the line that defines the set). The compiler's
// unsupported rules read the same; a compile that fails as a whole (no
// single rule to blame) is reported at the first set:
//   "web.yaml:12: error: signature sets: <message>"
void check_signature_sets(const CompiledPolicy& policy, std::vector<std::string>* errors,
                          const SignatureCheckOptions& opt = {});

// One parser message about a set of `policy` ("SET:LINE: error: ..." or
// "SET:LINE: unsupported: ...", `kind` saying which) in the form above,
// the rule's place in the policy file first; other messages unchanged.
std::string signature_set_message_at(const CompiledPolicy& policy, const std::string& message, std::string_view kind);

}  // namespace rampart::cp
