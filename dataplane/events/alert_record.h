#pragma once
// AlertRecord: a signature match or a protocol anomaly, handed from a
// worker to the agent through the worker's alert ring. Fixed size; the HTTP
// fields are truncated copies (EVE "http" object). Plain data, no pointers.

#include <cstdint>

namespace rampart::dp {

enum class AlertKind : uint8_t {
  kSignature = 0,    // sig_index: the matching signature
  kHttpAnomaly = 1,  // sig_index: http_anomaly bits of the request
  kStreamAnomaly = 2,  // overlapping TCP segments with different data
  kTlsAnomaly = 3,     // sig_index: tls_anomaly bits of a ClientHello
  kDnsAnomaly = 4,     // sig_index: dns_anomaly bits of a query
};

// kNone: a raw-payload match (TCP stream or UDP datagram); no app fields.
enum class AppProto : uint8_t { kHttp = 0, kTls = 1, kDns = 2, kNone = 3 };

struct AlertRecord {
  uint64_t timestamp_ns;
  uint64_t flow_id;
  uint8_t src[16];
  uint8_t dst[16];
  uint16_t src_port;
  uint16_t dst_port;
  uint32_t sig_index;  // kSignature: into the SignatureMatcher; kHttpAnomaly: anomaly bits
  uint16_t in_port;
  uint8_t family;
  uint8_t blocked;     // the flow was blocked because of this match
  uint8_t method_len;
  uint8_t host_len;
  uint8_t ua_len;
  AlertKind kind;
  uint16_t url_len;
  uint8_t app_proto;   // AppProto: which fields below are filled
  uint8_t l4_proto;    // IPPROTO_TCP or IPPROTO_UDP
  uint8_t sig_generation;  // the signature set the index refers to (low 8 bits of its generation)
  uint8_t mode;            // policy::GroupMode of the flow: not protect -> drop signatures only alerted
  char method[16];
  char host[64];  // HTTP host, TLS SNI or DNS query name (truncated)
  char user_agent[128];
  char url[256];
};
static_assert(sizeof(AlertRecord) % 4 == 0, "rte_ring element size must be a multiple of 4");

}  // namespace rampart::dp
