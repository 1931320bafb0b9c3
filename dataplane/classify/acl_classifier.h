#pragma once
// AclClassifier: first-match ordered rules over (protocol, source CIDR,
// destination CIDR, source ports, destination ports) compiled with rte_acl,
// one context per address family. Cold: build(). Hot: classify_burst(),
// callable concurrently from any number of workers (rte_acl_classify only
// reads the context).

#include <rte_acl.h>

#include <cstdint>
#include <memory>

#include "common/policy/compiled_policy.h"
#include "common/cancel_check.h"
#include "common/result.h"
#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {

// The bytes rte_acl reads for one packet. Field layout follows the rte_acl
// rule: the first field is one byte, every other group 4 bytes; multi-byte
// values are in network byte order.
struct AclKeyV4 {
  uint8_t proto;
  uint8_t pad[3];
  uint8_t src[4];
  uint8_t dst[4];
  uint16_t src_port_be;
  uint16_t dst_port_be;
};
struct AclKeyV6 {
  uint8_t proto;
  uint8_t pad[3];
  uint8_t src[16];
  uint8_t dst[16];
  uint16_t src_port_be;
  uint16_t dst_port_be;
};
union AclKey {
  AclKeyV4 v4;
  AclKeyV6 v6;
};

// Fills the key for the packet's own direction.
void make_acl_key(const PacketMeta& m, AclKey& key);

// Entries one family's context may hold: the cross product of every
// rule's prefixes and port ranges, summed. 100,000 entries build in about
// 3 s; a rule with 65,536 sources and as many destinations alone would be
// 4 billion (hours, and more memory than any appliance has).
inline constexpr std::size_t kMaxAclEntries = std::size_t{1} << 19;

class AclClassifier {
 public:
  // Rule i of `rules` (0-based) matches with result i + 1; 0 means no rule
  // matched. `name` prefixes the rte_acl context names (must be unique).
  // `cancelled` is asked while the rules are expanded and between the two
  // contexts (an error then); rte_acl_build itself runs to its end. Rules
  // expanding into more than kMaxAclEntries per family are an error naming
  // the rule where the limit is passed.
  static Result<std::unique_ptr<AclClassifier>> build(const std::vector<policy::CompiledRule>& rules,
                                                      const std::string& name, int socket,
                                                      const CancelCheck& cancelled = {});
  ~AclClassifier();
  AclClassifier(const AclClassifier&) = delete;
  AclClassifier& operator=(const AclClassifier&) = delete;

  // results[i] = matching rule number (1-based) or 0. n <= 64 per call is
  // best; any n works.
  void classify_burst_v4(const uint8_t** keys, uint32_t* results, uint32_t n) const;
  void classify_burst_v6(const uint8_t** keys, uint32_t* results, uint32_t n) const;
  uint32_t acl_rules_v4() const { return rules_v4_; }
  uint32_t acl_rules_v6() const { return rules_v6_; }

 private:
  AclClassifier() = default;
  rte_acl_ctx* v4_ = nullptr;
  rte_acl_ctx* v6_ = nullptr;
  uint32_t rules_v4_ = 0;
  uint32_t rules_v6_ = 0;
};

}  // namespace rampart::dp
