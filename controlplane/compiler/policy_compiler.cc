#include "controlplane/compiler/policy_compiler.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "controlplane/compiler/bounded_file.h"
#include "controlplane/compiler/cidr.h"
#include "controlplane/compiler/group_resolution.h"
#include "controlplane/compiler/yaml_load.h"

namespace rampart::cp {

namespace {

// Collects errors with positions; yaml-cpp marks are 0-based.
class ErrorSink {
 public:
  // `already`: errors the caller appended before (the YAML loader's).
  ErrorSink(const std::string& origin, std::vector<std::string>* out, int already = 0)
      : origin_(origin), out_(out), count_(already) {}
  void add(const YAML::Mark& m, const std::string& msg) {
    if (m.is_null()) {
      out_->push_back(fmt::format("{}: error: {}", origin_, msg));
    } else {
      out_->push_back(fmt::format("{}:{}:{}: error: {}", origin_, m.line + 1, m.column + 1, msg));
    }
    ++count_;
  }
  std::string where(const YAML::Mark& m) const { return fmt::format("{}:{}", origin_, m.line + 1); }
  std::string where_col(const YAML::Mark& m) const {
    return fmt::format("{}:{}:{}", origin_, m.line + 1, m.column + 1);
  }
  int count() const { return count_; }

 private:
  const std::string& origin_;
  std::vector<std::string>* out_;
  int count_;
};

std::optional<Action> parse_action(const YAML::Node& n, ErrorSink& err, const char* key) {
  if (!n.IsScalar()) {
    err.add(n.Mark(), fmt::format("'{}' must be one of allow, deny, reject", key));
    return std::nullopt;
  }
  const std::string v = n.Scalar();
  if (v == "allow") return Action::kAllow;
  if (v == "deny" || v == "drop") return Action::kDeny;
  if (v == "reject") return Action::kReject;
  err.add(n.Mark(), fmt::format("'{}: {}' is not an action: use allow, deny or reject", key, v));
  return std::nullopt;
}

std::optional<int> parse_protocol(const YAML::Node& n, ErrorSink& err) {
  if (!n.IsScalar()) {
    err.add(n.Mark(), "'protocol' must be a name (any, tcp, udp, icmp, icmpv6, sctp) or a number 0-255");
    return std::nullopt;
  }
  const std::string v = n.Scalar();
  if (v == "any") return -1;
  if (v == "tcp") return 6;
  if (v == "udp") return 17;
  if (v == "icmp") return 1;
  if (v == "icmpv6" || v == "ipv6-icmp") return 58;
  if (v == "sctp") return 132;
  int num = -1;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), num);
  if (ec == std::errc() && ptr == v.data() + v.size() && num >= 0 && num <= 255) return num;
  err.add(n.Mark(), fmt::format("'protocol: {}' is unknown: use any, tcp, udp, icmp, icmpv6, sctp or 0-255", v));
  return std::nullopt;
}

// A list-or-scalar field: calls fn for each scalar element.
template <typename Fn>
void for_each_scalar(const YAML::Node& n, ErrorSink& err, const char* key, Fn fn,
                     const char* if_empty = "omit it to mean any") {
  if (n.IsScalar()) {
    fn(n);
  } else if (n.IsSequence()) {
    if (n.size() == 0) err.add(n.Mark(), fmt::format("'{}' is an empty list: {}", key, if_empty));
    for (const auto& e : n) {
      if (e.IsScalar()) {
        fn(e);
      } else {
        err.add(e.Mark(), fmt::format("'{}' entries must be scalars", key));
      }
    }
  } else {
    err.add(n.Mark(), fmt::format("'{}' must be a value or a list of values", key));
  }
}

bool parse_port_number(std::string_view s, uint16_t* out) {
  unsigned v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty() || v > 65535) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

std::vector<PortRange> parse_ports(const YAML::Node& n, ErrorSink& err, const char* key) {
  std::vector<PortRange> out;
  for_each_scalar(n, err, key, [&](const YAML::Node& e) {
    const std::string v = e.Scalar();
    PortRange r;
    if (auto dash = v.find('-'); dash != std::string::npos) {
      if (!parse_port_number(std::string_view(v).substr(0, dash), &r.lo) ||
          !parse_port_number(std::string_view(v).substr(dash + 1), &r.hi)) {
        err.add(e.Mark(), fmt::format("'{}: {}' is not a port range: use a-b with ports 0-65535", key, v));
        return;
      }
      if (r.lo > r.hi) {
        err.add(e.Mark(), fmt::format("'{}: {}' is reversed: the first port must not exceed the second", key, v));
        return;
      }
    } else {
      if (!parse_port_number(v, &r.lo)) {
        err.add(e.Mark(), fmt::format("'{}: {}' is not a port (0-65535) or range (a-b)", key, v));
        return;
      }
      r.hi = r.lo;
    }
    out.push_back(r);
  });
  return out;
}

