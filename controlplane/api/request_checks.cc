#include "controlplane/api/request_checks.h"

#include <fmt/format.h>

#include "controlplane/compiler/cidr.h"

namespace rampart::api {

std::string too_long(std::string_view field, std::size_t bytes, std::size_t max) {
  return fmt::format("{}: {} bytes, at most {}", field, bytes, max);
}

std::string too_many(std::string_view field, std::size_t count, std::size_t max) {
  return fmt::format("{}: {} entries, at most {}", field, count, max);
}

std::string length_error(std::string_view field, const std::string& s, std::size_t max) {
  return s.size() > max ? too_long(field, s.size(), max) : "";
}

bool valid_ip(const std::string& s) {
  std::string why;
  return s.size() <= kMaxAddressBytes && s.find('/') == std::string::npos && cp::parse_cidr(s, &why).has_value();
}

std::string address_error(std::string_view field, const std::string& s) {
  if (s.size() > kMaxAddressBytes) return too_long(field, s.size(), kMaxAddressBytes);
  if (!valid_ip(s)) return fmt::format("{}: '{}' is not an IPv4 or IPv6 address", field, s);
  return "";
}

std::string event_filter_error(const google::protobuf::RepeatedField<int>& types, int max_type,
                               const std::string& src_ip, const std::string& dst_ip, uint32_t dst_port) {
  if (static_cast<std::size_t>(types.size()) > kMaxEventTypes) return too_many("types", types.size(), kMaxEventTypes);
  for (int t : types) {
    if (t < 0 || t > max_type) return fmt::format("types: {} is not an EventType", t);
  }
  if (!src_ip.empty()) {
    if (auto e = address_error("src_ip", src_ip); !e.empty()) return e;
  }
  if (!dst_ip.empty()) {
    if (auto e = address_error("dst_ip", dst_ip); !e.empty()) return e;
  }
  if (dst_port > 65535) return fmt::format("dst_port: {} is not 0-65535", dst_port);
  return "";
}

std::string binding_error(std::string_view at, std::string_view identity_at, const std::string& ip,
                          const std::string& workload, const google::protobuf::Map<std::string, std::string>& labels) {
  if (auto e = address_error(fmt::format("{}.ip", at), ip); !e.empty()) return e;
  if (workload.empty()) return fmt::format("{}.workload: required", identity_at);
  if (auto e = length_error(fmt::format("{}.workload", identity_at), workload, kMaxNameBytes); !e.empty()) return e;
  if (labels.size() > kMaxLabels) return too_many(fmt::format("{}.labels", identity_at), labels.size(), kMaxLabels);
  for (const auto& [key, value] : labels) {
    if (key.size() > kMaxLabelKeyBytes) {
      return too_long(fmt::format("{}.labels: a key", identity_at), key.size(), kMaxLabelKeyBytes);
    }
    if (value.size() > kMaxLabelValueBytes) {
      return too_long(fmt::format("{}.labels[{}]", identity_at, key), value.size(), kMaxLabelValueBytes);
    }
  }
  return "";
}

std::string bindings_error(std::string_view field, int count) {
  return static_cast<std::size_t>(count) > kMaxBindings ? too_many(field, count, kMaxBindings) : "";
}

std::string removals_error(std::string_view field, const google::protobuf::RepeatedPtrField<std::string>& ips) {
  if (static_cast<std::size_t>(ips.size()) > kMaxBindings) return too_many(field, ips.size(), kMaxBindings);
  for (int i = 0; i < ips.size(); ++i) {
    if (auto e = address_error(fmt::format("{}[{}]", field, i), ips[i]); !e.empty()) return e;
  }
  return "";
}

}  // namespace rampart::api
