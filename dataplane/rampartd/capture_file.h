#pragma once
// Reads an offline-mode capture once before the EAL sees it (cold):
//   - whether libpcap reads it at all (pcap, nanosecond pcap, pcapng), how
//     many packets it holds, and whether a record could not be read (a
//     truncated or corrupt file: the run then covers the packets before it,
//     and says so in its summary and exit status);
//   - its link type. net_pcap hands frames to the worker as they are, and
//     live ports are Ethernet, so a capture of another link type (raw IP,
//     IPv4, IPv6, BSD loopback/NULL, PPP, Linux cooked SLL/SLL2) is
//     rewritten into a temporary Ethernet capture, the packets unchanged
//     behind a synthetic Ethernet header whose type says what the link
//     header said (Suricata and Snort decode these link types the same way);
//   - for --checksum-validation auto, how many IPv4 header and TCP/UDP
//     checksums of a sample are wrong: captures taken on a host with
//     checksum offload have many, and checking them would drop real traffic.

#include <cstdint>
#include <string>

#include "common/result.h"

namespace rampart::dp {

struct CaptureScan {
  int link_type = 0;          // DLT_* of the file
  std::string link_name;      // libpcap's name for it ("EN10MB", "RAW", ...)
  uint64_t packets = 0;       // records read
  bool truncated = false;     // a record could not be read; `error` says why
  std::string error;
  std::string eal_path;       // what net_pcap reads: the file, or the Ethernet copy
  bool converted = false;     // eal_path is a temporary Ethernet copy (remove it)
  // Checksum sample (the first kChecksumSample TCP/UDP packets).
  uint64_t ipv4_sampled = 0, ipv4_bad = 0;
  uint64_t l4_sampled = 0, l4_bad = 0;

  static constexpr uint64_t kChecksumSample = 10000;
  // --checksum-validation auto: the sample looks like checksum offload: at
  // least a tenth of those checked are wrong, and at least 10 of them or
  // half (a small capture taken on an offloading host). A few deliberately
  // broken packets among many are checked; an offloaded host's traffic is
  // not.
  static bool offloaded(uint64_t bad, uint64_t sampled) {
    return bad > 0 && bad * 10 >= sampled && (bad >= 10 || bad * 2 >= sampled);
  }
};

// Reads `path`; a non-Ethernet capture is copied as Ethernet into
// `temp_dir` (the caller removes CaptureScan::eal_path when converted).
// Errors: not a capture libpcap reads, a link type it cannot map, or the
// copy cannot be written (disk full), each naming the file.
Result<CaptureScan> scan_capture(const std::string& path, const std::string& temp_dir);

}  // namespace rampart::dp
