#pragma once
// Checks of request fields that the appliance API and the controller's
// public API share, and the limits of every string and repeated field of
// both that nothing else bounds (docs/design/control-plane.md, "Request
// limits"). Each check returns "" when the fields are valid, else the
// INVALID_ARGUMENT message naming the field and, for a limit, the limit.
// A field is measured before it is parsed or echoed in a message. Cold;
// any thread.

#include <google/protobuf/map.h>
#include <google/protobuf/repeated_field.h>
#include <google/protobuf/repeated_ptr_field.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rampart::api {

// Names (rules, groups, signature sets, workloads, appliance selectors,
// documents) and where things were written ("file:line").
inline constexpr std::size_t kMaxNameBytes = 256;
inline constexpr std::size_t kMaxSourceBytes = 1024;
inline constexpr std::size_t kMaxOriginBytes = 256;
// An address or prefix as text ("ffff:...:255.255.255.255/128" is 49).
inline constexpr std::size_t kMaxAddressBytes = 64;
// Per rule side (src, dst): resolved groups become these lists.
inline constexpr std::size_t kMaxPrefixesPerList = 65536;
inline constexpr std::size_t kMaxPortRangesPerList = 1024;
inline constexpr std::size_t kMaxGroups = 65536;
inline constexpr std::size_t kMaxGroupMembers = std::size_t{1} << 20;  // all groups together
inline constexpr std::size_t kMaxSignatureSets = 256;
inline constexpr std::size_t kMaxSignatureSetBytes = std::size_t{32} << 20;  // one set's rules text
// IP-to-workload bindings (and removed IPs) in one request.
inline constexpr std::size_t kMaxBindings = std::size_t{1} << 20;
inline constexpr std::size_t kMaxLabels = 64;                // per workload
inline constexpr std::size_t kMaxLabelKeyBytes = 317;       // Kubernetes: 253-byte prefix, '/', 63-byte name
inline constexpr std::size_t kMaxLabelValueBytes = 1024;    // Kubernetes allows 63; Docker labels are free-form
inline constexpr std::size_t kMaxEventTypes = 16;           // a filter's types (they may repeat)

// "FIELD: N bytes, at most MAX"
std::string too_long(std::string_view field, std::size_t bytes, std::size_t max);
// "FIELD: N entries, at most MAX"
std::string too_many(std::string_view field, std::size_t count, std::size_t max);
// too_long when s is over max, else "".
std::string length_error(std::string_view field, const std::string& s, std::size_t max);

// An IPv4 or IPv6 address (not a prefix), by the CIDR grammar of
// controlplane/compiler/cidr.h: a workload IP accepted here is one the
// group resolution can use (no zone id, no IPv4-mapped form).
bool valid_ip(const std::string& s);
// An address of at most kMaxAddressBytes: "" or the error at `field`.
std::string address_error(std::string_view field, const std::string& s);

// The filter of a StreamEvents request: event types (enum values 0 to
// max_type, at most kMaxEventTypes), exact source / destination address,
// destination port.
std::string event_filter_error(const google::protobuf::RepeatedField<int>& types, int max_type,
                               const std::string& src_ip, const std::string& dst_ip, uint32_t dst_port);

// One IP-to-workload binding as both APIs take it (UpdateIdentities,
// UpsertWorkloads): an address, a workload name (1 to kMaxNameBytes), and
// labels within the limits. `at` names the binding ("upsert[3]"),
// `identity_at` what holds the workload and labels ("upsert[3].identity").
std::string binding_error(std::string_view at, std::string_view identity_at, const std::string& ip,
                          const std::string& workload, const google::protobuf::Map<std::string, std::string>& labels);
// The bindings of one request: at most kMaxBindings.
std::string bindings_error(std::string_view field, int count);
// A list of IPs to remove: at most kMaxBindings addresses.
std::string removals_error(std::string_view field, const google::protobuf::RepeatedPtrField<std::string>& ips);

}  // namespace rampart::api
