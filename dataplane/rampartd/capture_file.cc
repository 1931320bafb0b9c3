#include "dataplane/rampartd/capture_file.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace rampart::dp {
namespace {

constexpr uint32_t kPcapMagicUsec = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNsec = 0xa1b23c4d;
constexpr uint32_t kPcapngMagic = 0x0a0d0d0a;
constexpr uint32_t kLinktypeEthernet = 1;

uint32_t swap32(uint32_t v) { return __builtin_bswap32(v); }

}  // namespace

Result<Ok> check_capture_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  unsigned char h[24] = {};
  in.read(reinterpret_cast<char*>(h), sizeof(h));
  if (in.gcount() < static_cast<std::streamsize>(sizeof(h))) {
    return Error{fmt::format("{}: not a pcap file (shorter than the 24-byte pcap header)", path)};
  }
  uint32_t magic, linktype;
  std::memcpy(&magic, h, 4);
  std::memcpy(&linktype, h + 20, 4);
  if (magic == kPcapngMagic) {
    return Error{fmt::format("{}: pcapng is not supported; convert it with 'editcap -F pcap'", path)};
  }
  bool swapped;
  if (magic == kPcapMagicUsec || magic == kPcapMagicNsec) {
    swapped = false;
  } else if (swap32(magic) == kPcapMagicUsec || swap32(magic) == kPcapMagicNsec) {
    swapped = true;
  } else {
    return Error{fmt::format("{}: not a pcap file (magic number {:#010x})", path, magic)};
  }
  if (swapped) linktype = swap32(linktype);
  // The upper bits may carry FCS information (pcap-linktype(7)).
  linktype &= 0x0fffffff;
  if (linktype != kLinktypeEthernet) {
    return Error{fmt::format("{}: link type {} is not Ethernet (1); rampartd reads Ethernet captures only", path,
                             linktype)};
  }
  return Ok{};
}

}  // namespace rampart::dp
