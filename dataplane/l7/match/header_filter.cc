#include "dataplane/l7/match/header_filter.h"

#include <charconv>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "controlplane/compiler/cidr.h"

namespace rampart::dp {
namespace {

bool in_prefix(const cp::Cidr& c, const uint8_t* addr, uint8_t family) {
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

Result<HeaderFilter> HeaderFilter::compile(const cp::Signature& sig) {
  HeaderFilter h;
  h.proto_ = sig.proto;
  h.bidirectional_ = sig.bidirectional;
  h.only_to_server_ = sig.flow_to_server;
  h.only_to_client_ = sig.flow_to_client;
  h.sports_ = sig.src_ports;
  h.dports_ = sig.dst_ports;
  auto addresses = [&](const cp::SigAddressList& in, std::vector<Address>& out, bool& any) -> Result<Ok> {
    any = in.any;
    for (const auto& [neg, text] : in.items) {
      std::string why;
      auto c = cp::parse_cidr(text, &why);
      if (!c) {
        // The parser accepts CIDRs with host bits set (as Suricata does):
        // the address part then parses on its own.
        const auto slash = text.find('/');
        auto host = slash == std::string::npos ? std::nullopt : cp::parse_cidr(text.substr(0, slash), &why);
        if (!host) return Error{fmt::format("{}: sid {}: bad address '{}': {}", sig.source, sig.sid, text, why)};
        int len = -1;
        const std::string_view p = std::string_view(text).substr(slash + 1);
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), len);
        const int max = host->family == 4 ? 32 : 128;
        if (ec != std::errc() || end != p.data() + p.size() || len < 0 || len > max) {
          return Error{fmt::format("{}: sid {}: bad prefix length in '{}'", sig.source, sig.sid, text)};
        }
        host->prefix_len = static_cast<uint8_t>(len);
        c = host;
      }
      out.push_back(Address{neg, *c});
    }
    return Ok{};
  };
  if (auto r = addresses(sig.src, h.src_, h.src_any_); !r) return r.error();
  if (auto r = addresses(sig.dst, h.dst_, h.dst_any_); !r) return r.error();
  return h;
}

bool HeaderFilter::address_in(const std::vector<Address>& list, bool any, const uint8_t* addr, uint8_t family) {
  if (any || list.empty()) return true;
  return list_admits(list, [&](const Address& a) { return in_prefix(a.cidr, addr, family); });
}

bool HeaderFilter::port_in(const cp::SigPortList& list, uint16_t port) {
  if (list.any || list.items.empty()) return true;
  return list_admits(list.items, [&](const cp::SigPortRange& r) { return port >= r.lo && port <= r.hi; });
}

bool HeaderFilter::one_way(const uint8_t* src, uint16_t sport, const uint8_t* dst, uint16_t dport,
                           uint8_t family) const {
  return port_in(sports_, sport) && port_in(dports_, dport) && address_in(src_, src_any_, src, family) &&
         address_in(dst_, dst_any_, dst, family);
}

bool HeaderFilter::matches(const MatchFlow& f) const {
  switch (proto_) {
    case cp::SigProto::kIp: break;
    case cp::SigProto::kTcp:
      if (f.l4_proto != 6) return false;
      break;
    case cp::SigProto::kUdp:
      if (f.l4_proto != 17) return false;
      break;
    case cp::SigProto::kIcmp: return false;  // ICMP payloads are not inspected
    case cp::SigProto::kHttp:
      if (f.app != AppLayer::kHttp) return false;
      break;
    case cp::SigProto::kTls:
      if (f.app != AppLayer::kTls) return false;
      break;
    case cp::SigProto::kDns:
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
