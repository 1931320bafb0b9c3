#include "controlplane/compiler/group_resolution.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace rampart::cp {
namespace {

auto cidr_key(const Cidr& c) { return std::tie(c.family, c.addr, c.prefix_len); }

void sort_unique(std::vector<Cidr>& v) {
  std::sort(v.begin(), v.end(), [](const Cidr& a, const Cidr& b) { return cidr_key(a) < cidr_key(b); });
  v.erase(std::unique(v.begin(), v.end(), [](const Cidr& a, const Cidr& b) { return cidr_key(a) == cidr_key(b); }),
          v.end());
}

// Appends what `b` has and `a` lacks, keeping a's order (a rule's static
// CIDRs stay first, as written).
void append_missing(std::vector<Cidr>& a, const std::vector<Cidr>& b) {
  for (const auto& c : b) {
    const bool have = std::any_of(a.begin(), a.end(), [&](const Cidr& x) { return cidr_key(x) == cidr_key(c); });
    if (!have) a.push_back(c);
  }
}

bool selects(const GroupDefinition& g, const LabeledAddress& w) {
  if (g.selector.empty()) return false;
  return std::all_of(g.selector.begin(), g.selector.end(), [&](const auto& kv) {
    auto it = w.labels.find(kv.first);
    return it != w.labels.end() && it->second == kv.second;
  });
}

int families(const std::vector<Cidr>& v) {
  int f = 0;
  for (const auto& c : v) f |= (c.family == 4 ? 1 : 2);
  return f;
}

std::string names_of(const std::vector<GroupRef>& refs) {
  std::string s;
  for (const auto& r : refs) s += fmt::format("{}'{}'", s.empty() ? "" : ", ", r.name);
  return s;
}

// Why a resolved rule can never match; empty: it can.
std::string never_matches(const CompiledRule& r, bool src_named, bool dst_named) {
  std::vector<std::string> empty;
  std::size_t empty_groups = 0;
  auto side = [&](const char* name, const std::vector<GroupRef>& refs) {
    empty.push_back(fmt::format("{} group{} {}", name, refs.size() == 1 ? "" : "s", names_of(refs)));
    empty_groups += refs.size();
  };
  if (src_named && r.src.empty()) side("src", r.src_groups);
  if (dst_named && r.dst.empty()) side("dst", r.dst_groups);
  if (!empty.empty()) {
    return fmt::format("{}{} {} no members", empty[0], empty.size() > 1 ? " and " + empty[1] : "",
                       empty_groups > 1 ? "have" : "has");
  }
  const int fs = families(r.src), fd = families(r.dst);
  if (fs != 0 && fd != 0 && (fs & fd) == 0) return "its src and dst addresses have no IP family in common";
  if ((r.protocol == 1 && (fs == 2 || fd == 2)) || (r.protocol == 58 && (fs == 1 || fd == 1))) {
    return "its protocol and the address family of its members disagree";
  }
  return "";
}

const GroupDefinition* find_group(const CompiledPolicy& p, const std::string& name) {
  for (const auto& g : p.group_definitions) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

}  // namespace

std::string format_inactive(const InactiveRule& r, const char* severity) {
  return fmt::format("{}: {}: rule '{}' is inactive (left out, it matches nothing): {}", r.source, severity, r.rule,
                     r.why);
}

void check_group_references(const CompiledPolicy& policy, std::vector<std::string>* errors) {
  for (const auto& r : policy.rules) {
    for (const auto* refs : {&r.src_groups, &r.dst_groups}) {
      for (const auto& g : *refs) {
        if (find_group(policy, g.name) == nullptr) {
          errors->push_back(fmt::format("{}: error: rule '{}' refers to group '{}', which is not defined", g.at,
                                        r.name, g.name));
        }
      }
    }
  }
}

Result<Ok> resolve_groups(CompiledPolicy& policy, const std::vector<LabeledAddress>& workloads,
                          std::vector<InactiveRule>* inactive) {
  std::map<std::string, std::vector<Cidr>> members;
  std::vector<GroupScope> scopes;
  for (const auto& g : policy.group_definitions) {
    GroupScope s{g.name, g.mode, g.cidrs, g.source};
    for (const auto& w : workloads) {
      if (selects(g, w)) s.members.push_back(w.host);
    }
    sort_unique(s.members);
    members[g.name] = s.members;
    scopes.push_back(std::move(s));
  }
  for (const auto& r : policy.rules) {
    for (const auto* refs : {&r.src_groups, &r.dst_groups}) {
      for (const auto& g : *refs) {
        if (!members.count(g.name)) return Error{fmt::format("{}: unknown group '{}'", g.at, g.name)};
      }
    }
  }
  std::vector<CompiledRule> rules;
  for (auto& r : policy.rules) {
    const bool src_named = !r.src_groups.empty(), dst_named = !r.dst_groups.empty();
    for (const auto& g : r.src_groups) append_missing(r.src, members[g.name]);
    for (const auto& g : r.dst_groups) append_missing(r.dst, members[g.name]);
    if (src_named || dst_named) {
      if (std::string why = never_matches(r, src_named, dst_named); !why.empty()) {
        inactive->push_back({r.name, r.source, std::move(why)});
        continue;
      }
    }
    r.src_groups.clear();
    r.dst_groups.clear();
    rules.push_back(std::move(r));
  }
  policy.rules = std::move(rules);
  policy.groups = std::move(scopes);
  return Ok{};
}

Result<Ok> resolve_static_groups(CompiledPolicy& policy, std::vector<std::string>* errors) {
  const std::size_t before = errors->size();
  for (const auto& g : policy.group_definitions) {
    if (!g.selector.empty()) {
      errors->push_back(fmt::format("{}: error: group '{}': selector groups need rampart-controller (its workload "
                                    "inventory resolves them); a standalone rampartd takes groups with 'cidrs' only",
                                    g.name_at, g.name));
    }
  }
  check_group_references(policy, errors);
  if (errors->size() != before) {
    return Error{fmt::format("{}: {} error{} in groups", policy.origin, errors->size() - before,
                             errors->size() - before == 1 ? "" : "s")};
  }
  CompiledPolicy resolved = policy;
  std::vector<InactiveRule> inactive;
  auto r = resolve_groups(resolved, {}, &inactive);
  if (!r) return r;
  // Static groups always have members: a rule that still matches nothing
  // is a mistake in the file, as for plain CIDRs.
  for (const auto& i : inactive) errors->push_back(format_inactive(i, "error"));
  if (!inactive.empty()) return Error{fmt::format("{}: rules that can never match", policy.origin)};
  policy = std::move(resolved);
  return Ok{};
}

}  // namespace rampart::cp
