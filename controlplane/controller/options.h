#pragma once
// Command-line options of rampart-controller. Cold; main thread.

#include <cstddef>
#include <string>
#include <vector>

#include "controlplane/api/grpc_transport.h"
#include "controlplane/compiler/policy_compiler.h"
#include "common/result.h"

namespace rampart::controller {

struct Options {
  std::string policy_dir;
  std::vector<std::string> appliances;
  api::TlsFiles appliance_tls;  // client side: CA of the appliances, our certificate and key
  api::ServerListen listen;
  // Policy documents larger than this are refused (files at start, and
  // ApplyPolicy); at most kMaxDocumentBytesLimit (under the 64 MiB
  // message limit of the API).
  std::size_t max_document_bytes = cp::kMaxPolicyFileBytes;
  bool help = false;
};

inline constexpr std::size_t kMaxDocumentBytesLimit = std::size_t{60} << 20;

const char* usage();
Result<Options> parse_options(int argc, char** argv);

}  // namespace rampart::controller
