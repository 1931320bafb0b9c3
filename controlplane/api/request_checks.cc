#include "controlplane/api/request_checks.h"

#include <fmt/format.h>

#include "controlplane/compiler/cidr.h"

namespace rampart::api {

bool valid_ip(const std::string& s) {
  std::string why;
  return s.find('/') == std::string::npos && cp::parse_cidr(s, &why).has_value();
}

std::string event_filter_error(const google::protobuf::RepeatedField<int>& types, int max_type,
                               const std::string& src_ip, const std::string& dst_ip, uint32_t dst_port) {
  for (int t : types) {
    if (t < 0 || t > max_type) return fmt::format("types: {} is not an EventType", t);
  }
  if (!src_ip.empty() && !valid_ip(src_ip)) return fmt::format("src_ip: '{}' is not an address", src_ip);
  if (!dst_ip.empty() && !valid_ip(dst_ip)) return fmt::format("dst_ip: '{}' is not an address", dst_ip);
  if (dst_port > 65535) return fmt::format("dst_port: {} is not 0-65535", dst_port);
  return "";
}

}  // namespace rampart::api
