#pragma once
// HeaderFilter: the header of a signature (`proto src sport -> dst dport`)
// compiled for the dataplane. A candidate that Hyperscan found in a buffer
// only counts if the flow it came from fits the header: transport and
// application protocol, address lists, port lists, and the direction (the
// sender of the data is src for `->`, either end for `<>`; `flow:to_server`
// / `to_client` restrict the data's direction).
//
// Cold: compile(). Hot: matches(), read-only, any thread.

#include <cstdint>
#include <vector>

#include "common/policy/compiled_policy.h"
#include "common/policy/signature.h"
#include "common/result.h"

namespace rampart::dp {

// What inspection knows of the traffic being matched.
enum class AppLayer : uint8_t { kNone, kHttp, kTls, kDns };

struct MatchFlow {
  const uint8_t* client = nullptr;  // 16 bytes; IPv4 in the first 4
  const uint8_t* server = nullptr;
  uint16_t client_port = 0;
  uint16_t server_port = 0;
  uint8_t family = 4;      // 4 or 6
  uint8_t l4_proto = 6;    // IPPROTO_TCP or IPPROTO_UDP
  AppLayer app = AppLayer::kNone;
  bool to_server = true;   // the data goes from client to server
};

class HeaderFilter {
 public:
  static HeaderFilter compile(const policy::Signature& sig);
  bool matches(const MatchFlow& f) const;

 private:
  struct Address {
    bool negated;
    policy::Cidr cidr;
  };
  static bool address_in(const std::vector<Address>& list, bool any, const uint8_t* addr, uint8_t family);
  static bool port_in(const policy::SigPortList& list, uint16_t port);
  bool one_way(const uint8_t* src, uint16_t sport, const uint8_t* dst, uint16_t dport, uint8_t family) const;

  policy::SigProto proto_ = policy::SigProto::kIp;
  bool bidirectional_ = false;
  bool only_to_server_ = false;  // flow:to_server
  bool only_to_client_ = false;  // flow:to_client
  bool src_any_ = true;
  bool dst_any_ = true;
  std::vector<Address> src_, dst_;
  policy::SigPortList sports_, dports_;
};

}  // namespace rampart::dp
