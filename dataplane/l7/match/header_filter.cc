#include "dataplane/l7/match/header_filter.h"

#include <cstring>
#include <string_view>

namespace rampart::dp {
namespace {

bool in_prefix(const policy::Cidr& c, const uint8_t* addr, uint8_t family) {
  if (c.family != family) return false;
  const unsigned full = c.prefix_len / 8;
  if (std::memcmp(c.addr.data(), addr, full) != 0) return false;
  const unsigned rest = c.prefix_len % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff00u >> rest);
  return (c.addr[full] & mask) == (addr[full] & mask);
}

// Suricata's list semantics: no negated item may contain the value, and
// if there are positive items one of them must.
template <typename Item, typename Contains>
bool list_admits(const std::vector<Item>& items, Contains contains) {
  bool positive_seen = false;
  bool positive_hit = false;
  for (const auto& item : items) {
    const bool in = contains(item);
    if (item.negated) {
      if (in) return false;
    } else {
      positive_seen = true;
      positive_hit = positive_hit || in;
    }
  }
  return !positive_seen || positive_hit;
}

}  // namespace

HeaderFilter HeaderFilter::compile(const policy::Signature& sig) {
  HeaderFilter h;
  h.proto_ = sig.proto;
  h.bidirectional_ = sig.bidirectional;
  h.only_to_server_ = sig.flow_to_server;
  h.only_to_client_ = sig.flow_to_client;
  h.sports_ = sig.src_ports;
  h.dports_ = sig.dst_ports;
  auto addresses = [](const policy::SigAddressList& in, std::vector<Address>& out, bool& any) {
    any = in.any;
    for (const auto& [neg, cidr] : in.items) out.push_back(Address{neg, cidr});
  };
  addresses(sig.src, h.src_, h.src_any_);
  addresses(sig.dst, h.dst_, h.dst_any_);
  return h;
}

bool HeaderFilter::address_in(const std::vector<Address>& list, bool any, const uint8_t* addr, uint8_t family) {
  if (any || list.empty()) return true;
  return list_admits(list, [&](const Address& a) { return in_prefix(a.cidr, addr, family); });
}

bool HeaderFilter::port_in(const policy::SigPortList& list, uint16_t port) {
  if (list.any || list.items.empty()) return true;
  return list_admits(list.items, [&](const policy::SigPortRange& r) { return port >= r.lo && port <= r.hi; });
}

bool HeaderFilter::one_way(const uint8_t* src, uint16_t sport, const uint8_t* dst, uint16_t dport,
                           uint8_t family) const {
  return port_in(sports_, sport) && port_in(dports_, dport) && address_in(src_, src_any_, src, family) &&
         address_in(dst_, dst_any_, dst, family);
}

bool HeaderFilter::matches(const MatchFlow& f) const {
  switch (proto_) {
    case policy::SigProto::kIp: break;
    case policy::SigProto::kTcp:
      if (f.l4_proto != 6) return false;
      break;
    case policy::SigProto::kUdp:
      if (f.l4_proto != 17) return false;
      break;
    case policy::SigProto::kIcmp: return false;  // ICMP payloads are not inspected
    case policy::SigProto::kHttp:
      if (f.app != AppLayer::kHttp) return false;
      break;
    case policy::SigProto::kTls:
      if (f.app != AppLayer::kTls) return false;
      break;
    case policy::SigProto::kDns:
      if (f.app != AppLayer::kDns) return false;
      break;
  }
  if (f.to_server ? only_to_client_ : only_to_server_) return false;
  // src/sport: the end that sent the data.
  const uint8_t* src = f.to_server ? f.client : f.server;
  const uint8_t* dst = f.to_server ? f.server : f.client;
  const uint16_t sport = f.to_server ? f.client_port : f.server_port;
  const uint16_t dport = f.to_server ? f.server_port : f.client_port;
  if (one_way(src, sport, dst, dport, f.family)) return true;
  return bidirectional_ && one_way(dst, dport, src, sport, f.family);
}

}  // namespace rampart::dp
