#include "dataplane/rampartd/capture_file.h"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "dataplane/parse/l4_checksum.h"
#include "dataplane/parse/packet_parser.h"

namespace rampart::dp {
namespace {

// File link types (LINKTYPE_*) whose values are not DLT_* constants here.
constexpr int kLinkIpv4 = 228;
constexpr int kLinkIpv6 = 229;
constexpr int kLinkSll2 = 276;
constexpr int kLinkLoop = 108;

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
// A frame whose link header names no IP protocol: a local experimental
// ethertype, so the policy's non_ip action decides it.
constexpr uint16_t kEtherOther = 0x88b5;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t host_or_swapped32(const uint8_t* p) {  // NULL/LOOP: AF in either byte order
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v > 0xffff ? __builtin_bswap32(v) : v;
}

uint16_t ether_type_of_ip(const uint8_t* p, uint32_t n) {
  if (n == 0) return kEtherOther;
  return (p[0] >> 4) == 4 ? kEtherIpv4 : (p[0] >> 4) == 6 ? kEtherIpv6 : kEtherOther;
}

uint16_t ether_type_of_af(uint32_t af) {
  if (af == 2) return kEtherIpv4;
  // AF_INET6: 10 (Linux), 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS).
  if (af == 10 || af == 24 || af == 28 || af == 30) return kEtherIpv6;
  return kEtherOther;
}

uint16_t ether_type_of_ppp(uint16_t proto) {
  if (proto == 0x0021) return kEtherIpv4;
  if (proto == 0x0057) return kEtherIpv6;
  return kEtherOther;
}

// How many bytes of link header a frame of this link type has, and what
// ethertype its payload gets; false if the link type is not one we map or
// the frame is too short for its link header (then it becomes a non-IP
// frame with no payload, counted as such by the worker).
bool map_link(int link, const uint8_t* f, uint32_t n, uint32_t* hdr, uint16_t* et) {
  switch (link) {
    case DLT_RAW:
    case kLinkIpv4:
    case kLinkIpv6:
      *hdr = 0;
      *et = ether_type_of_ip(f, n);
      return true;
    case DLT_NULL:
    case kLinkLoop:
      *hdr = 4;
      *et = n >= 4 ? ether_type_of_af(link == kLinkLoop ? static_cast<uint32_t>(f[0]) << 24 | f[1] << 16 | f[2] << 8 | f[3]
                                                        : host_or_swapped32(f))
                   : kEtherOther;
      return true;
    case DLT_PPP:
    case DLT_PPP_SERIAL: {
      // RFC 1662 framing: address 0xff, control 0x03 may precede the
      // protocol; the protocol field may be compressed to one byte.
      uint32_t o = (n >= 2 && f[0] == 0xff && f[1] == 0x03) ? 2 : 0;
      uint16_t proto = 0;
      if (o < n && (f[o] & 1)) {
        proto = f[o];
        o += 1;
      } else if (o + 2 <= n) {
        proto = be16(f + o);
        o += 2;
      }
      *hdr = o;
      *et = ether_type_of_ppp(proto);
      return true;
    }
    case DLT_LINUX_SLL:
      *hdr = 16;
      *et = n >= 16 ? be16(f + 14) : kEtherOther;
      return true;
    case kLinkSll2:
      *hdr = 20;
      *et = n >= 20 ? be16(f) : kEtherOther;
      return true;
    default:
      return false;
  }
}

bool link_supported(int link) {
  uint32_t h;
  uint16_t e;
  return link == DLT_EN10MB || map_link(link, nullptr, 0, &h, &e);
}

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperCloser {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};

}  // namespace

Result<CaptureScan> scan_capture(const std::string& path, const std::string& temp_dir) {
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapCloser> in(
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err));
  if (!in) return Error{fmt::format("{}: cannot read as a capture file: {}", path, err)};
  CaptureScan scan;
  scan.link_type = pcap_datalink(in.get());
  const char* name = pcap_datalink_val_to_name(scan.link_type);
  scan.link_name = name != nullptr ? name : fmt::format("{}", scan.link_type);
  if (!link_supported(scan.link_type)) {
    return Error{fmt::format("{}: link type {} ({}) is not one rampartd reads (Ethernet, raw IP, IPv4, IPv6, "
                             "NULL/loopback, PPP, Linux SLL/SLL2)",
                             path, scan.link_type, scan.link_name)};
  }
  scan.eal_path = path;
  std::unique_ptr<pcap_t, PcapCloser> dead;
  std::unique_ptr<pcap_dumper_t, DumperCloser> out;
  if (scan.link_type != DLT_EN10MB) {
    scan.eal_path = temp_dir + "/ethernet.pcap";
    dead.reset(pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144 + 14, PCAP_TSTAMP_PRECISION_NANO));
    if (dead) out.reset(pcap_dump_open(dead.get(), scan.eal_path.c_str()));
    if (!out) {
      return Error{fmt::format("{}: cannot write its Ethernet copy {}: {}", path, scan.eal_path,
                               dead ? pcap_geterr(dead.get()) : "pcap_open_dead failed")};
    }
    scan.converted = true;
  }
  std::vector<uint8_t> frame(262144 + 14);
  ParseOptions popt;  // both checksum checks on: the sample counts what they would drop
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  for (;;) {
    const int rc = pcap_next_ex(in.get(), &h, &data);
    if (rc == PCAP_ERROR_BREAK) break;
    if (rc != 1) {
      scan.truncated = true;
      scan.error = pcap_geterr(in.get());
      break;
    }
    ++scan.packets;
    const uint8_t* f = data;
    uint32_t caplen = h->caplen;
    uint32_t len = h->len;
    if (scan.converted) {
      uint32_t hdr = 0;
      uint16_t et = kEtherOther;
      map_link(scan.link_type, data, caplen, &hdr, &et);
      if (hdr > caplen) hdr = caplen;
      static constexpr uint8_t kMacs[12] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
      std::memcpy(frame.data(), kMacs, 12);
      frame[12] = static_cast<uint8_t>(et >> 8);
      frame[13] = static_cast<uint8_t>(et);
      std::memcpy(frame.data() + 14, data + hdr, caplen - hdr);
      pcap_pkthdr oh = *h;
      oh.caplen = caplen - hdr + 14;
      oh.len = (len >= hdr ? len - hdr : 0) + 14;
      pcap_dump(reinterpret_cast<u_char*>(out.get()), &oh, frame.data());
      f = frame.data();
      caplen = oh.caplen;
      len = oh.len;
    }
    if (scan.l4_sampled < CaptureScan::kChecksumSample && caplen == len) {
      PacketMeta m;
      const uint32_t avail = std::min<uint32_t>(caplen, kMaxHeaderBytes);
      const DropReason r = parse_packet(f, avail, caplen, m, popt);
      if (m.l3 == L3::kIpv4 && (r == DropReason::kNone || r == DropReason::kIpv4BadChecksum)) {
        ++scan.ipv4_sampled;
        if (r == DropReason::kIpv4BadChecksum) ++scan.ipv4_bad;
      }
      if (r == DropReason::kNone && !m.is_fragment && (m.proto == ip_proto::kTcp || m.proto == ip_proto::kUdp)) {
        ++scan.l4_sampled;
        const uint8_t* payload = f + m.l2_len + m.l3_hdr_len + m.l4_len;
        if (!l4_checksum_ok(m, f, payload, m.payload_len)) ++scan.l4_bad;
      }
    }
  }
  if (out) {
    FILE* file = pcap_dump_file(out.get());
    const bool failed = pcap_dump_flush(out.get()) != 0 || std::ferror(file) != 0;
    const int saved = errno;
    out.reset();
    if (failed) {
      return Error{fmt::format("{}: cannot write its Ethernet copy {}: {}", path, scan.eal_path,
                               std::strerror(saved))};
    }
  }
  return scan;
}

}  // namespace rampart::dp