constexpr std::string_view kGroupPrefix = "group:";

// A rule's src / dst: CIDRs and "group:NAME" references, mixed freely.
void parse_addresses(const YAML::Node& n, ErrorSink& err, const char* key, std::vector<Cidr>* cidrs,
                     std::vector<GroupRef>* groups) {
  for_each_scalar(n, err, key, [&](const YAML::Node& e) {
    const std::string& v = e.Scalar();
    if (v.rfind(kGroupPrefix, 0) == 0) {
      const std::string name = v.substr(kGroupPrefix.size());
      if (!valid_policy_name(name)) {
        err.add(e.Mark(), fmt::format("'{}: {}': '{}' is not a group name ([a-z0-9][a-z0-9._-]{{0,62}})", key, v,
                                      name));
        return;
      }
      const bool seen = std::any_of(groups->begin(), groups->end(), [&](const GroupRef& g) { return g.name == name; });
      if (!seen) groups->push_back({name, err.where_col(e.Mark())});
      return;
    }
    std::string why;
    if (auto c = parse_cidr(v, &why)) {
      cidrs->push_back(*c);
    } else {
      err.add(e.Mark(), fmt::format("'{}': {}", key, why));
    }
  });
}

void compile_rule(const YAML::Node& node, std::size_t index, ErrorSink& err, std::set<std::string>& names,
                  CompiledPolicy& policy) {
  if (!node.IsMap()) {
    err.add(node.Mark(), fmt::format("rule {} must be a mapping with at least 'action'", index + 1));
    return;
  }
  CompiledRule rule;
  rule.name = fmt::format("rule-{}", index + 1);
  rule.source = err.where(node.Mark());
  bool have_action = false;
  const int before = err.count();
  YAML::Node ports_node_src, ports_node_dst;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "name") {
      if (!v.IsScalar() || v.Scalar().empty()) {
        err.add(v.Mark(), "'name' must be a non-empty string");
      } else {
        rule.name = v.Scalar();
        rule.name_at = err.where_col(v.Mark());
      }
    } else if (key == "action") {
      have_action = true;
      if (auto a = parse_action(v, err, "action")) rule.action = *a;
    } else if (key == "protocol" || key == "proto") {
      if (auto p = parse_protocol(v, err)) rule.protocol = *p;
    } else if (key == "src") {
      parse_addresses(v, err, "src", &rule.src, &rule.src_groups);
    } else if (key == "dst") {
      parse_addresses(v, err, "dst", &rule.dst, &rule.dst_groups);
    } else if (key == "src_ports") {
      rule.src_ports = parse_ports(v, err, "src_ports");
      ports_node_src = v;
    } else if (key == "dst_ports") {
      rule.dst_ports = parse_ports(v, err, "dst_ports");
      ports_node_dst = v;
    } else {
      err.add(kv.first.Mark(),
              fmt::format("unknown rule key '{}' (known: name, action, protocol, src, dst, src_ports, dst_ports)", key));
    }
  }
  if (!have_action) err.add(node.Mark(), fmt::format("rule '{}' has no 'action'", rule.name));
  const bool has_ports = !rule.src_ports.empty() || !rule.dst_ports.empty();
  if (has_ports && rule.protocol != 6 && rule.protocol != 17 && rule.protocol != 132) {
    const YAML::Node& at = ports_node_dst ? ports_node_dst : ports_node_src;
    err.add(at.Mark(), fmt::format("rule '{}' matches ports but its protocol is not tcp, udp or sctp", rule.name));
  }
  // A rule whose CIDRs are all IPv4 on one side and all IPv6 on the other can
  // never match; that is always a mistake. A side with group references is
  // not known before resolution (which checks it again).
  auto families = [](const std::vector<Cidr>& v, const std::vector<GroupRef>& groups) {
    int f = 0;
    if (groups.empty()) {
      for (const auto& c : v) f |= (c.family == 4 ? 1 : 2);
    }
    return f;
  };
  const int fs = families(rule.src, rule.src_groups), fd = families(rule.dst, rule.dst_groups);
  if (fs != 0 && fd != 0 && (fs & fd) == 0) {
    err.add(node.Mark(), fmt::format("rule '{}' can never match: src and dst are of different IP families", rule.name));
  }
  if ((rule.protocol == 1 && (fs == 2 || fd == 2)) || (rule.protocol == 58 && (fs == 1 || fd == 1))) {
    err.add(node.Mark(), fmt::format("rule '{}' can never match: protocol and address family disagree", rule.name));
  }
  if (!names.insert(rule.name).second) {
    err.add(node.Mark(), fmt::format("duplicate rule name '{}'", rule.name));
  }
  if (err.count() == before) policy.rules.push_back(std::move(rule));
}

