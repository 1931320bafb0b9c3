#pragma once
// How Rampart's gRPC servers listen and its clients connect, shared by
// rampartd, rampart-controller and rampartctl.
//
// Servers: a unix socket (the default; access by file permissions, mode
// 0660, directory created 0750) and/or TCP, which requires TLS; with a
// client CA, mutual TLS: a client without a certificate signed by that CA
// (or with an expired one) is refused in the handshake. Message size and
// concurrent stream limits are set; server reflection is on.
//
// Clients: "unix:PATH" or "HOST:PORT"; TCP addresses use TLS when a CA is
// given (and present a client certificate when one is given).
//
// Cold; any thread.

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace rampart::api {

struct TlsFiles {
  std::string cert;       // PEM certificate chain of this end
  std::string key;        // PEM private key of this end
  std::string ca;         // server: CA that client certificates must chain to (mTLS); client: CA of the server
  bool any() const { return !cert.empty() || !key.empty() || !ca.empty(); }
};

struct ServerListen {
  std::string unix_socket;  // path; empty: none
  std::string tcp;          // "HOST:PORT" (PORT 0: any free port); empty: none
  TlsFiles tls;             // required with tcp
  int max_message_bytes = 64 << 20;
  int max_concurrent_streams = 32;
};

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int tcp_port = 0;  // the bound port when tcp was given
};

// Builds and starts a server with these services (not owned; they must
// outlive it). Errors name the file or address that is wrong.
Result<RunningServer> start_server(const ServerListen& listen, const std::vector<grpc::Service*>& services);

// A channel to "unix:PATH" or "HOST:PORT".
Result<std::shared_ptr<grpc::Channel>> connect(const std::string& address, const TlsFiles& tls,
                                               int max_message_bytes = 64 << 20);

// Reads a PEM file (certificate, key, CA bundle): a regular file of at
// most kMaxPemFileBytes; the error names the file.
inline constexpr std::size_t kMaxPemFileBytes = std::size_t{1} << 20;
Result<std::string> read_pem_file(const std::string& path);

}  // namespace rampart::api
