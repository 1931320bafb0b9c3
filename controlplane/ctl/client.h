#pragma once
// What every rampartctl command shares: the channel, per-request deadlines,
// and the mapping of a failed call to a message on stderr and an exit code
// (UNAVAILABLE, or a deadline before the connection was up: the server is
// unreachable, exit 3; anything else: the server's message, exit 1).
// Cold; one thread.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "controlplane/ctl/args.h"

namespace rampart::ctl {

struct Client {
  const Args& args;
  std::string address;  // what the channel goes to
  std::shared_ptr<grpc::Channel> channel;

  void prepare(grpc::ClientContext* ctx) const;  // deadline from --timeout
  int fail(const grpc::Status& s) const;         // prints, returns the exit code
};

// Prints "rampartctl: MESSAGE" to stderr.
void complain(const std::string& message);

// Table output: columns padded to their widest cell.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace rampart::ctl
