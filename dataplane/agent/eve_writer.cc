#include "dataplane/agent/eve_writer.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "dataplane/common/drop_reason.h"
#include "dataplane/l7/dns/dns_message.h"
#include "dataplane/l7/http/http_request_parser.h"
#include "dataplane/l7/tls/tls_client_hello.h"
#include "dataplane/conntrack/flow.h"
#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {
namespace {

std::string ip_string(const uint8_t* a, uint8_t family) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
  return buf;
}

const char* proto_name(uint8_t p, char* buf, std::size_t n) {
  switch (p) {
    case ip_proto::kTcp: return "TCP";
    case ip_proto::kUdp: return "UDP";
    case ip_proto::kIcmp: return "ICMP";
    case ip_proto::kIcmpv6: return "IPv6-ICMP";
    case ip_proto::kSctp: return "SCTP";
    default: std::snprintf(buf, n, "%u", p); return buf;
  }
}

const char* verdict_name(uint8_t v) {
  switch (static_cast<FlowVerdict>(v)) {
    case FlowVerdict::kAllow: return "allowed";
    case FlowVerdict::kDeny: return "blocked";
    case FlowVerdict::kReject: return "rejected";
  }
  return "unknown";
}

const char* end_reason_name(uint8_t r) {
  switch (static_cast<FlowEndReason>(r)) {
    case FlowEndReason::kTimeout: return "timeout";
    case FlowEndReason::kShutdown: return "shutdown";
    case FlowEndReason::kReopened: return "forced";
    case FlowEndReason::kEvicted: return "evicted";
  }
  return "unknown";
}

// Rule names come from policy files: escape them as JSON strings.
std::string json_escape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (const char c : in) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        // Control bytes and bytes outside ASCII (request fields are not
        // guaranteed UTF-8) are escaped so every line stays valid JSON.
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  return out;
}

void append_tcp_flags(fmt::memory_buffer& out, const char* key, uint8_t f) {
  fmt::format_to(std::back_inserter(out), ",\"{}\":\"{:02x}\"", key, f);
}

}  // namespace

