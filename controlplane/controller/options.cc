#include "controlplane/controller/options.h"

#include <charconv>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

namespace rampart::controller {

const char* usage() {
  return "usage: rampart-controller --policy-dir DIR [options]\n"
         "  --policy-dir DIR            policy documents (DIR/NAME.yaml), the version file, the workload\n"
         "                              inventory and the signature compile cache (required)\n"
         "  --appliance ADDR            a rampartd to manage: unix:PATH or HOST:PORT (repeatable)\n"
         "  --appliance-tls-ca FILE     CA of the appliances' certificates (TLS to HOST:PORT appliances)\n"
         "  --appliance-tls-cert FILE, --appliance-tls-key FILE   client certificate for mutual TLS\n"
         "  --grpc-socket PATH          public API on a unix socket (/run/rampart/controller.sock; '' none)\n"
         "  --grpc-listen HOST:PORT     public API over TCP with TLS (needs --grpc-tls-cert/-key)\n"
         "  --grpc-tls-cert FILE, --grpc-tls-key FILE   the controller's certificate and key (PEM)\n"
         "  --grpc-tls-client-ca FILE   mutual TLS: clients need a certificate from this CA\n"
         "  --max-document-bytes N      largest policy document accepted, in a file or through the API\n"
         "                              (16777216; at most 62914560)\n"
         "  -h, --help\n";
}

Result<Options> parse_options(int argc, char** argv) {
  Options o;
  o.listen.unix_socket = "/run/rampart/controller.sock";
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    std::string value;
    bool inline_value = false;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string_view::npos) {
      value = std::string(a.substr(a.find('=') + 1));
      a = a.substr(0, a.find('='));
      inline_value = true;
    }
    if (a == "-h" || a == "--help") {
      o.help = true;
      return o;
    }
    static constexpr std::string_view kWithValue[] = {
        "--policy-dir",    "--appliance",     "--appliance-tls-ca", "--appliance-tls-cert", "--appliance-tls-key",
        "--grpc-socket",   "--grpc-listen",   "--grpc-tls-cert",    "--grpc-tls-key",       "--grpc-tls-client-ca",
        "--max-document-bytes"};
    bool known = false;
    for (auto k : kWithValue) known = known || a == k;
    if (!known) return Error{fmt::format("unknown option '{}' (see --help)", a)};
    if (!inline_value) {
      if (i + 1 >= argc) return Error{fmt::format("{} needs a value", a)};
      value = argv[++i];
    }
    if (a == "--policy-dir") {
      o.policy_dir = value;
    } else if (a == "--appliance") {
      if (value.empty()) return Error{"--appliance needs an address (unix:PATH or HOST:PORT)"};
      o.appliances.push_back(value);
    } else if (a == "--appliance-tls-ca") {
      o.appliance_tls.ca = value;
    } else if (a == "--appliance-tls-cert") {
      o.appliance_tls.cert = value;
    } else if (a == "--appliance-tls-key") {
      o.appliance_tls.key = value;
    } else if (a == "--grpc-socket") {
      o.listen.unix_socket = value;
    } else if (a == "--grpc-listen") {
      o.listen.tcp = value;
    } else if (a == "--grpc-tls-cert") {
      o.listen.tls.cert = value;
    } else if (a == "--grpc-tls-key") {
      o.listen.tls.key = value;
    } else if (a == "--grpc-tls-client-ca") {
      o.listen.tls.ca = value;
    } else if (a == "--max-document-bytes") {
      uint64_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n == 0 || n > kMaxDocumentBytesLimit) {
        return Error{fmt::format("--max-document-bytes {}: not a size of 1-{} bytes", value, kMaxDocumentBytesLimit)};
      }
      o.max_document_bytes = static_cast<std::size_t>(n);
    }
  }
  if (o.policy_dir.empty()) return Error{"--policy-dir is required"};
  if (o.listen.unix_socket.empty() && o.listen.tcp.empty()) {
    return Error{"nothing to listen on: give --grpc-socket PATH and/or --grpc-listen HOST:PORT"};
  }
  if (!o.listen.tcp.empty() && (o.listen.tls.cert.empty() || o.listen.tls.key.empty())) {
    return Error{"--grpc-listen needs --grpc-tls-cert and --grpc-tls-key (plaintext TCP is not offered)"};
  }
  if (o.listen.tcp.empty() && o.listen.tls.any()) return Error{"--grpc-tls-* need --grpc-listen"};
  if (o.appliance_tls.cert.empty() != o.appliance_tls.key.empty()) {
    return Error{"--appliance-tls-cert and --appliance-tls-key go together"};
  }
  return o;
}

}  // namespace rampart::controller
