#pragma once
// What offline mode (rampartd --pcap) prepares before the EAL starts: a
// temporary directory of its own, the capture read once (capture_file.h:
// link type, packet count, truncation, checksum sample), the checksum
// checks --checksum-validation auto settles on, the bundled signature set
// when no --rules is given, and the EAL arguments of a net_pcap port. Cold.

#include <string>
#include <vector>

#include "common/result.h"
#include "dataplane/rampartd/app.h"

namespace rampart::dp {

// A directory of ours for an offline run's temporary files (the Ethernet
// copy of a capture of another link type), removed on every way out.
class TempDir {
 public:
  TempDir() = default;
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  Result<std::string> create();

 private:
  std::string path_;
};

// Reads app.opts.pcap_in into app.capture, settles app.ipv4_checksums and
// app.l4_checksums, and adds the bundled signature set to app.opts.rules
// when the options ask for none. Messages for the operator go to stderr.
Result<Ok> prepare_offline_input(App& app, TempDir& temp, const char* argv0);

// The checksum checks of a live run (no capture to sample).
void settle_live_checksums(App& app);

// The EAL arguments of an offline run: --no-huge, a file prefix of this
// process, a net_pcap port reading `capture` (and writing --pcap-out).
std::vector<std::string> offline_eal_args(const char* argv0, const Options& o, const std::string& capture);

}  // namespace rampart::dp
