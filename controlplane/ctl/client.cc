#include "controlplane/ctl/client.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <fmt/format.h>

namespace rampart::ctl {

void complain(const std::string& message) { fmt::print(stderr, "rampartctl: {}\n", message); }

void Client::prepare(grpc::ClientContext* ctx) const {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(static_cast<int64_t>(args.timeout_seconds * 1000)));
}

int Client::fail(const grpc::Status& s) const {
  const bool connected = channel->GetState(false) == GRPC_CHANNEL_READY;
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE && !connected) {
    complain(fmt::format("cannot reach {}: {}", address, s.error_message()));
    return kExitUnreachable;
  }
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && !connected) {
    complain(fmt::format("cannot reach {}: no connection within {} s", address, args.timeout_seconds));
    return kExitUnreachable;
  }
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    complain(fmt::format("{}: no answer within {} s (--timeout)", address, args.timeout_seconds));
    return kExitRequest;
  }
  // Compiler errors are printed as they are ("FILE:LINE:COL: error: ..."),
  // one per line, so editors and CI annotate them.
  if (s.error_message().find(": error: ") != std::string::npos) {
    fmt::print(stderr, "{}\n", s.error_message());
  } else {
    complain(s.error_message());
  }
  return kExitRequest;
}

void Table::print() const {
  std::vector<std::size_t> width;
  for (const auto& r : rows_) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows_) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += i + 1 == r.size() ? r[i] : fmt::format("{:<{}}  ", r[i], width[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  }
}

}  // namespace rampart::ctl
