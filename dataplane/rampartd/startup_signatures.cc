#include "dataplane/rampartd/startup_signatures.h"

#include <utility>

#include "controlplane/compiler/signature_compiler.h"
#include "controlplane/compiler/signature_set_check.h"
#include "dataplane/rampartd/policy_signatures.h"

namespace rampart::dp {

StartupSignatures load_startup_signatures(const Options& o, const policy::CompiledPolicy& policy) {
  StartupSignatures s;
  const cp::SignatureVars vars = cp::SignatureVars::defaults();
  for (const auto& r : o.rules) s.readable = cp::load_signatures(r, vars, s.files) && s.readable;
  for (const auto& r : o.rules_drop) {
    const std::size_t first = s.files.signatures.size();
    s.readable = cp::load_signatures(r, vars, s.files) && s.readable;
    for (std::size_t i = first; i < s.files.signatures.size(); ++i) {
      if (s.files.signatures[i].action == policy::SigAction::kAlert) {
        s.files.signatures[i].action = policy::SigAction::kDrop;
      }
    }
  }
  parse_policy_signature_sets(policy, s.files.signatures, false, &s.policy_sigs, &s.set_problems);
  return s;
}

Result<CompiledStartupSignatures> compile_startup_signatures(StartupSignatures& s,
                                                             const policy::CompiledPolicy& policy,
                                                             const std::string& cache_dir) {
  std::vector<policy::Signature> all = s.files.signatures;
  const std::vector<policy::Signature> policy_sigs = s.policy_sigs;
  for (auto& sig : s.policy_sigs) all.push_back(std::move(sig));
  s.policy_sigs.clear();
  cp::SignatureCompileOptions copt;
  copt.cache_dir = cache_dir;
  auto compiled = cp::compile_signatures(std::move(all), copt);
  if (!compiled) return compiled.error();
  CompiledStartupSignatures out;
  for (const auto& e : policy_compile_problems(compiled->unsupported, policy_sigs)) {
    out.set_problems.push_back(cp::signature_set_message_at(policy, e, "unsupported"));
  }
  out.compiled = std::move(*compiled);
  return out;
}

}  // namespace rampart::dp