std::optional<GroupMode> parse_mode(const YAML::Node& n, ErrorSink& err) {
  if (n.IsScalar()) {
    const std::string& v = n.Scalar();
    if (v == "protect") return GroupMode::kProtect;
    if (v == "monitor") return GroupMode::kMonitor;
    if (v == "discover") return GroupMode::kDiscover;
  }
  err.add(n.Mark(), fmt::format("'mode: {}' is not a mode: use protect, monitor or discover",
                                n.IsScalar() ? n.Scalar() : std::string("...")));
  return std::nullopt;
}

// `name` of a group or signature set: required, valid, unique in `names`.
// Returns false (error reported) when the entry cannot be named.
bool take_name(const YAML::Node& entry, const char* what, ErrorSink& err, std::set<std::string>& names,
               std::string* name, std::string* name_at) {
  const YAML::Node n = entry["name"];
  if (!n) {
    err.add(entry.Mark(), fmt::format("{} has no 'name'", what));
    return false;
  }
  if (!n.IsScalar() || !valid_policy_name(n.Scalar())) {
    err.add(n.Mark(), fmt::format("{} name must match [a-z0-9][a-z0-9._-]{{0,62}}", what));
    return false;
  }
  *name = n.Scalar();
  *name_at = err.where_col(n.Mark());
  if (!names.insert(*name).second) {
    err.add(n.Mark(), fmt::format("duplicate {} name '{}'", what, *name));
    return false;
  }
  return true;
}

void compile_group(const YAML::Node& node, ErrorSink& err, std::set<std::string>& names, CompiledPolicy& policy) {
  if (!node.IsMap()) {
    err.add(node.Mark(), "a group must be a mapping with 'name' and 'selector' and/or 'cidrs'");
    return;
  }
  const int before = err.count();
  GroupDefinition g;
  g.source = err.where(node.Mark());
  take_name(node, "group", err, names, &g.name, &g.name_at);
  bool have_selector = false, have_cidrs = false;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "name") {
      continue;
    } else if (key == "mode") {
      if (auto m = parse_mode(v, err)) g.mode = *m;
    } else if (key == "selector") {
      have_selector = true;
      if (!v.IsMap() || v.size() == 0) {
        err.add(v.Mark(), "'selector' must be a non-empty mapping of labels (key: value)");
        continue;
      }
      for (const auto& l : v) {
        if (!l.first.IsScalar() || l.first.Scalar().empty()) {
          err.add(l.first.Mark(), "a selector label key must be a non-empty string");
        } else if (!l.second.IsScalar()) {
          err.add(l.second.Mark(), fmt::format("selector label '{}' must have a single value (a string)",
                                               l.first.Scalar()));
        } else {
          g.selector.emplace_back(l.first.Scalar(), l.second.Scalar());
        }
      }
    } else if (key == "cidrs") {
      have_cidrs = true;
      for_each_scalar(
          v, err, "cidrs",
          [&](const YAML::Node& e) {
            std::string why;
            if (e.Scalar().rfind(kGroupPrefix, 0) == 0) {
              err.add(e.Mark(), "'cidrs': a group cannot contain a group (list its CIDRs or use a selector)");
            } else if (auto c = parse_cidr(e.Scalar(), &why)) {
              g.cidrs.push_back(*c);
            } else {
              err.add(e.Mark(), fmt::format("'cidrs': {}", why));
            }
          },
          "omit it (a group needs a selector or CIDRs)");
    } else {
      err.add(kv.first.Mark(), fmt::format("unknown group key '{}' (known: name, selector, cidrs, mode)", key));
    }
  }
  if (!have_selector && !have_cidrs) {
    err.add(node.Mark(), fmt::format("group '{}' has neither 'selector' nor 'cidrs': it could never have a member",
                                     g.name));
  }
  if (err.count() == before) policy.group_definitions.push_back(std::move(g));
}

// The document line where a scalar's text starts: a block scalar ("|" or
// ">") starts on the line after its indicator.
int text_first_line(const YAML::Node& n, std::string_view yaml_text) {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return 0;
  const bool block = m.pos >= 0 && static_cast<std::size_t>(m.pos) < yaml_text.size() &&
                     (yaml_text[m.pos] == '|' || yaml_text[m.pos] == '>');
  return m.line + 1 + (block ? 1 : 0);
}

