#include "dataplane/classify/acl_classifier.h"

#include <rte_byteorder.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace rampart::dp {
namespace {

enum V4Field { kV4Proto, kV4Src, kV4Dst, kV4Sport, kV4Dport, kV4Fields };
enum V6Field { kV6Proto, kV6Src0, kV6Dst0 = kV6Src0 + 4, kV6Sport = kV6Dst0 + 4, kV6Dport, kV6Fields };

RTE_ACL_RULE_DEF(AclRuleV4, kV4Fields);
RTE_ACL_RULE_DEF(AclRuleV6, kV6Fields);

// One cross-product entry ready to become an rte_acl rule.
struct Tuple {
  int proto;
  const policy::Cidr* src;
  const policy::Cidr* dst;
  policy::PortRange sport;
  policy::PortRange dport;
};

void v4_defs(rte_acl_field_def* d) {
  d[kV4Proto] = {RTE_ACL_FIELD_TYPE_BITMASK, sizeof(uint8_t), kV4Proto, 0, offsetof(AclKeyV4, proto)};
  d[kV4Src] = {RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), kV4Src, 1, offsetof(AclKeyV4, src)};
  d[kV4Dst] = {RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), kV4Dst, 2, offsetof(AclKeyV4, dst)};
  d[kV4Sport] = {RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t), kV4Sport, 3, offsetof(AclKeyV4, src_port_be)};
  d[kV4Dport] = {RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t), kV4Dport, 3, offsetof(AclKeyV4, dst_port_be)};
}

void v6_defs(rte_acl_field_def* d) {
  d[kV6Proto] = {RTE_ACL_FIELD_TYPE_BITMASK, sizeof(uint8_t), kV6Proto, 0, offsetof(AclKeyV6, proto)};
  for (uint8_t i = 0; i < 4; ++i) {
    d[kV6Src0 + i] = {RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), static_cast<uint8_t>(kV6Src0 + i),
                      static_cast<uint8_t>(1 + i), static_cast<uint32_t>(offsetof(AclKeyV6, src) + 4u * i)};
    d[kV6Dst0 + i] = {RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), static_cast<uint8_t>(kV6Dst0 + i),
                      static_cast<uint8_t>(5 + i), static_cast<uint32_t>(offsetof(AclKeyV6, dst) + 4u * i)};
  }
  d[kV6Sport] = {RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t), kV6Sport, 9, offsetof(AclKeyV6, src_port_be)};
  d[kV6Dport] = {RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t), kV6Dport, 9, offsetof(AclKeyV6, dst_port_be)};
}

uint32_t word_host(const policy::Cidr* c, int word) {
  if (c == nullptr) return 0;
  uint32_t be;
  std::memcpy(&be, c->addr.data() + 4 * word, 4);
  return rte_be_to_cpu_32(be);
}

uint32_t word_prefix(const policy::Cidr* c, int word) {
  if (c == nullptr) return 0;
  const int bits = static_cast<int>(c->prefix_len) - 32 * word;
  return static_cast<uint32_t>(std::clamp(bits, 0, 32));
}

void fill_common(rte_acl_field* f, int proto_field, const Tuple& t, int sport_field, int dport_field) {
  f[proto_field].value.u8 = t.proto < 0 ? 0 : static_cast<uint8_t>(t.proto);
  f[proto_field].mask_range.u8 = t.proto < 0 ? 0 : 0xff;
  f[sport_field].value.u16 = t.sport.lo;
  f[sport_field].mask_range.u16 = t.sport.hi;
  f[dport_field].value.u16 = t.dport.lo;
  f[dport_field].mask_range.u16 = t.dport.hi;
}

// How many prefixes of `family` one side contributes: 1 for "any".
uint64_t side_count(const std::vector<policy::Cidr>& v, int family) {
  if (v.empty()) return 1;
  return static_cast<uint64_t>(std::count_if(v.begin(), v.end(), [family](const policy::Cidr& c) { return c.family == family; }));
}

// The size of expand(r, family), saturated just above kMaxAclEntries.
uint64_t expanded_count(const policy::CompiledRule& r, int family) {
  if ((r.protocol == 1 && family == 6) || (r.protocol == 58 && family == 4)) return 0;
  const uint64_t factors[] = {side_count(r.src, family), side_count(r.dst, family),
                              std::max<uint64_t>(r.src_ports.size(), 1), std::max<uint64_t>(r.dst_ports.size(), 1)};
  uint64_t n = 1;
  for (uint64_t f : factors) {
    if (f != 0 && n > (kMaxAclEntries + 1) / f) return kMaxAclEntries + 1;
    n *= f;
  }
  return n;
}

