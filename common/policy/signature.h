#pragma once
// Signature: one rule of Rampart's Suricata-compatible signature language,
// parsed and checked (controlplane/compiler/signature_parser.h) but not yet
// compiled to Hyperscan. Plain data of the bottom layer (common/): the
// compiler writes it, the dataplane's matcher reads it. See rules/README.md
// for the supported subset.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/policy/cidr.h"

namespace rampart::policy {

enum class SigAction : uint8_t { kAlert, kDrop, kReject, kPass };
enum class SigProto : uint8_t { kIp, kTcp, kUdp, kIcmp, kHttp, kTls, kDns };

// The inspection buffer a content or pcre applies to.
enum class SigBuffer : uint8_t {
  kStream,  // raw TCP/UDP payload (no sticky buffer)
  kHttpUri,
  kHttpUriRaw,
  kHttpMethod,
  kHttpHeader,
  kHttpHost,
  kHttpUserAgent,
  kHttpCookie,
  kHttpRequestBody,
  kTlsSni,
  kDnsQuery,
};

const char* sig_buffer_name(SigBuffer b);

// An address or port list after variable expansion: items with their
// negation. Empty with any=true means "any". Addresses are parsed (host
// bits beyond the prefix masked, as Suricata does).
struct SigAddressList {
  bool any = true;
  std::vector<std::pair<bool, Cidr>> items;  // (negated, prefix)
};
struct SigPortRange {
  bool negated = false;
  uint16_t lo = 0;
  uint16_t hi = 65535;
};
struct SigPortList {
  bool any = true;
  std::vector<SigPortRange> items;
};

struct SigContent {
  SigBuffer buffer = SigBuffer::kStream;
  std::string bytes;  // hex and escapes resolved
  bool negated = false;
  bool nocase = false;
  bool fast_pattern = false;
  int32_t offset = -1;    // -1: unset
  int32_t depth = -1;
  int32_t distance = INT32_MIN;  // INT32_MIN: unset (distance may be negative)
  int32_t within = -1;
  bool startswith = false;
  bool endswith = false;
};

struct SigPcre {
  SigBuffer buffer = SigBuffer::kStream;
  std::string pattern;  // the regex between the slashes
  bool negated = false;
  bool caseless = false;   // i
  bool dotall = false;     // s
  bool multiline = false;  // m
  bool extended = false;   // x
  bool relative = false;   // R
};

struct Signature {
  SigAction action = SigAction::kAlert;
  SigProto proto = SigProto::kIp;
  SigAddressList src, dst;
  SigPortList src_ports, dst_ports;
  bool bidirectional = false;
  std::string msg;
  uint32_t sid = 0;
  uint32_t rev = 0;
  uint32_t gid = 1;
  int priority = 0;  // 0: from classtype or default 3
  std::string classtype;
  std::vector<std::string> references;
  std::string metadata;
  bool flow_established = false;
  bool flow_to_server = false;
  bool flow_to_client = false;
  std::vector<SigContent> contents;
  std::vector<SigPcre> pcres;
  std::string source;  // file:line
};

}  // namespace rampart::policy
