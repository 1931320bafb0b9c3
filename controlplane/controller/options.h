#pragma once
// Command-line options of rampart-controller. Cold; main thread.

#include <string>
#include <vector>

#include "controlplane/api/grpc_transport.h"
#include "dataplane/common/result.h"

namespace rampart::controller {

struct Options {
  std::string policy_dir;
  std::vector<std::string> appliances;
  api::TlsFiles appliance_tls;  // client side: CA of the appliances, our certificate and key
  api::ServerListen listen;
  bool help = false;
};

const char* usage();
Result<Options> parse_options(int argc, char** argv);

}  // namespace rampart::controller
