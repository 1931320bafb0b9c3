#include "controlplane/compiler/cidr.h"

#include <arpa/inet.h>

#include <algorithm>

#include <fmt/format.h>

namespace rampart::cp {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A prefix length: decimal digits only, no sign, no leading zero, at most
// `max`. Checked digit by digit, so no length of input can overflow.
bool parse_prefix_len(std::string_view p, int max, int* out) {
  if (p.empty() || p.size() > 3 || !std::all_of(p.begin(), p.end(), is_digit)) return false;
  if (p.size() > 1 && p[0] == '0') return false;
  int v = 0;
  for (const char c : p) v = v * 10 + (c - '0');
  if (v > max) return false;
  *out = v;
  return true;
}

// Why a dotted quad inet_pton refused, when it looks like one.
std::string ipv4_problem(std::string_view a) {
  if (a.empty()) return "";
  int parts = 1;
  bool leading_zero = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= a.size(); ++i) {
    if (i == a.size() || a[i] == '.') {
      if (i - start > 1 && a[start] == '0') leading_zero = true;
      if (i < a.size()) ++parts;
      start = i + 1;
    } else if (!is_digit(a[i])) {
      return "";
    }
  }
  if (parts == 4 && leading_zero) return "an IPv4 octet has a leading zero (read as octal by some tools)";
  if (parts != 4) return "an IPv4 address has four dot-separated numbers";
  return "an IPv4 octet is greater than 255";
}

}  // namespace

std::optional<Cidr> parse_cidr(std::string_view text, std::string* why, HostBits host_bits) {
  if (text.empty()) {
    *why = "empty address";
    return std::nullopt;
  }
  if (text.find_first_of(" \t\r\n\v\f") != std::string_view::npos) {
    *why = fmt::format("'{}' contains white space", text);
    return std::nullopt;
  }
  // inet_pton reads up to a NUL: "198.18.0.1\0junk" would pass as the host.
  if (std::any_of(text.begin(), text.end(), [](char ch) { return ch < 0x21 || ch > 0x7e; })) {
    *why = "the address contains a control character or a non-ASCII byte";
    return std::nullopt;
  }
  std::string_view addr = text;
  std::optional<std::string_view> len_text;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    len_text = text.substr(slash + 1);
  }
  if (addr.find('%') != std::string_view::npos) {
    *why = fmt::format("'{}' has a zone id ('%...'): packets carry no zone, write the address alone", text);
    return std::nullopt;
  }
  Cidr c;
  const std::string addr_z(addr);
  if (inet_pton(AF_INET, addr_z.c_str(), c.addr.data()) == 1) {
    c.family = 4;
  } else if (inet_pton(AF_INET6, addr_z.c_str(), c.addr.data()) == 1) {
    c.family = 6;
  } else {
    const std::string v4 = addr.find(':') == std::string_view::npos ? ipv4_problem(addr) : "";
    *why = v4.empty() ? fmt::format("'{}' is not an IPv4 or IPv6 address or CIDR", text)
                      : fmt::format("'{}' is not an IPv4 address or CIDR: {}", text, v4);
    return std::nullopt;
  }
  const int max = c.family == 4 ? 32 : 128;
  int prefix = max;
  if (len_text && !parse_prefix_len(*len_text, max, &prefix)) {
    *why = fmt::format("'{}': the prefix length after '/' must be a decimal number 0-{} (no sign or leading zero)",
                       text, max);
    return std::nullopt;
  }
  if (c.family == 6) {
    // ::ffff:0:0/96: IPv4-mapped addresses are a socket API notation.
    const bool mapped = std::all_of(c.addr.begin(), c.addr.begin() + 10, [](uint8_t b) { return b == 0; }) &&
                        c.addr[10] == 0xff && c.addr[11] == 0xff;
    if (mapped && prefix >= 96) {
      Cidr v4;
      v4.family = 4;
      v4.prefix_len = static_cast<uint8_t>(prefix - 96);
      std::copy(c.addr.begin() + 12, c.addr.end(), v4.addr.begin());
      std::string v4_text = format_cidr(v4);
      if (v4.prefix_len == 32 && !len_text) v4_text.resize(v4_text.find('/'));
      *why = fmt::format("'{}' is an IPv4-mapped IPv6 address, which never appears in a packet: write {}", text,
                         v4_text);
      return std::nullopt;
    }
  }
  c.prefix_len = static_cast<uint8_t>(prefix);
  const int bytes = c.family == 4 ? 4 : 16;
  bool host_bits_set = false;
  for (int i = 0; i < bytes; ++i) {
    const int bits_in_prefix = std::clamp(prefix - i * 8, 0, 8);
    const uint8_t host_mask = static_cast<uint8_t>(0xffu >> bits_in_prefix);
    auto& b = c.addr[static_cast<std::size_t>(i)];
    if ((b & host_mask) != 0) host_bits_set = true;
    b = static_cast<uint8_t>(b & ~host_mask);
  }
  if (host_bits_set && host_bits == HostBits::kRefuse) {
    Cidr host = c;
    inet_pton(c.family == 4 ? AF_INET : AF_INET6, addr_z.c_str(), host.addr.data());
    host.prefix_len = static_cast<uint8_t>(max);
    *why = fmt::format("'{}' has host bits set beyond /{}: write {} (the network) or {} (the address alone)", text,
                       prefix, format_cidr(c), format_cidr(host));
    return std::nullopt;
  }
  return c;
}

std::string format_cidr(const Cidr& c) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(c.family == 4 ? AF_INET : AF_INET6, c.addr.data(), buf, sizeof(buf));
  return fmt::format("{}/{}", buf, c.prefix_len);
}

}  // namespace rampart::cp