std::string eve_timestamp(uint64_t ns) {
  const time_t sec = static_cast<time_t>(ns / 1'000'000'000ull);
  const uint64_t usec = (ns / 1000) % 1'000'000;
  std::tm tm{};
  gmtime_r(&sec, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06d}+0000", buf, usec);
}

Result<std::unique_ptr<EveWriter>> EveWriter::open(const std::string& path, std::vector<std::string> port_names) {
  if (path.empty()) return std::unique_ptr<EveWriter>(new EveWriter(nullptr, std::move(port_names)));
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return Error{fmt::format("cannot open EVE file {}: {}", path, std::strerror(errno))};
  return std::unique_ptr<EveWriter>(new EveWriter(f, std::move(port_names)));
}

EveWriter::~EveWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void EveWriter::emit(EveKind kind, uint64_t timestamp_ns, const fmt::memory_buffer& out) {
  if (file_ != nullptr) std::fwrite(out.data(), 1, out.size(), file_);
  ++written_;
  // The hub gets the record without its newline.
  if (hub_ != nullptr && hub_->active() && out.size() > 0) {
    hub_->publish(kind, timestamp_ns, std::string_view(out.data(), out.size() - 1));
  }
}

void EveWriter::write(const EventRecord& e, const RuleSet& rules) {
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  char pbuf[8];
  const char* iface = e.in_port < port_names_.size() ? port_names_[e.in_port].c_str() : "unknown";
  const bool flow = e.type == EventType::kFlow;
  fmt::format_to(it, "{{\"timestamp\":\"{}\",\"flow_id\":{},\"in_iface\":\"{}\",\"event_type\":\"{}\"",
                 eve_timestamp(e.timestamp_ns), e.flow_id, iface, flow ? "flow" : "drop");
  if (e.vlan != 0) fmt::format_to(it, ",\"vlan\":[{}]", e.vlan);
  fmt::format_to(it, ",\"src_ip\":\"{}\"", ip_string(e.src, e.family));
  const bool ports = e.proto == ip_proto::kTcp || e.proto == ip_proto::kUdp || e.proto == ip_proto::kSctp;
  if (ports) fmt::format_to(it, ",\"src_port\":{}", e.src_port);
  fmt::format_to(it, ",\"dest_ip\":\"{}\"", ip_string(e.dst, e.family));
  if (ports) fmt::format_to(it, ",\"dest_port\":{}", e.dst_port);
  fmt::format_to(it, ",\"proto\":\"{}\"", proto_name(e.proto, pbuf, sizeof(pbuf)));
  if ((e.proto == ip_proto::kIcmp || e.proto == ip_proto::kIcmpv6) && e.family != 0) {
    fmt::format_to(it, ",\"icmp_type\":{},\"icmp_code\":{}", e.icmp_type, e.icmp_code);
  }
  if (flow) {
    const double age = e.timestamp_ns > e.start_ns ? static_cast<double>(e.timestamp_ns - e.start_ns) / 1e9 : 0.0;
    fmt::format_to(it,
                   ",\"flow\":{{\"pkts_toserver\":{},\"pkts_toclient\":{},\"bytes_toserver\":{},"
                   "\"bytes_toclient\":{},\"start\":\"{}\",\"end\":\"{}\",\"age\":{},\"state\":\"{}\","
                   "\"reason\":\"{}\",\"alerted\":false,\"action\":\"{}\"}}",
                   e.pkts_toserver, e.pkts_toclient, e.bytes_toserver, e.bytes_toclient, eve_timestamp(e.start_ns),
                   eve_timestamp(e.timestamp_ns), static_cast<uint64_t>(age),
                   flow_state_name(static_cast<FlowState>(e.state)), end_reason_name(e.end_reason),
                   verdict_name(e.verdict));
    if (e.proto == ip_proto::kTcp) {
      fmt::format_to(it, ",\"tcp\":{{");
      fmt::format_to(it, "\"tcp_flags\":\"{:02x}\"", e.tcp_flags_ts | e.tcp_flags_tc);
      append_tcp_flags(out, "tcp_flags_ts", e.tcp_flags_ts);
      append_tcp_flags(out, "tcp_flags_tc", e.tcp_flags_tc);
      const uint8_t f = e.tcp_flags_ts | e.tcp_flags_tc;
      if (f & tcp_flag::kSyn) fmt::format_to(it, ",\"syn\":true");
      if (f & tcp_flag::kFin) fmt::format_to(it, ",\"fin\":true");
      if (f & tcp_flag::kRst) fmt::format_to(it, ",\"rst\":true");
      if (f & tcp_flag::kPsh) fmt::format_to(it, ",\"psh\":true");
      if (f & tcp_flag::kAck) fmt::format_to(it, ",\"ack\":true");
      fmt::format_to(it, ",\"state\":\"{}\"}}", flow_state_name(static_cast<FlowState>(e.state)));
    }
  } else {
    fmt::format_to(it, ",\"drop\":{{\"len\":{},\"ttl\":{},\"reason\":\"{}\"", e.pkt_len, e.ttl,
                   drop_reason_name(static_cast<DropReason>(e.drop_reason)));
    if (e.proto == ip_proto::kTcp) {
      const uint8_t f = e.tcp_flags_ts;
      fmt::format_to(it, ",\"syn\":{},\"ack\":{},\"psh\":{},\"rst\":{},\"urg\":{},\"fin\":{}",
                     (f & tcp_flag::kSyn) != 0, (f & tcp_flag::kAck) != 0, (f & tcp_flag::kPsh) != 0,
                     (f & tcp_flag::kRst) != 0, (f & tcp_flag::kUrg) != 0, (f & tcp_flag::kFin) != 0);
    }
    fmt::format_to(it, "}}");
  }
  const auto& rl = rules.rules();
  const bool known = e.rule_number >= 1 && e.rule_number <= rl.size() && e.generation == rules.generation();
  fmt::format_to(it, ",\"rampart\":{{\"verdict\":\"{}\",\"rule\":\"{}\",\"policy_generation\":{}",
                 verdict_name(e.verdict),
                 e.rule_number == 0 ? std::string("default")
                                    : (known ? json_escape(rl[e.rule_number - 1].name) : fmt::format("#{}", e.rule_number)),
                 e.generation);
  // A flow of a group in monitor or discover mode: what the rules decided
  // and that it was not enforced.
  const auto mode = static_cast<policy::GroupMode>(e.mode);
  if (mode != policy::GroupMode::kProtect) {
    fmt::format_to(it, ",\"mode\":\"{}\",\"policy_verdict\":\"{}\",\"enforced\":{}", policy::group_mode_name(mode),
                   verdict_name(e.policy_verdict), e.policy_verdict == e.verdict ? "true" : "false");
  }
  fmt::format_to(it, "}}}}\n");
  emit(flow ? EveKind::kFlow : EveKind::kDrop, e.timestamp_ns, out);
}

void EveWriter::write_anomaly(const AlertRecord& a, const char* type, const char* event, const char* app_proto) {
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  const char* iface = a.in_port < port_names_.size() ? port_names_[a.in_port].c_str() : "unknown";
  fmt::format_to(it,
                 "{{\"timestamp\":\"{}\",\"flow_id\":{},\"in_iface\":\"{}\",\"event_type\":\"anomaly\","
                 "\"src_ip\":\"{}\",\"src_port\":{},\"dest_ip\":\"{}\",\"dest_port\":{},\"proto\":\"{}\","
                 "\"anomaly\":{{\"type\":\"{}\",\"event\":\"{}\"",
                 eve_timestamp(a.timestamp_ns), a.flow_id, iface, ip_string(a.src, a.family), a.src_port,
                 ip_string(a.dst, a.family), a.dst_port, a.l4_proto == 17 ? "UDP" : "TCP", type, event);
  if (app_proto != nullptr) fmt::format_to(it, ",\"app_proto\":\"{}\",\"layer\":\"proto_parser\"", app_proto);
  fmt::format_to(it, "}}");
  if (a.kind == AlertKind::kTlsAnomaly && a.host_len > 0) {
    fmt::format_to(it, ",\"tls\":{{\"sni\":\"{}\"}}", json_escape(std::string_view(a.host, a.host_len)));
  } else if (a.kind == AlertKind::kDnsAnomaly && a.host_len > 0) {
    fmt::format_to(it, ",\"dns\":{{\"query\":[{{\"type\":\"query\",\"rrname\":\"{}\"}}]}}",
                   json_escape(std::string_view(a.host, a.host_len)));
  } else if (a.url_len > 0 || a.method_len > 0) {
    fmt::format_to(it, ",\"http\":{{\"hostname\":\"{}\",\"url\":\"{}\",\"http_method\":\"{}\"}}",
                   json_escape(std::string_view(a.host, a.host_len)), json_escape(std::string_view(a.url, a.url_len)),
                   json_escape(std::string_view(a.method, a.method_len)));
  }
  fmt::format_to(it, "}}\n");
  emit(EveKind::kAnomaly, a.timestamp_ns, out);
}

void EveWriter::write_alert(const AlertRecord& a, const SignatureMatcher& sigs) {
  if (a.kind == AlertKind::kStreamAnomaly) {
    write_anomaly(a, "stream", "stream.reassembly_overlap_different_data", nullptr);
    return;
  }
  if (a.kind == AlertKind::kHttpAnomaly) {
    // One EVE record per anomaly, as Suricata logs one per app-layer event.
    for (uint32_t bit = 1; bit != 0; bit <<= 1) {
      if (a.sig_index & bit) write_anomaly(a, "applayer", http_anomaly_name(bit), "http");
    }
    return;
  }
  if (a.kind == AlertKind::kTlsAnomaly || a.kind == AlertKind::kDnsAnomaly) {
    const bool tls = a.kind == AlertKind::kTlsAnomaly;
    for (uint32_t bit = 1; bit != 0; bit <<= 1) {
      if (a.sig_index & bit) {
        write_anomaly(a, "applayer", tls ? tls_anomaly_name(bit) : dns_anomaly_name(bit), tls ? "tls" : "dns");
      }
    }
    return;
  }
  const policy::Signature& s = sigs.signature(a.sig_index);
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  const char* iface = a.in_port < port_names_.size() ? port_names_[a.in_port].c_str() : "unknown";
  const int severity = s.priority != 0 ? s.priority : 3;
  const auto app = static_cast<AppProto>(a.app_proto);
  const bool tls = app == AppProto::kTls;
  const bool dns = app == AppProto::kDns;
  const bool raw = app == AppProto::kNone;  // a raw-payload match: no app-layer fields
  fmt::format_to(it,
                 "{{\"timestamp\":\"{}\",\"flow_id\":{},\"in_iface\":\"{}\",\"event_type\":\"alert\","
                 "\"src_ip\":\"{}\",\"src_port\":{},\"dest_ip\":\"{}\",\"dest_port\":{},\"proto\":\"{}\",",
                 eve_timestamp(a.timestamp_ns), a.flow_id, iface, ip_string(a.src, a.family), a.src_port,
                 ip_string(a.dst, a.family), a.dst_port, a.l4_proto == 17 ? "UDP" : "TCP");
  if (!raw) fmt::format_to(it, "\"app_proto\":\"{}\",", tls ? "tls" : (dns ? "dns" : "http"));
  fmt::format_to(it,
                 "\"alert\":{{\"action\":\"{}\",\"gid\":{},\"signature_id\":{},\"rev\":{},"
                 "\"signature\":\"{}\",\"category\":\"{}\",\"severity\":{}}}",
                 a.blocked ? "blocked" : "allowed", s.gid, s.sid, s.rev, json_escape(s.msg), json_escape(s.classtype),
                 severity);
  const auto mode = static_cast<policy::GroupMode>(a.mode);
  if (mode != policy::GroupMode::kProtect) {
    // A drop signature in a monitor/discover flow: reported, not enforced.
    const bool would_block = s.action == policy::SigAction::kDrop || s.action == policy::SigAction::kReject;
    fmt::format_to(it, ",\"rampart\":{{\"mode\":\"{}\",\"enforced\":{}}}", policy::group_mode_name(mode),
                   would_block ? "false" : "true");
  }
  if (raw) {
    fmt::format_to(it, "}}\n");
  } else if (tls) {
    fmt::format_to(it, ",\"tls\":{{\"sni\":\"{}\"}}}}\n", json_escape(std::string_view(a.host, a.host_len)));
  } else if (dns) {
    fmt::format_to(it, ",\"dns\":{{\"query\":[{{\"type\":\"query\",\"rrname\":\"{}\"}}]}}}}\n",
                   json_escape(std::string_view(a.host, a.host_len)));
  } else {
    fmt::format_to(it,
                   ",\"http\":{{\"hostname\":\"{}\",\"url\":\"{}\",\"http_user_agent\":\"{}\",\"http_method\":\"{}\"}}}}\n",
                   json_escape(std::string_view(a.host, a.host_len)), json_escape(std::string_view(a.url, a.url_len)),
                   json_escape(std::string_view(a.user_agent, a.ua_len)),
                   json_escape(std::string_view(a.method, a.method_len)));
  }
  emit(EveKind::kAlert, a.timestamp_ns, out);
}

}  // namespace rampart::dp