// Expands rule `r` into its per-family cross product.
void expand(const policy::CompiledRule& r, int family, std::vector<Tuple>& out) {
  std::vector<const policy::Cidr*> srcs, dsts;
  auto pick = [family](const std::vector<policy::Cidr>& v, std::vector<const policy::Cidr*>& o) {
    if (v.empty()) {
      o.push_back(nullptr);
      return true;
    }
    for (const auto& c : v)
      if (c.family == family) o.push_back(&c);
    return !o.empty();
  };
  if (!pick(r.src, srcs) || !pick(r.dst, dsts)) return;
  if (r.protocol == 1 && family == 6) return;
  if (r.protocol == 58 && family == 4) return;
  const std::vector<policy::PortRange> any{policy::PortRange{}};
  const auto& sports = r.src_ports.empty() ? any : r.src_ports;
  const auto& dports = r.dst_ports.empty() ? any : r.dst_ports;
  for (auto* s : srcs)
    for (auto* d : dsts)
      for (const auto& sp : sports)
        for (const auto& dp : dports) out.push_back(Tuple{r.protocol, s, d, sp, dp});
}

template <typename RuleT>
Result<rte_acl_ctx*> build_ctx(const std::string& name, int socket, uint32_t num_fields, rte_acl_field_def* defs,
                               const std::vector<std::pair<uint32_t, Tuple>>& tuples,
                               void (*fill)(RuleT&, const Tuple&)) {
  rte_acl_param p{};
  p.name = name.c_str();
  p.socket_id = socket;
  p.rule_size = RTE_ACL_RULE_SZ(num_fields);
  p.max_rule_num = static_cast<uint32_t>(tuples.size());
  rte_acl_ctx* ctx = rte_acl_create(&p);
  if (ctx == nullptr) return Error{fmt::format("rte_acl_create({}) failed", name)};
  std::vector<RuleT> rules(tuples.size());
  for (std::size_t i = 0; i < tuples.size(); ++i) {
    RuleT& r = rules[i];
    std::memset(&r, 0, sizeof(r));
    r.data.category_mask = 1;
    // First match wins: earlier rules get higher priority.
    r.data.priority = static_cast<int32_t>(RTE_ACL_MAX_PRIORITY - tuples[i].first);
    r.data.userdata = tuples[i].first;
    fill(r, tuples[i].second);
  }
  int rc = rte_acl_add_rules(ctx, reinterpret_cast<const rte_acl_rule*>(rules.data()),
                             static_cast<uint32_t>(rules.size()));
  if (rc != 0) {
    rte_acl_free(ctx);
    return Error{fmt::format("rte_acl_add_rules({}): error {}", name, rc)};
  }
  rte_acl_config cfg{};
  cfg.num_categories = 1;
  cfg.num_fields = num_fields;
  std::memcpy(cfg.defs, defs, sizeof(rte_acl_field_def) * num_fields);
  rc = rte_acl_build(ctx, &cfg);
  if (rc != 0) {
    rte_acl_free(ctx);
    return Error{fmt::format("rte_acl_build({}, {} rules): error {}", name, rules.size(), rc)};
  }
  return ctx;
}

void fill_v4(AclRuleV4& r, const Tuple& t) {
  fill_common(r.field, kV4Proto, t, kV4Sport, kV4Dport);
  r.field[kV4Src].value.u32 = word_host(t.src, 0);
  r.field[kV4Src].mask_range.u32 = t.src ? t.src->prefix_len : 0;
  r.field[kV4Dst].value.u32 = word_host(t.dst, 0);
  r.field[kV4Dst].mask_range.u32 = t.dst ? t.dst->prefix_len : 0;
}

void fill_v6(AclRuleV6& r, const Tuple& t) {
  fill_common(r.field, kV6Proto, t, kV6Sport, kV6Dport);
  for (int w = 0; w < 4; ++w) {
    r.field[kV6Src0 + w].value.u32 = word_host(t.src, w);
    r.field[kV6Src0 + w].mask_range.u32 = word_prefix(t.src, w);
    r.field[kV6Dst0 + w].value.u32 = word_host(t.dst, w);
    r.field[kV6Dst0 + w].mask_range.u32 = word_prefix(t.dst, w);
  }
}

}  // namespace

