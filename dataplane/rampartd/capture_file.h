#pragma once
// Checks an offline-mode capture before the EAL sees it: a file libpcap can
// read (pcap, nanosecond pcap, pcapng) with Ethernet link type. net_pcap
// would otherwise read other link types as if they were Ethernet, and an
// unreadable file would only surface as "no ports".

#include <string>

#include "dataplane/common/result.h"

namespace rampart::dp {

Result<Ok> check_capture_file(const std::string& path);

}  // namespace rampart::dp
