#pragma once
// rampartctl's command line: global options (anywhere on the line), the
// command and its own options. Parsing only; no I/O. Cold.

#include <cstdint>
#include <string>
#include <vector>

#include "controlplane/api/grpc_transport.h"
#include "common/result.h"

namespace rampart::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRequest = 1;      // the server refused or failed the request
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // the server could not be reached

struct Args {
  std::string server = "unix:/run/rampart/controller.sock";
  std::string direct_appliance;  // --appliance before the command: talk to one rampartd
  api::TlsFiles tls;
  bool json = false;
  double timeout_seconds = 0;  // --timeout; 0: the command's default (10 s; apply, validate, delete: 120 s)

  std::string command;
  std::vector<std::string> positional;  // after the command
  std::string file;                     // -f
  std::string name;                     // --name
  bool dry_run = false;
  uint64_t version = 0;                 // --version (direct apply; 0: applied + 1)
  std::string appliance;                // --appliance after counters/events: a selector
  std::string filter;                   // counters --filter
  std::vector<std::string> types;       // events --type
  std::string src_ip, dst_ip;
  uint32_t dst_port = 0;
  bool follow = false;
  bool help = false;
};

const char* usage();
// Error: a usage error (exit 2), its message names the problem.
Result<Args> parse_args(int argc, char** argv);

}  // namespace rampart::ctl
