#include "dataplane/rampartd/capture_file.h"

#include <pcap/pcap.h>

#include <fmt/format.h>

namespace rampart::dp {

Result<Ok> check_capture_file(const std::string& path) {
  // libpcap is what net_pcap reads the file with: ask it, so pcap, nanosecond
  // pcap and pcapng are all judged exactly as the device will see them.
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (p == nullptr) return Error{fmt::format("{}: cannot read as a capture file: {}", path, err)};
  const int linktype = pcap_datalink(p);
  pcap_close(p);
  if (linktype != DLT_EN10MB) {
    return Error{fmt::format("{}: link type {} ({}) is not Ethernet; rampartd reads Ethernet captures only", path,
                             linktype, pcap_datalink_val_to_name(linktype) ? pcap_datalink_val_to_name(linktype) : "?")};
  }
  return Ok{};
}

}  // namespace rampart::dp
