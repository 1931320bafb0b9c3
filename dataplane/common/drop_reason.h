#pragma once
// DropReason: every packet rampartd does not forward is counted under exactly
// one of these names. The X-macro keeps the enum, the names used in the JSON
// summary / EVE records and the counter arrays in one place.

#include <cstdint>
#include <string_view>

namespace rampart::dp {

#define RAMPART_DROP_REASONS(X)                                        \
  X(kEthTruncated, "eth_truncated")                                    \
  X(kVlanTruncated, "vlan_truncated")                                  \
  X(kVlanTooDeep, "vlan_too_deep")                                     \
  X(kIpv4Truncated, "ipv4_truncated")                                  \
  X(kIpv4BadVersion, "ipv4_bad_version")                               \
  X(kIpv4BadHeaderLength, "ipv4_bad_header_length")                    \
  X(kIpv4BadTotalLength, "ipv4_bad_total_length")                      \
  X(kIpv4BadChecksum, "ipv4_bad_checksum")                             \
  X(kIpv4BadOptions, "ipv4_bad_options")                               \
  X(kIpv6Truncated, "ipv6_truncated")                                  \
  X(kIpv6BadVersion, "ipv6_bad_version")                               \
  X(kIpv6BadPayloadLength, "ipv6_bad_payload_length")                  \
  X(kIpv6BadExtHeader, "ipv6_bad_ext_header")                          \
  X(kIpv6TooManyExtHeaders, "ipv6_too_many_ext_headers")               \
  X(kTcpTruncated, "tcp_truncated")                                    \
  X(kTcpBadHeaderLength, "tcp_bad_header_length")                      \
  X(kTcpBadFlags, "tcp_bad_flags")                                     \
  X(kUdpTruncated, "udp_truncated")                                    \
  X(kUdpBadLength, "udp_bad_length")                                   \
  X(kIcmpTruncated, "icmp_truncated")                                  \
  X(kSctpTruncated, "sctp_truncated")                                  \
  X(kHeadersTooLong, "headers_too_long")                               \
  X(kFragOverlap, "frag_overlap")                                      \
  X(kFragMemcap, "frag_memcap")                                        \
  X(kFragTimeout, "frag_timeout")                                      \
  X(kFragTooMany, "frag_too_many")                                     \
  X(kFragBadLength, "frag_bad_length")                                 \
  X(kFragTinyFirst, "frag_tiny_first")                                 \
  X(kFragTableFull, "frag_table_full")                                 \
  X(kFlowTableFull, "flow_table_full")                                 \
  X(kTcpNoFlow, "tcp_no_flow")                                         \
  X(kTcpInvalidState, "tcp_invalid_state")                             \
  X(kPolicyDeny, "policy_deny")                                        \
  X(kPolicyReject, "policy_reject")                                    \
  X(kNonIpPolicy, "non_ip_policy")                                     \
  X(kL7Signature, "l7_signature")                                      \
  X(kL7Exhausted, "l7_exhausted")                                      \
  X(kL7StateLost, "l7_state_lost")                                     \
  X(kStreamRefused, "stream_refused")                                  \
  X(kStreamConflict, "stream_conflict")                                \
  X(kL4BadChecksum, "l4_bad_checksum")                                 \
  X(kTxFull, "tx_full")

enum class DropReason : uint8_t {
  kNone = 0,
#define RAMPART_DROP_ENUM(name, str) name,
  RAMPART_DROP_REASONS(RAMPART_DROP_ENUM)
#undef RAMPART_DROP_ENUM
      kCount
};

inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::kCount);

// Name used in the JSON summary, telemetry and EVE "drop.reason".
constexpr std::string_view drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::kNone: return "none";
#define RAMPART_DROP_NAME(name, str) \
  case DropReason::name: return str;
    RAMPART_DROP_REASONS(RAMPART_DROP_NAME)
#undef RAMPART_DROP_NAME
    case DropReason::kCount: break;
  }
  return "unknown";
}

}  // namespace rampart::dp
