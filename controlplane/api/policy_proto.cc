#include "controlplane/api/policy_proto.h"

#include <fmt/format.h>

#include <set>

#include "controlplane/api/policy_version.h"
#include "controlplane/api/request_checks.h"
#include "controlplane/compiler/cidr.h"
#include "controlplane/compiler/group_resolution.h"

namespace rampart::api {
namespace {

namespace v1 = rampart::dataplane::v1;

bool action_from_proto(v1::Action a, policy::Action* out) {
  switch (a) {
    case v1::ACTION_ALLOW: *out = policy::Action::kAllow; return true;
    case v1::ACTION_DENY: *out = policy::Action::kDeny; return true;
    case v1::ACTION_REJECT: *out = policy::Action::kReject; return true;
    default: return false;
  }
}

v1::Action action_to_proto(policy::Action a) {
  switch (a) {
    case policy::Action::kAllow: return v1::ACTION_ALLOW;
    case policy::Action::kDeny: return v1::ACTION_DENY;
    case policy::Action::kReject: return v1::ACTION_REJECT;
  }
  return v1::ACTION_UNSPECIFIED;
}

// Errors a policy reports at most: beyond, the rest are counted, not
// listed (a message full of mistakes tells no more).
constexpr std::size_t kMaxListedErrors = 100;

// Collects the errors of one policy; full() once kMaxListedErrors are in,
// when the conversion stops looking.
class Problems {
 public:
  explicit Problems(std::vector<std::string>* errors) : errors_(errors), before_(errors->size()) {}
  void add(std::string e) {
    if (!full()) errors_->push_back(std::move(e));
  }
  void add_if(std::string e) {
    if (!e.empty()) add(std::move(e));
  }
  bool full() const { return count() >= kMaxListedErrors; }
  std::size_t count() const { return errors_->size() - before_; }
  std::size_t before() const { return before_; }

