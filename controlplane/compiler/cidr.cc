#include "controlplane/compiler/cidr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace rampart::cp {

std::optional<Cidr> parse_cidr(std::string_view text, std::string* why) {
  Cidr c;
  std::string addr(text);
  int prefix = -1;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = std::string(text.substr(0, slash));
    std::string_view p = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || ptr != p.data() + p.size() || p.empty()) {
      *why = fmt::format("'{}' has an invalid prefix length", text);
      return std::nullopt;
    }
  }
  if (inet_pton(AF_INET, addr.c_str(), c.addr.data()) == 1) {
    c.family = 4;
    if (prefix < 0) prefix = 32;
    if (prefix > 32) {
      *why = fmt::format("'{}': IPv4 prefix length must be 0-32", text);
      return std::nullopt;
    }
  } else if (inet_pton(AF_INET6, addr.c_str(), c.addr.data()) == 1) {
    c.family = 6;
    if (prefix < 0) prefix = 128;
    if (prefix > 128) {
      *why = fmt::format("'{}': IPv6 prefix length must be 0-128", text);
      return std::nullopt;
    }
  } else {
    *why = fmt::format("'{}' is not an IPv4 or IPv6 address or CIDR", text);
    return std::nullopt;
  }
  c.prefix_len = static_cast<uint8_t>(prefix);
  const int bytes = c.family == 4 ? 4 : 16;
  for (int i = 0; i < bytes; ++i) {
    const int bits_in_prefix = std::clamp(prefix - i * 8, 0, 8);
    const uint8_t host_mask = static_cast<uint8_t>(0xffu >> bits_in_prefix);
    if (bits_in_prefix < 8 && (c.addr[static_cast<std::size_t>(i)] & host_mask) != 0) {
      *why = fmt::format("'{}' has host bits set beyond /{}", text, prefix);
      return std::nullopt;
    }
  }
  return c;
}

std::string format_cidr(const Cidr& c) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(c.family == 4 ? AF_INET : AF_INET6, c.addr.data(), buf, sizeof(buf));
  return fmt::format("{}/{}", buf, c.prefix_len);
}

}  // namespace rampart::cp
