#pragma once
// Test fixture: builds Ethernet frames byte by byte (optionally VLAN tagged,
// IPv4 with options or IPv6 with extension headers, TCP/UDP/ICMP), with
// valid IPv4, TCP and UDP checksums, so a test can then corrupt exactly one
// field.

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace rampart::test {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes& b, std::size_t off, uint16_t v) {
  b[off] = static_cast<uint8_t>(v >> 8);
  b[off + 1] = static_cast<uint8_t>(v);
}
inline void put32(Bytes& b, std::size_t off, uint32_t v) {
  put16(b, off, static_cast<uint16_t>(v >> 16));
  put16(b, off + 2, static_cast<uint16_t>(v));
}
inline uint16_t csum(const uint8_t* p, std::size_t n) {
  uint32_t s = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) s += static_cast<uint32_t>((p[i] << 8) | p[i + 1]);
  if (n & 1) s += static_cast<uint32_t>(p[n - 1] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}

struct Frame {
  std::vector<uint16_t> vlans = {};  // outer first
  int family = 4;
  std::string src = "198.18.0.1";
  std::string dst = "198.18.0.2";
  uint8_t proto = 6;
  uint16_t sport = 40000;
  uint16_t dport = 80;
  uint8_t tcp_flags = 0x02;
  uint32_t seq = 1000;
  uint32_t ack = 0;
  uint8_t icmp_type = 8;
  uint8_t icmp_code = 0;
  Bytes ipv4_options = {};          // must be a multiple of 4
  std::vector<uint8_t> v6_ext = {};  // extension header types in order (0, 60, 43)
  bool v6_fragment = false;
  uint16_t frag_offset = 0;       // bytes
  bool more_fragments = false;
  uint32_t frag_id = 7;
  Bytes payload = {};
  Bytes l4_override = {};            // use these bytes as the whole L4 part

  Bytes build() const;
};

inline Bytes Frame::build() const {
  Bytes b(12, 0);
  for (int i = 0; i < 6; ++i) {
    b[static_cast<std::size_t>(i)] = static_cast<uint8_t>(0x02 + i);
    b[static_cast<std::size_t>(6 + i)] = static_cast<uint8_t>(0x12 + i);
  }
  for (std::size_t i = 0; i < vlans.size(); ++i) {
    const uint16_t tpid = (i == 0 && vlans.size() > 1) ? 0x88a8 : 0x8100;
    b.push_back(static_cast<uint8_t>(tpid >> 8));
    b.push_back(static_cast<uint8_t>(tpid));
    b.push_back(static_cast<uint8_t>(vlans[i] >> 8));
    b.push_back(static_cast<uint8_t>(vlans[i]));
  }
  const uint16_t et = family == 4 ? 0x0800 : 0x86dd;
  b.push_back(static_cast<uint8_t>(et >> 8));
  b.push_back(static_cast<uint8_t>(et));
  const std::size_t l3 = b.size();

  // L4
  Bytes l4 = l4_override;
  if (l4.empty()) {
    if (proto == 6) {
      l4.assign(20, 0);
      put16(l4, 0, sport);
      put16(l4, 2, dport);
      put32(l4, 4, seq);
      put32(l4, 8, ack);
      l4[12] = 5 << 4;
      l4[13] = tcp_flags;
      put16(l4, 14, 8192);
    } else if (proto == 17) {
      l4.assign(8, 0);
      put16(l4, 0, sport);
      put16(l4, 2, dport);
      put16(l4, 4, static_cast<uint16_t>(8 + payload.size()));
    } else if (proto == 1 || proto == 58) {
      l4.assign(8, 0);
      l4[0] = icmp_type;
      l4[1] = icmp_code;
      put16(l4, 4, sport);
    }
    l4.insert(l4.end(), payload.begin(), payload.end());
  }

  uint8_t s[16] = {}, d[16] = {};
  inet_pton(family == 4 ? AF_INET : AF_INET6, src.c_str(), s);
  inet_pton(family == 4 ? AF_INET : AF_INET6, dst.c_str(), d);
  if (l4_override.empty() && (proto == 6 || proto == 17)) {
    const std::size_t alen = family == 4 ? 4 : 16;
    Bytes pseudo(s, s + alen);
    pseudo.insert(pseudo.end(), d, d + alen);
    pseudo.push_back(0);
    pseudo.push_back(proto);
    pseudo.push_back(static_cast<uint8_t>(l4.size() >> 8));
    pseudo.push_back(static_cast<uint8_t>(l4.size()));
    pseudo.insert(pseudo.end(), l4.begin(), l4.end());
    uint16_t c = csum(pseudo.data(), pseudo.size());
    if (proto == 17 && c == 0) c = 0xffff;
    put16(l4, proto == 6 ? 16 : 6, c);
  }
  if (family == 4) {
    const std::size_t ihl = 20 + ipv4_options.size();
    Bytes ip(ihl, 0);
    ip[0] = static_cast<uint8_t>(0x40 | (ihl / 4));
    put16(ip, 2, static_cast<uint16_t>(ihl + l4.size()));
    put16(ip, 4, static_cast<uint16_t>(frag_id));
    put16(ip, 6, static_cast<uint16_t>((more_fragments ? 0x2000 : 0) | (frag_offset / 8)));
    ip[8] = 64;
    ip[9] = proto;
    std::memcpy(&ip[12], s, 4);
    std::memcpy(&ip[16], d, 4);
    std::copy(ipv4_options.begin(), ipv4_options.end(), ip.begin() + 20);
    put16(ip, 10, csum(ip.data(), ihl));
    b.insert(b.end(), ip.begin(), ip.end());
  } else {
    Bytes ext;
    std::vector<uint8_t> chain = v6_ext;
    if (v6_fragment) chain.push_back(44);
    uint8_t first_nh = chain.empty() ? proto : chain[0];
    for (std::size_t i = 0; i < chain.size(); ++i) {
      const uint8_t next = i + 1 < chain.size() ? chain[i + 1] : proto;
      Bytes h(8, 0);
      h[0] = next;
      if (chain[i] == 44) {
        put16(h, 2, static_cast<uint16_t>((frag_offset & 0xfff8) | (more_fragments ? 1 : 0)));
        put32(h, 4, frag_id);
      } else {
        h[2] = 1;  // PadN option filling the header
        h[3] = 4;
      }
      ext.insert(ext.end(), h.begin(), h.end());
    }
    Bytes ip(40, 0);
    ip[0] = 0x60;
    put16(ip, 4, static_cast<uint16_t>(ext.size() + l4.size()));
    ip[6] = first_nh;
    ip[7] = 64;
    std::memcpy(&ip[8], s, 16);
    std::memcpy(&ip[24], d, 16);
    b.insert(b.end(), ip.begin(), ip.end());
    b.insert(b.end(), ext.begin(), ext.end());
  }
  (void)l3;
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

}  // namespace rampart::test