void compile_signature_set(const YAML::Node& node, std::string_view yaml_text, ErrorSink& err,
                           std::set<std::string>& names, CompiledPolicy& policy) {
  if (!node.IsMap()) {
    err.add(node.Mark(), "a signature set must be a mapping with 'name' and 'rules'");
    return;
  }
  const int before = err.count();
  SignatureSetText set;
  set.source = err.where(node.Mark());
  take_name(node, "signature set", err, names, &set.name, &set.name_at);
  bool have_rules = false;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "name") {
      continue;
    } else if (key == "rules") {
      have_rules = true;
      if (!v.IsScalar() || v.Scalar().find_first_not_of(" \t\r\n") == std::string::npos) {
        err.add(v.Mark(), fmt::format("signature set '{}': 'rules' must be the rule text (use 'rules: |')", set.name));
        continue;
      }
      set.text = v.Scalar();
      set.text_line = text_first_line(v, yaml_text);
    } else {
      err.add(kv.first.Mark(), fmt::format("unknown signature set key '{}' (known: name, rules)", key));
    }
  }
  if (!have_rules) err.add(node.Mark(), fmt::format("signature set '{}' has no 'rules' text", set.name));
  if (err.count() == before) policy.signature_sets.push_back(std::move(set));
}

// A top-level list of mappings: calls fn for each entry.
template <typename Fn>
void for_each_entry(const YAML::Node& v, ErrorSink& err, const char* key, Fn fn) {
  if (v.IsNull()) return;
  if (!v.IsSequence()) {
    err.add(v.Mark(), fmt::format("'{}' must be a list", key));
    return;
  }
  for (std::size_t i = 0; i < v.size(); ++i) fn(v[i], i);
}

}  // namespace

bool valid_policy_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto lower_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_digit(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return lower_digit(c) || c == '.' || c == '_' || c == '-'; });
}

Result<CompiledPolicy> compile_policy_yaml(std::string_view yaml_text, const std::string& origin,
                                           std::vector<std::string>* errors) {
  auto loaded = load_yaml_checked(yaml_text, origin, errors);
  if (!loaded) return loaded.error();
  ErrorSink err(origin, errors, loaded->problems);
  const YAML::Node root = loaded->root;
  CompiledPolicy policy;
  policy.origin = origin;
  if (root.IsNull()) {
    err.add(root.Mark(), "the policy is empty: write at least 'default_action'");
    return Error{fmt::format("{}: empty policy", origin)};
  }
  if (!root.IsMap()) {
    err.add(root.Mark(), "the policy must be a mapping (default_action, non_ip, groups, signature_sets, rules)");
    return Error{fmt::format("{}: not a policy", origin)};
  }
  std::set<std::string> names, group_names, set_names;
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "default_action") {
      policy.default_action_at = err.where_col(v.Mark());
      if (auto a = parse_action(v, err, "default_action")) policy.default_action = *a;
    } else if (key == "non_ip") {
      policy.non_ip_at = err.where_col(v.Mark());
      if (auto a = parse_action(v, err, "non_ip")) {
        if (*a == Action::kReject) {
          err.add(v.Mark(), "'non_ip' can be allow or deny: there is nothing to reject a non-IP frame with");
        }
        policy.non_ip_allow = *a == Action::kAllow;
      }
    } else if (key == "version") {
      if (!v.IsScalar() || v.Scalar() != "0") err.add(v.Mark(), "'version' must be 0 (policy v0)");
    } else if (key == "rules") {
      for_each_entry(v, err, "rules", [&](const YAML::Node& e, std::size_t i) { compile_rule(e, i, err, names, policy); });
    } else if (key == "groups") {
      for_each_entry(v, err, "groups", [&](const YAML::Node& e, std::size_t) {
        compile_group(e, err, group_names, policy);
      });
    } else if (key == "signature_sets") {
      policy.has_signature_sets = true;
      for_each_entry(v, err, "signature_sets", [&](const YAML::Node& e, std::size_t) {
        compile_signature_set(e, yaml_text, err, set_names, policy);
      });
    } else {
      err.add(kv.first.Mark(), fmt::format("unknown key '{}' (known: version, default_action, non_ip, groups, "
                                           "signature_sets, rules)",
                                           key));
    }
  }
  if (err.count() > 0) {
    return Error{fmt::format("{}: {} error{}", origin, err.count(), err.count() == 1 ? "" : "s")};
  }
  return policy;
}

Result<CompiledPolicy> compile_policy_file(const std::string& path, std::vector<std::string>* errors) {
  auto text = read_bounded_file(path, kMaxPolicyFileBytes, "a policy file");
  if (!text) {
    errors->push_back(fmt::format("{}: error: cannot open the policy file ({})", path, text.error().message));
    return Error{fmt::format("{}: cannot open", path)};
  }
  auto policy = compile_policy_yaml(*text, path, errors);
  if (!policy) return policy;
  auto resolved = resolve_static_groups(*policy, errors);
  if (!resolved) return resolved.error();
  return policy;
}

}  // namespace rampart::cp