 private:
  std::vector<std::string>* errors_;
  std::size_t before_;
};

// Within the limit `max`, else the error (and the list is not looked at).
bool count_ok(int size, std::size_t max, const std::string& path, Problems* problems) {
  if (static_cast<std::size_t>(size) <= max) return true;
  problems->add(too_many(path, size, max));
  return false;
}

void cidrs_from_proto(const google::protobuf::RepeatedPtrField<v1::Cidr>& in, const std::string& path,
                      std::vector<policy::Cidr>* out, Problems* problems) {
  if (!count_ok(in.size(), kMaxPrefixesPerList, path, problems)) return;
  for (int i = 0; i < in.size() && !problems->full(); ++i) {
    const std::string at = fmt::format("{}[{}].prefix", path, i);
    if (in[i].prefix().size() > kMaxAddressBytes) {
      problems->add(too_long(at, in[i].prefix().size(), kMaxAddressBytes));
      continue;
    }
    std::string why;
    auto c = cp::parse_cidr(in[i].prefix(), &why);
    if (!c) {
      problems->add(fmt::format("{}: {}", at, why));
      continue;
    }
    out->push_back(*c);
  }
}

void ports_from_proto(const google::protobuf::RepeatedPtrField<v1::PortRange>& in, const std::string& path,
                      std::vector<policy::PortRange>* out, Problems* problems) {
  if (!count_ok(in.size(), kMaxPortRangesPerList, path, problems)) return;
  for (int i = 0; i < in.size() && !problems->full(); ++i) {
    const auto& r = in[i];
    if (r.first() > 65535 || r.last() > 65535 || r.first() > r.last()) {
      problems->add(fmt::format("{}[{}]: range {}-{} is not 0-65535 with first <= last", path, i, r.first(),
                                r.last()));
      continue;
    }
    out->push_back(policy::PortRange{static_cast<uint16_t>(r.first()), static_cast<uint16_t>(r.last())});
  }
}

bool mode_from_proto(v1::GroupMode m, policy::GroupMode* out) {
  switch (m) {
    case v1::GROUP_MODE_PROTECT: *out = policy::GroupMode::kProtect; return true;
    case v1::GROUP_MODE_MONITOR: *out = policy::GroupMode::kMonitor; return true;
    case v1::GROUP_MODE_DISCOVER: *out = policy::GroupMode::kDiscover; return true;
    default: return false;
  }
}

v1::GroupMode mode_to_proto(policy::GroupMode m) {
  switch (m) {
    case policy::GroupMode::kProtect: return v1::GROUP_MODE_PROTECT;
    case policy::GroupMode::kMonitor: return v1::GROUP_MODE_MONITOR;
    case policy::GroupMode::kDiscover: return v1::GROUP_MODE_DISCOVER;
  }
  return v1::GROUP_MODE_UNSPECIFIED;
}

// A name: required, at most kMaxNameBytes, unique among `names`.
void name_from_proto(const std::string& name, const std::string& path, std::set<std::string>* names,
                     Problems* problems) {
  if (name.size() > kMaxNameBytes) {
    problems->add(too_long(path, name.size(), kMaxNameBytes));
  } else if (!names->insert(name).second) {
    problems->add(fmt::format("{}: '{}' is not unique", path, name));
  }
}

std::string source_from_proto(const std::string& source, const std::string& at, Problems* problems) {
  if (source.size() > kMaxSourceBytes) {
    problems->add(too_long(at + ".source", source.size(), kMaxSourceBytes));
    return at;
  }
  return source.empty() ? at : source;
}

void groups_from_proto(const v1::Policy& p, policy::CompiledPolicy* c, Problems* problems) {
  if (!count_ok(p.groups_size(), kMaxGroups, "policy.groups", problems)) return;
  std::size_t members = 0;
  for (const auto& g : p.groups()) members += static_cast<std::size_t>(g.members_size());
  if (members > kMaxGroupMembers) {
    problems->add(fmt::format("policy.groups: {} members in all, at most {}", members, kMaxGroupMembers));
    return;
  }
  std::set<std::string> names;
  for (int i = 0; i < p.groups_size() && !problems->full(); ++i) {
    const v1::Group& g = p.groups(i);
    const std::string at = fmt::format("policy.groups[{}]", i);
    policy::GroupScope out;
    if (g.name().empty()) {
      problems->add(fmt::format("{}.name: required", at));
    } else {
      name_from_proto(g.name(), at + ".name", &names, problems);
      out.name = g.name();
    }
    if (!mode_from_proto(g.mode(), &out.mode)) {
      problems->add(fmt::format("{}.mode: must be GROUP_MODE_PROTECT, GROUP_MODE_MONITOR or GROUP_MODE_DISCOVER", at));
    }
    cidrs_from_proto(g.members(), at + ".members", &out.members, problems);
    out.source = source_from_proto(g.source(), at, problems);
    c->groups.push_back(std::move(out));
  }
}

void signatures_from_proto(const v1::Policy& p, policy::CompiledPolicy* c, Problems* problems) {
  if (!p.has_signatures()) return;
  c->has_signature_sets = true;
  if (!count_ok(p.signatures().sets_size(), kMaxSignatureSets, "policy.signatures.sets", problems)) return;
  std::set<std::string> names;
  for (int i = 0; i < p.signatures().sets_size() && !problems->full(); ++i) {
    const v1::SignatureSet& s = p.signatures().sets(i);
    const std::string at = fmt::format("policy.signatures.sets[{}]", i);
    if (s.name().empty()) {
      problems->add(fmt::format("{}.name: required", at));
    } else {
      name_from_proto(s.name(), at + ".name", &names, problems);
    }
    problems->add_if(length_error(at + ".rules", s.rules(), kMaxSignatureSetBytes));
    policy::SignatureSetText set;
    set.name = s.name();
    set.text = s.rules();
    set.source = at;
    c->signature_sets.push_back(std::move(set));
  }
}

}  // namespace

Result<policy::CompiledPolicy> policy_from_proto(const v1::Policy& p, std::vector<std::string>* errors) {
  Problems problems(errors);
  policy::CompiledPolicy c;
  if (!valid_policy_version(p.version())) {
    problems.add(fmt::format("policy.version: {} is not 1-{} (0 is the startup policy; versions end there so that "
                             "every one has a successor)",
                             p.version(), kMaxPolicyVersion));
  }
  if (!action_from_proto(p.default_action(), &c.default_action)) {
    problems.add("policy.default_action: must be ACTION_ALLOW, ACTION_DENY or ACTION_REJECT");
  }
  if (p.non_ip_action() == v1::ACTION_ALLOW || p.non_ip_action() == v1::ACTION_DENY) {
    c.non_ip_allow = p.non_ip_action() == v1::ACTION_ALLOW;
  } else {
    problems.add("policy.non_ip_action: must be ACTION_ALLOW or ACTION_DENY");
  }
  if (p.origin().size() > kMaxOriginBytes) {
    problems.add(too_long("policy.origin", p.origin().size(), kMaxOriginBytes));
  } else {
    c.origin = p.origin().empty() ? fmt::format("api@{}", p.version()) : p.origin();
  }
  std::set<std::string> names;
  for (int i = 0; i < p.rules_size() && !problems.full(); ++i) {
    const v1::Rule& r = p.rules(i);
    const std::string at = fmt::format("policy.rules[{}]", i);
    policy::CompiledRule out;
    out.name = r.name().empty() ? fmt::format("rule-{}", i) : r.name();
    name_from_proto(out.name, at + ".name", &names, &problems);
    if (!action_from_proto(r.action(), &out.action)) {
      problems.add(fmt::format("{}.action: must be ACTION_ALLOW, ACTION_DENY or ACTION_REJECT", at));
    }
    if (r.protocol() < -1 || r.protocol() > 255) {
      problems.add(fmt::format("{}.protocol: {} is not -1 (any) or 0-255", at, r.protocol()));
    }
    out.protocol = r.protocol();
    cidrs_from_proto(r.src(), at + ".src", &out.src, &problems);
    cidrs_from_proto(r.dst(), at + ".dst", &out.dst, &problems);
    ports_from_proto(r.src_ports(), at + ".src_ports", &out.src_ports, &problems);
    ports_from_proto(r.dst_ports(), at + ".dst_ports", &out.dst_ports, &problems);
    const bool has_ports = !out.src_ports.empty() || !out.dst_ports.empty();
    if (has_ports && out.protocol != 6 && out.protocol != 17 && out.protocol != 132) {
      problems.add(fmt::format("{}: ports need protocol 6 (tcp), 17 (udp) or 132 (sctp)", at));
    }
    out.source = source_from_proto(r.source(), at, &problems);
    c.rules.push_back(std::move(out));
  }
  groups_from_proto(p, &c, &problems);
  signatures_from_proto(p, &c, &problems);
  if (problems.count() != 0) {
    std::string all;
    for (std::size_t i = problems.before(); i < errors->size(); ++i) all += (all.empty() ? "" : "; ") + (*errors)[i];
    if (problems.full()) all += "; (only the first " + std::to_string(kMaxListedErrors) + " problems are listed)";
    return Error{all};
  }
  return c;
}

Result<Ok> policy_to_proto(const policy::CompiledPolicy& c, uint64_t version, v1::Policy* out) {
  if (!policy::fully_resolved(c)) {
    return Error{fmt::format("policy {}: groups are not resolved to addresses; refusing to send it", c.origin)};
  }
  out->Clear();
  out->set_version(version);
  out->set_default_action(action_to_proto(c.default_action));
  out->set_non_ip_action(c.non_ip_allow ? v1::ACTION_ALLOW : v1::ACTION_DENY);
  out->set_origin(c.origin);
  for (const auto& r : c.rules) {
    v1::Rule* pr = out->add_rules();
    pr->set_name(r.name);
    pr->set_action(action_to_proto(r.action));
    pr->set_protocol(r.protocol);
    for (const auto& s : r.src) pr->add_src()->set_prefix(cp::format_cidr(s));
    for (const auto& d : r.dst) pr->add_dst()->set_prefix(cp::format_cidr(d));
    for (const auto& p : r.src_ports) {
      auto* x = pr->add_src_ports();
      x->set_first(p.lo);
      x->set_last(p.hi);
    }
    for (const auto& p : r.dst_ports) {
      auto* x = pr->add_dst_ports();
      x->set_first(p.lo);
      x->set_last(p.hi);
    }
    pr->set_source(r.source);
  }
  for (const auto& g : c.groups) {
    v1::Group* pg = out->add_groups();
    pg->set_name(g.name);
    pg->set_mode(mode_to_proto(g.mode));
    for (const auto& m : g.members) pg->add_members()->set_prefix(cp::format_cidr(m));
    pg->set_source(g.source);
  }
  if (c.has_signature_sets) {
    v1::SignatureSets* ss = out->mutable_signatures();
    for (const auto& s : c.signature_sets) {
      v1::SignatureSet* ps = ss->add_sets();
      ps->set_name(s.name);
      ps->set_rules(s.text);
    }
  }
  return Ok{};
}

}  // namespace rampart::api
