#pragma once
// Checks of request fields that the appliance API and the controller's
// public API share. Each returns "" when the fields are valid, else the
// INVALID_ARGUMENT message naming the field. Cold; any thread.

#include <google/protobuf/repeated_field.h>

#include <cstdint>
#include <string>

namespace rampart::api {

// An IPv4 or IPv6 address (not a prefix), by the CIDR grammar of
// controlplane/compiler/cidr.h: a workload IP accepted here is one the
// group resolution can use (no zone id, no IPv4-mapped form).
bool valid_ip(const std::string& s);

// The filter of a StreamEvents request: event types (enum values 0 to
// max_type), exact source / destination address, destination port.
std::string event_filter_error(const google::protobuf::RepeatedField<int>& types, int max_type,
                               const std::string& src_ip, const std::string& dst_ip, uint32_t dst_port);

}  // namespace rampart::api
