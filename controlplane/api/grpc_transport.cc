#include "controlplane/api/grpc_transport.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "controlplane/compiler/bounded_file.h"

namespace rampart::api {

Result<std::string> read_pem_file(const std::string& path) {
  auto text = cp::read_bounded_file(path, kMaxPemFileBytes, "PEM (a certificate or key)");
  if (!text) return Error{fmt::format("cannot read {}", text.error().message)};
  if (text->empty()) return Error{fmt::format("{} is empty", path)};
  return text;
}

namespace {

bool socket_in_use(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof(a.sun_path)) {
    ::close(fd);
    return false;
  }
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  const bool live = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return live;
}

}  // namespace

Result<RunningServer> start_server(const ServerListen& listen, const std::vector<grpc::Service*>& services) {
  if (listen.unix_socket.empty() && listen.tcp.empty()) return Error{"no unix socket and no TCP address to listen on"};
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder b;
  b.SetMaxReceiveMessageSize(listen.max_message_bytes);
  b.SetMaxSendMessageSize(listen.max_message_bytes);
  b.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, listen.max_concurrent_streams);
  if (!listen.unix_socket.empty()) {
    namespace fs = std::filesystem;
    const fs::path p(listen.unix_socket);
    std::error_code ec;
    if (p.has_parent_path() && !fs::exists(p.parent_path(), ec)) {
      fs::create_directories(p.parent_path(), ec);
      if (ec) return Error{fmt::format("cannot create {}: {}", p.parent_path().string(), ec.message())};
      ::chmod(p.parent_path().c_str(), 0750);
    }
    // A socket file left by a previous run would make bind fail; one that
    // a live process still serves is not ours to take.
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) return Error{fmt::format("{} exists and is not a socket", p.string())};
      if (socket_in_use(p.string())) {
        return Error{fmt::format("{} is in use by another process (a second instance? give it its own socket)",
                                 p.string())};
      }
      ::unlink(p.c_str());
    }
    b.AddListeningPort("unix:" + listen.unix_socket, grpc::InsecureServerCredentials());
  }
  int tcp_port = 0;
  if (!listen.tcp.empty()) {
    if (listen.tls.cert.empty() || listen.tls.key.empty()) {
      return Error{fmt::format("{}: TCP needs --grpc-tls-cert and --grpc-tls-key (plaintext TCP is not offered)",
                               listen.tcp)};
    }
    auto cert = read_pem_file(listen.tls.cert);
    if (!cert) return cert.error();
    auto key = read_pem_file(listen.tls.key);
    if (!key) return key.error();
    grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    if (!listen.tls.ca.empty()) {
      auto ca = read_pem_file(listen.tls.ca);
      if (!ca) return ca.error();
      ssl.pem_root_certs = *ca;
      ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    b.AddListeningPort(listen.tcp, grpc::SslServerCredentials(ssl), &tcp_port);
  }
  for (auto* s : services) b.RegisterService(s);
  RunningServer r;
  r.server = b.BuildAndStart();
  if (!r.server) {
    return Error{fmt::format("cannot listen on {}{}{}", listen.unix_socket.empty() ? "" : "unix:" + listen.unix_socket,
                             !listen.unix_socket.empty() && !listen.tcp.empty() ? " and " : "", listen.tcp)};
  }
  if (!listen.tcp.empty() && tcp_port == 0) {
    r.server->Shutdown();
    return Error{fmt::format("cannot listen on {}", listen.tcp)};
  }
  if (!listen.unix_socket.empty()) ::chmod(listen.unix_socket.c_str(), 0660);
  r.tcp_port = tcp_port;
  return r;
}

Result<std::shared_ptr<grpc::Channel>> connect(const std::string& address, const TlsFiles& tls,
                                               int max_message_bytes) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(max_message_bytes);
  args.SetMaxSendMessageSize(max_message_bytes);
  if (address.rfind("unix:", 0) == 0) {
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
  if (tls.ca.empty()) {
    if (!tls.cert.empty()) return Error{fmt::format("{}: a client certificate needs the server's CA too", address)};
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions ssl;
  auto ca = read_pem_file(tls.ca);
  if (!ca) return ca.error();
  ssl.pem_root_certs = *ca;
  if (!tls.cert.empty() || !tls.key.empty()) {
    auto cert = read_pem_file(tls.cert);
    if (!cert) return cert.error();
    auto key = read_pem_file(tls.key);
    if (!key) return key.error();
    ssl.pem_cert_chain = *cert;
    ssl.pem_private_key = *key;
  }
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

}  // namespace rampart::api
