#include "controlplane/compiler/policy_compiler.h"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "controlplane/compiler/cidr.h"

namespace rampart::cp {

const char* action_name(Action a) {
  switch (a) {
    case Action::kAllow: return "allow";
    case Action::kDeny: return "deny";
    case Action::kReject: return "reject";
  }
  return "unknown";
}

const char* group_mode_name(GroupMode m) {
  switch (m) {
    case GroupMode::kProtect: return "protect";
    case GroupMode::kMonitor: return "monitor";
    case GroupMode::kDiscover: return "discover";
  }
  return "unknown";
}

CompiledPolicy embedded_default_policy() {
  CompiledPolicy p;
  p.default_action = Action::kAllow;
  p.non_ip_allow = true;
  p.origin = "embedded default";
  return p;
}

namespace {

// Collects errors with positions; yaml-cpp marks are 0-based.
class ErrorSink {
 public:
  ErrorSink(const std::string& origin, std::vector<std::string>* out) : origin_(origin), out_(out) {}
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
  int count_ = 0;
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
void for_each_scalar(const YAML::Node& n, ErrorSink& err, const char* key, Fn fn) {
  if (n.IsScalar()) {
    fn(n);
  } else if (n.IsSequence()) {
    if (n.size() == 0) err.add(n.Mark(), fmt::format("'{}' is an empty list: omit it to mean any", key));
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

std::vector<Cidr> parse_cidrs(const YAML::Node& n, ErrorSink& err, const char* key) {
  std::vector<Cidr> out;
  for_each_scalar(n, err, key, [&](const YAML::Node& e) {
    std::string why;
    if (auto c = parse_cidr(e.Scalar(), &why)) {
      out.push_back(*c);
    } else {
      err.add(e.Mark(), fmt::format("'{}': {}", key, why));
    }
  });
  return out;
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
      rule.src = parse_cidrs(v, err, "src");
    } else if (key == "dst") {
      rule.dst = parse_cidrs(v, err, "dst");
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
  // never match; that is always a mistake.
  auto families = [](const std::vector<Cidr>& v) {
    int f = 0;
    for (const auto& c : v) f |= (c.family == 4 ? 1 : 2);
    return f;
  };
  const int fs = families(rule.src), fd = families(rule.dst);
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

}  // namespace

Result<CompiledPolicy> compile_policy_yaml(std::string_view yaml_text, const std::string& origin,
                                           std::vector<std::string>* errors) {
  ErrorSink err(origin, errors);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    err.add(e.mark, fmt::format("YAML syntax: {}", e.msg));
    return Error{fmt::format("{}: invalid YAML", origin)};
  }
  CompiledPolicy policy;
  policy.origin = origin;
  if (root.IsNull()) {
    err.add(root.Mark(), "the policy is empty: write at least 'default_action'");
    return Error{fmt::format("{}: empty policy", origin)};
  }
  if (!root.IsMap()) {
    err.add(root.Mark(), "the policy must be a mapping (default_action, non_ip, rules)");
    return Error{fmt::format("{}: not a policy", origin)};
  }
  std::set<std::string> names;
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
      if (v.IsNull()) continue;
      if (!v.IsSequence()) {
        err.add(v.Mark(), "'rules' must be a list");
        continue;
      }
      for (std::size_t i = 0; i < v.size(); ++i) compile_rule(v[i], i, err, names, policy);
    } else {
      err.add(kv.first.Mark(), fmt::format("unknown key '{}' (known: version, default_action, non_ip, rules)", key));
    }
  }
  if (err.count() > 0) {
    return Error{fmt::format("{}: {} error{}", origin, err.count(), err.count() == 1 ? "" : "s")};
  }
  return policy;
}

Result<CompiledPolicy> compile_policy_file(const std::string& path, std::vector<std::string>* errors) {
  std::ifstream in(path);
  if (!in) {
    errors->push_back(fmt::format("{}: error: cannot open the policy file", path));
    return Error{fmt::format("{}: cannot open", path)};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return compile_policy_yaml(ss.str(), path, errors);
}

}  // namespace rampart::cp
