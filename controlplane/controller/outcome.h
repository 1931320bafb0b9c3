#pragma once
// Outcome: how the controller's state operations report failure, and the
// one place that maps it to a grpc::Status. Cold, any thread.

#include <grpcpp/grpcpp.h>

#include <string>
#include <utility>

namespace rampart::controller {

struct Outcome {
  enum class Code { kOk, kInvalidArgument, kNotFound, kFailedPrecondition, kUnavailable };
  Code code = Code::kOk;
  std::string message;

  bool ok() const { return code == Code::kOk; }
  static Outcome success() { return {}; }
  static Outcome invalid(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Outcome not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Outcome failed_precondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
  static Outcome unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
};

inline grpc::Status to_status(const Outcome& o) {
  switch (o.code) {
    case Outcome::Code::kOk: return grpc::Status::OK;
    case Outcome::Code::kInvalidArgument: return {grpc::StatusCode::INVALID_ARGUMENT, o.message};
    case Outcome::Code::kNotFound: return {grpc::StatusCode::NOT_FOUND, o.message};
    case Outcome::Code::kFailedPrecondition: return {grpc::StatusCode::FAILED_PRECONDITION, o.message};
    case Outcome::Code::kUnavailable: return {grpc::StatusCode::UNAVAILABLE, o.message};
  }
  return {grpc::StatusCode::INTERNAL, o.message};
}

}  // namespace rampart::controller
