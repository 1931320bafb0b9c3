#pragma once
// rampartd's own command line (after the EAL arguments). See
// docs/rampartd.md for the user-facing description of every option.

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace rampart::dp {

struct Options {
  std::string policy_file;  // empty: embedded default
  bool validate_only = false;
  std::string eve_file;
  std::vector<std::string> rules;  // --rules FILE_OR_DIR, repeatable
  std::vector<std::string> rules_drop;  // --rules-drop: alert actions become drop
  bool no_rules = false;  // --no-rules: offline mode without the bundled set
  bool l7 = false;        // --l7: L7 inspection with no startup signatures
  // Appliance API (gRPC). Live mode serves it on a unix socket by default.
  std::string grpc_socket = "/run/rampart/rampartd.sock";  // --grpc-socket ("" : none)
  bool grpc_socket_set = false;
  std::string grpc_listen;      // --grpc-listen HOST:PORT (TLS required)
  std::string grpc_tls_cert, grpc_tls_key, grpc_tls_client_ca;
  std::string appliance_id;     // --appliance-id (default: hostname)
  std::string hs_cache_dir = "/var/cache/rampart/hyperscan";
  std::string pcap_in;   // offline mode when set
  std::string pcap_out;
  uint32_t flows = 65536;
  bool flow_table_full_bypass = false;
  bool tcp_midstream_allow = true;
  // --checksum-validation yes|no|auto: IPv4 header checksums and the
  // TCP/UDP checksums of inspected payload. auto (offline mode's default):
  // as yes unless the capture shows checksum offload (capture_file.h).
  enum class Checksums : uint8_t { kYes, kNo, kAuto };
  Checksums checksums = Checksums::kYes;
  bool checksums_set = false;
  uint32_t l7_flows = 1024;          // --l7-flows: flows inspected at once per worker
  bool l7_exhausted_bypass = false;  // --l7-on-exhausted drop|bypass
  double l7_evict_idle = 10;         // --l7-evict-idle SECONDS
  uint64_t frag_memcap = 8ull << 20;
  bool frag_forward_on_memcap = false;
  uint16_t mtu = 1500;
  uint32_t mbufs = 0;  // 0: computed
  double stats_interval = 0;
  double duration = 0;
  bool summary = false;
};

struct CommandLine {
  std::vector<std::string> eal_args;  // argv[0] first
  Options opts;
  bool help = false;
};

// Splits argv at "--": EAL arguments before, rampartd options after. With
// no "--" and --pcap present, every argument is a rampartd option and the
// EAL arguments are generated (offline mode).
Result<CommandLine> parse_command_line(int argc, char** argv);

const char* usage();

}  // namespace rampart::dp
