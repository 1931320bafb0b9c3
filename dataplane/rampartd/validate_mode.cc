#include "dataplane/rampartd/validate_mode.h"

#include <fmt/format.h>

#include "dataplane/rampartd/exit_status.h"
#include "dataplane/rampartd/startup_signatures.h"

namespace rampart::dp {

int run_validate(const Options& o, const policy::CompiledPolicy& policy) {
  fmt::print("{}: OK, {} rule{}, default {}\n", policy.origin, policy.rules.size(),
             policy.rules.size() == 1 ? "" : "s", policy::action_name(policy.default_action));
  if (o.rules.empty() && o.rules_drop.empty() && policy.signature_sets.empty()) return kExitOk;
  StartupSignatures s = load_startup_signatures(o, policy);
  for (const auto& e : s.files.errors) fmt::print("{}\n", e);
  for (const auto& u : s.files.unsupported) fmt::print("{}\n", u);
  for (const auto& e : s.set_problems) fmt::print("{}\n", e);
  if (!policy.signature_sets.empty()) {
    fmt::print("{}: {} signature set{}, {} signatures\n", policy.origin, policy.signature_sets.size(),
               policy.signature_sets.size() == 1 ? "" : "s", s.policy_sigs.size());
  }
  fmt::print("signatures: {} rules, {} parsed, {} unsupported, {} errors\n", s.files.rule_lines,
             s.files.signatures.size() + s.policy_sigs.size(), s.files.unsupported.size(), s.files.errors.size());
  const bool parse_ok = s.parse_ok();
  auto compiled = compile_startup_signatures(s, policy, o.hs_cache_dir);
  if (!compiled) {
    fmt::print("signatures: Hyperscan compile failed: {}\n", compiled.error().message);
    return kExitError;
  }
  const policy::CompiledSignatures& c = compiled->compiled;
  for (const auto& u : c.unsupported) fmt::print("{}\n", u);
  std::size_t patterns = c.tcp_stream.patterns, bytes = c.tcp_stream.serialized.size();
  for (const auto& db : c.databases) {
    patterns += db.patterns;
    bytes += db.serialized.size();
  }
  fmt::print("hyperscan: {} signatures compiled ({} patterns, {} of them raw TCP stream in streaming mode, "
             "{} KiB of databases), {} unsupported by Hyperscan, {:.1f} s{}\n",
             c.signatures.size(), patterns, c.tcp_stream.patterns, bytes / 1024, c.unsupported.size(),
             c.compile_seconds, c.cache_hits > 0 ? " (from cache)" : "");
  return parse_ok && compiled->set_problems.empty() ? kExitOk : kExitError;
}

}  // namespace rampart::dp
