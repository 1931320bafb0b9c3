#pragma once
// The signatures rampartd starts with, loaded the same way for --validate
// and for a run: --rules files (as written), --rules-drop files (alert
// enforced as drop, suricata-update's drop.conf for whole files), and the
// policy file's signature sets (as strictly as through the API:
// policy_signatures.h). Every problem is collected; --validate prints them
// all, a run refuses to start on any. Cold, before the EAL starts; the
// compile can take seconds (cached on disk).

#include <string>
#include <vector>

#include "common/policy/compiled_policy.h"
#include "common/policy/compiled_signatures.h"
#include "common/result.h"
#include "controlplane/compiler/signature_parser.h"
#include "dataplane/rampartd/options.h"

namespace rampart::dp {

struct StartupSignatures {
  cp::SignatureSet files;  // --rules and --rules-drop: signatures, errors, unsupported
  bool readable = true;    // every file could be read
  std::vector<policy::Signature> policy_sigs;  // of the policy's sets
  std::vector<std::string> set_problems;       // the sets' errors and unsupported rules
  // Whether anything is wrong before compiling (a run refuses then).
  bool parse_ok() const { return readable && files.errors.empty() && set_problems.empty(); }
};

// Reads and parses the startup signatures of `o` and `policy`.
StartupSignatures load_startup_signatures(const Options& o, const policy::CompiledPolicy& policy);

struct CompiledStartupSignatures {
  policy::CompiledSignatures compiled;
  // The compiler's refusals of rules of the policy's sets, each naming the
  // policy file line (a set never loads weaker than written).
  std::vector<std::string> set_problems;
};

// Compiles the files' and the sets' signatures together (the sets' are
// moved out of `s`).
Result<CompiledStartupSignatures> compile_startup_signatures(StartupSignatures& s,
                                                             const policy::CompiledPolicy& policy,
                                                             const std::string& cache_dir);

}  // namespace rampart::dp