void make_acl_key(const PacketMeta& m, AclKey& key) {
  if (m.l3 == L3::kIpv4) {
    key.v4.proto = m.proto;
    std::memcpy(key.v4.src, m.src, 4);
    std::memcpy(key.v4.dst, m.dst, 4);
    key.v4.src_port_be = rte_cpu_to_be_16(m.src_port);
    key.v4.dst_port_be = rte_cpu_to_be_16(m.dst_port);
  } else {
    key.v6.proto = m.proto;
    std::memcpy(key.v6.src, m.src, 16);
    std::memcpy(key.v6.dst, m.dst, 16);
    key.v6.src_port_be = rte_cpu_to_be_16(m.src_port);
    key.v6.dst_port_be = rte_cpu_to_be_16(m.dst_port);
  }
}

Result<std::unique_ptr<AclClassifier>> AclClassifier::build(const std::vector<policy::CompiledRule>& rules,
                                                            const std::string& name, int socket,
                                                            const CancelCheck& cancelled) {
  std::unique_ptr<AclClassifier> c(new AclClassifier());
  // Counted before anything is expanded: a rule with many sources and many
  // destinations multiplies them.
  uint64_t entries[2] = {0, 0};
  for (std::size_t i = 0; i < rules.size(); ++i) {
    for (int f = 0; f < 2; ++f) {
      entries[f] += expanded_count(rules[i], f == 0 ? 4 : 6);
      if (entries[f] > kMaxAclEntries) {
        return Error{fmt::format("the rules expand into more than {} IPv{} classifier entries (each rule is its "
                                 "sources x destinations x source port ranges x destination port ranges); the limit "
                                 "is passed at rule {} '{}' ({})",
                                 kMaxAclEntries, f == 0 ? 4 : 6, i, rules[i].name, rules[i].source)};
      }
    }
  }
  std::vector<std::pair<uint32_t, Tuple>> t4, t6;
  t4.reserve(entries[0]);
  t6.reserve(entries[1]);
  std::vector<Tuple> tmp;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (i % kCancelCheckStride == kCancelCheckStride - 1 && cancel_requested(cancelled)) {
      return cancelled_error();
    }
    const auto number = static_cast<uint32_t>(i + 1);
    tmp.clear();
    expand(rules[i], 4, tmp);
    for (const auto& t : tmp) t4.emplace_back(number, t);
    tmp.clear();
    expand(rules[i], 6, tmp);
    for (const auto& t : tmp) t6.emplace_back(number, t);
  }
  if (!t4.empty()) {
    rte_acl_field_def defs[kV4Fields];
    v4_defs(defs);
    auto ctx = build_ctx<AclRuleV4>(name + "_v4", socket, kV4Fields, defs, t4, fill_v4);
    if (!ctx) return ctx.error();
    c->v4_ = *ctx;
    c->rules_v4_ = static_cast<uint32_t>(t4.size());
  }
  if (cancel_requested(cancelled)) return cancelled_error();
  if (!t6.empty()) {
    rte_acl_field_def defs[kV6Fields];
    v6_defs(defs);
    auto ctx = build_ctx<AclRuleV6>(name + "_v6", socket, kV6Fields, defs, t6, fill_v6);
    if (!ctx) return ctx.error();
    c->v6_ = *ctx;
    c->rules_v6_ = static_cast<uint32_t>(t6.size());
  }
  return c;
}

AclClassifier::~AclClassifier() {
  if (v4_ != nullptr) rte_acl_free(v4_);
  if (v6_ != nullptr) rte_acl_free(v6_);
}

void AclClassifier::classify_burst_v4(const uint8_t** keys, uint32_t* results, uint32_t n) const {
  if (v4_ == nullptr) {
    std::memset(results, 0, n * sizeof(uint32_t));
    return;
  }
  rte_acl_classify(v4_, keys, results, n, 1);
}

void AclClassifier::classify_burst_v6(const uint8_t** keys, uint32_t* results, uint32_t n) const {
  if (v6_ == nullptr) {
    std::memset(results, 0, n * sizeof(uint32_t));
    return;
  }
  rte_acl_classify(v6_, keys, results, n, 1);
}

}  // namespace rampart::dp
