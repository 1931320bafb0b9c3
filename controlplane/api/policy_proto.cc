#include "controlplane/api/policy_proto.h"

#include <fmt/format.h>

#include <set>

#include "controlplane/api/policy_version.h"
#include "controlplane/compiler/cidr.h"
#include "controlplane/compiler/group_resolution.h"

namespace rampart::api {
namespace {

namespace v1 = rampart::dataplane::v1;

bool action_from_proto(v1::Action a, cp::Action* out) {
  switch (a) {
    case v1::ACTION_ALLOW: *out = cp::Action::kAllow; return true;
    case v1::ACTION_DENY: *out = cp::Action::kDeny; return true;
    case v1::ACTION_REJECT: *out = cp::Action::kReject; return true;
    default: return false;
  }
}

v1::Action action_to_proto(cp::Action a) {
  switch (a) {
    case cp::Action::kAllow: return v1::ACTION_ALLOW;
    case cp::Action::kDeny: return v1::ACTION_DENY;
    case cp::Action::kReject: return v1::ACTION_REJECT;
  }
  return v1::ACTION_UNSPECIFIED;
}

void cidrs_from_proto(const google::protobuf::RepeatedPtrField<v1::Cidr>& in, const std::string& path,
                      std::vector<cp::Cidr>* out, std::vector<std::string>* errors) {
  for (int i = 0; i < in.size(); ++i) {
    std::string why;
    auto c = cp::parse_cidr(in[i].prefix(), &why);
    if (!c) {
      errors->push_back(fmt::format("{}[{}].prefix: {}", path, i, why));
      continue;
    }
    out->push_back(*c);
  }
}

void ports_from_proto(const google::protobuf::RepeatedPtrField<v1::PortRange>& in, const std::string& path,
                      std::vector<cp::PortRange>* out, std::vector<std::string>* errors) {
  for (int i = 0; i < in.size(); ++i) {
    const auto& r = in[i];
    if (r.first() > 65535 || r.last() > 65535 || r.first() > r.last()) {
      errors->push_back(fmt::format("{}[{}]: range {}-{} is not 0-65535 with first <= last", path, i, r.first(),
                                    r.last()));
      continue;
    }
    out->push_back(cp::PortRange{static_cast<uint16_t>(r.first()), static_cast<uint16_t>(r.last())});
  }
}

bool mode_from_proto(v1::GroupMode m, cp::GroupMode* out) {
  switch (m) {
    case v1::GROUP_MODE_PROTECT: *out = cp::GroupMode::kProtect; return true;
    case v1::GROUP_MODE_MONITOR: *out = cp::GroupMode::kMonitor; return true;
    case v1::GROUP_MODE_DISCOVER: *out = cp::GroupMode::kDiscover; return true;
    default: return false;
  }
}

v1::GroupMode mode_to_proto(cp::GroupMode m) {
  switch (m) {
    case cp::GroupMode::kProtect: return v1::GROUP_MODE_PROTECT;
    case cp::GroupMode::kMonitor: return v1::GROUP_MODE_MONITOR;
    case cp::GroupMode::kDiscover: return v1::GROUP_MODE_DISCOVER;
  }
  return v1::GROUP_MODE_UNSPECIFIED;
}

void groups_from_proto(const v1::Policy& p, cp::CompiledPolicy* c, std::vector<std::string>* errors) {
  std::set<std::string> names;
  for (int i = 0; i < p.groups_size(); ++i) {
    const v1::Group& g = p.groups(i);
    const std::string at = fmt::format("policy.groups[{}]", i);
    cp::GroupScope out;
    out.name = g.name();
    if (out.name.empty()) errors->push_back(fmt::format("{}.name: required", at));
    if (!out.name.empty() && !names.insert(out.name).second) {
      errors->push_back(fmt::format("{}.name: '{}' is not unique", at, out.name));
    }
    if (!mode_from_proto(g.mode(), &out.mode)) {
      errors->push_back(fmt::format("{}.mode: must be GROUP_MODE_PROTECT, GROUP_MODE_MONITOR or GROUP_MODE_DISCOVER",
                                    at));
    }
    cidrs_from_proto(g.members(), at + ".members", &out.members, errors);
    out.source = g.source().empty() ? at : g.source();
    c->groups.push_back(std::move(out));
  }
}

void signatures_from_proto(const v1::Policy& p, cp::CompiledPolicy* c, std::vector<std::string>* errors) {
  if (!p.has_signatures()) return;
  c->has_signature_sets = true;
  std::set<std::string> names;
  for (int i = 0; i < p.signatures().sets_size(); ++i) {
    const v1::SignatureSet& s = p.signatures().sets(i);
    const std::string at = fmt::format("policy.signatures.sets[{}]", i);
    if (s.name().empty()) {
      errors->push_back(fmt::format("{}.name: required", at));
    } else if (!names.insert(s.name()).second) {
      errors->push_back(fmt::format("{}.name: '{}' is not unique", at, s.name()));
    }
    cp::SignatureSetText set;
    set.name = s.name();
    set.text = s.rules();
    set.source = at;
    c->signature_sets.push_back(std::move(set));
  }
}

}  // namespace

Result<cp::CompiledPolicy> policy_from_proto(const v1::Policy& p, std::vector<std::string>* errors) {
  const std::size_t before = errors->size();
  cp::CompiledPolicy c;
  if (!valid_policy_version(p.version())) {
    errors->push_back(fmt::format("policy.version: {} is not 1-{} (0 is the startup policy; versions end there so "
                                  "that every one has a successor)",
                                  p.version(), kMaxPolicyVersion));
  }
  if (!action_from_proto(p.default_action(), &c.default_action)) {
    errors->push_back("policy.default_action: must be ACTION_ALLOW, ACTION_DENY or ACTION_REJECT");
  }
  if (p.non_ip_action() == v1::ACTION_ALLOW || p.non_ip_action() == v1::ACTION_DENY) {
    c.non_ip_allow = p.non_ip_action() == v1::ACTION_ALLOW;
  } else {
    errors->push_back("policy.non_ip_action: must be ACTION_ALLOW or ACTION_DENY");
  }
  c.origin = p.origin().empty() ? fmt::format("api@{}", p.version()) : p.origin();
  std::set<std::string> names;
  for (int i = 0; i < p.rules_size(); ++i) {
    const v1::Rule& r = p.rules(i);
    const std::string at = fmt::format("policy.rules[{}]", i);
    cp::CompiledRule out;
    out.name = r.name().empty() ? fmt::format("rule-{}", i) : r.name();
    if (!names.insert(out.name).second) errors->push_back(fmt::format("{}.name: '{}' is not unique", at, out.name));
    if (!action_from_proto(r.action(), &out.action)) {
      errors->push_back(fmt::format("{}.action: must be ACTION_ALLOW, ACTION_DENY or ACTION_REJECT", at));
    }
    if (r.protocol() < -1 || r.protocol() > 255) {
      errors->push_back(fmt::format("{}.protocol: {} is not -1 (any) or 0-255", at, r.protocol()));
    }
    out.protocol = r.protocol();
    cidrs_from_proto(r.src(), at + ".src", &out.src, errors);
    cidrs_from_proto(r.dst(), at + ".dst", &out.dst, errors);
    ports_from_proto(r.src_ports(), at + ".src_ports", &out.src_ports, errors);
    ports_from_proto(r.dst_ports(), at + ".dst_ports", &out.dst_ports, errors);
    const bool has_ports = !out.src_ports.empty() || !out.dst_ports.empty();
    if (has_ports && out.protocol != 6 && out.protocol != 17 && out.protocol != 132) {
      errors->push_back(fmt::format("{}: ports need protocol 6 (tcp), 17 (udp) or 132 (sctp)", at));
    }
    out.source = r.source().empty() ? at : r.source();
    c.rules.push_back(std::move(out));
  }
  groups_from_proto(p, &c, errors);
  signatures_from_proto(p, &c, errors);
  if (errors->size() != before) {
    std::string all;
    for (std::size_t i = before; i < errors->size(); ++i) all += (all.empty() ? "" : "; ") + (*errors)[i];
    return Error{all};
  }
  return c;
}

Result<Ok> policy_to_proto(const cp::CompiledPolicy& c, uint64_t version, v1::Policy* out) {
  if (!cp::fully_resolved(c)) {
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
