#include "dataplane/l7/dns/dns_message.h"

#include <algorithm>
#include <cstring>

#include "common/byte_order.h"

namespace rampart::dp {

namespace {

constexpr size_t kHeaderBytes = 12;
constexpr size_t kMinQuestion = 5;  // root name + qtype + qclass
constexpr size_t kMinRecord = 11;   // root name + type, class, ttl, rdlength
constexpr uint32_t kMaxWireName = 255;
constexpr uint32_t kMaxLabel = 63;
// Real encoders never chain more than a few pointers; 16 bounds the work
// (with kMaxWireName: at most 16 jumps and 255 bytes copied per name).
constexpr uint32_t kMaxPointers = 16;
constexpr uint8_t kOpQuery = 0, kOpNotify = 4, kOpUpdate = 5;


bool hostname_byte(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '*';
}

// Decodes the name at `off` into out.qname_buf. `next` is the offset after
// the name where it was written (after its first pointer, if any).
bool decode_name(const uint8_t* msg, size_t len, size_t off, DnsMessage& out, size_t& next) {
  uint16_t visited[kMaxPointers];
  uint32_t nvisited = 0;
  size_t pos = off;
  size_t lowest = off;
  bool jumped = false;
  uint32_t wire = 0;
  uint32_t text = 0;
  for (;;) {
    if (pos >= len) {
      out.anomalies |= dns_anomaly::kTruncated;
      return false;
    }
    const uint8_t b = msg[pos];
    if (b == 0) {
      if (!jumped) next = pos + 1;
      if (text == 0) out.qname_buf[text++] = '.';
      out.qname_len = static_cast<uint16_t>(text);
      return true;
    }
    if ((b & 0xc0) == 0xc0) {
      if (pos + 1 >= len) {
        out.anomalies |= dns_anomaly::kTruncated;
        return false;
      }
      const size_t target = size_t{b & 0x3fu} << 8 | msg[pos + 1];
      if (!jumped) next = pos + 2;
      jumped = true;
      const auto here = static_cast<uint16_t>(pos);
      if (nvisited == kMaxPointers || std::find(visited, visited + nvisited, here) != visited + nvisited) {
        out.anomalies |= dns_anomaly::kCompressionLoop;
        return false;
      }
      visited[nvisited++] = here;
      if (target >= len) {
        out.anomalies |= dns_anomaly::kBadPointer;
        return false;
      }
      if (target >= lowest) out.anomalies |= dns_anomaly::kForwardPointer;
      lowest = std::min(lowest, target);
      pos = target;
      continue;
    }
    if (b > kMaxLabel) {
      out.anomalies |= dns_anomaly::kLabelTooLong;
      return false;
    }
    wire += 1u + b;
    if (wire + 1 > kMaxWireName) {  // + the root label
      out.anomalies |= dns_anomaly::kNameTooLong;
      return false;
    }
    if (b >= len - pos) {
      out.anomalies |= dns_anomaly::kTruncated;
      return false;
    }
    // wire <= 254 keeps text (labels + dots) <= 253 < kMaxNameText.
    if (text > 0) out.qname_buf[text++] = '.';
    for (size_t i = 0; i < b; ++i) {
      const uint8_t c = msg[pos + 1 + i];
      if (!hostname_byte(c)) out.anomalies |= dns_anomaly::kNameNonHostname;
      out.qname_buf[text++] = static_cast<char>(c);
    }
    pos += 1u + b;
  }
}

// `declared` is the message's real length; `len` <= declared is what we hold
// (less only for a cut TCP message).
bool parse_impl(const uint8_t* msg, size_t len, size_t declared, DnsMessage& out) {
  if (len < kHeaderBytes) {
    out.anomalies |= dns_anomaly::kTruncated;
    if (len >= 2) out.id = load_be16(msg);
    if (len >= 4) out.flags = load_be16(msg + 2);
    return false;
  }
  out.id = load_be16(msg);
  out.flags = load_be16(msg + 2);
  out.qdcount = load_be16(msg + 4);
  out.ancount = load_be16(msg + 6);
  out.nscount = load_be16(msg + 8);
  out.arcount = load_be16(msg + 10);
  const uint64_t min_body =
      uint64_t{out.qdcount} * kMinQuestion + (uint64_t{out.ancount} + out.nscount + out.arcount) * kMinRecord;
  if (min_body > declared - kHeaderBytes) out.anomalies |= dns_anomaly::kCountMismatch;
  if (!out.qr()) {
    if (out.qdcount == 0 && out.opcode() == kOpQuery) out.anomalies |= dns_anomaly::kNoQuestion;
    if (out.qdcount > 1) out.anomalies |= dns_anomaly::kMultipleQuestions;
    if (out.ancount > 0 && out.opcode() == kOpQuery) out.anomalies |= dns_anomaly::kResponseAsQuery;
  }
  if (out.qdcount == 0) return true;
  size_t next = 0;
  if (!decode_name(msg, len, kHeaderBytes, out, next)) {
    out.qname_len = 0;
    return false;
  }
  if (len - next < 4) {
    out.anomalies |= dns_anomaly::kTruncated;
    out.qname_len = 0;  // a question is all or nothing
    return false;
  }
  out.qtype = load_be16(msg + next);
  out.qclass = load_be16(msg + next + 2);
  out.has_question = true;
  return true;
}

// A plausible query in msg[0..total), of which msg[0..have) has arrived.
DnsProbe probe_message(const uint8_t* m, size_t have, size_t total) {
  if (total < kHeaderBytes + kMinQuestion) return DnsProbe::kNo;
  const auto more = [&](size_t need) { return need <= total ? DnsProbe::kNeedMore : DnsProbe::kNo; };
  if (have < 4) return more(4);
  const uint16_t flags = load_be16(m + 2);
  const uint8_t op = flags >> 11 & 0xf;
  if ((flags & 0x8000) != 0 || (flags & 0x000f) != 0 || (flags & 0x0040) != 0) return DnsProbe::kNo;  // QR, RCODE, Z
  if (op != kOpQuery && op != kOpNotify && op != kOpUpdate) return DnsProbe::kNo;
  if (have < kHeaderBytes) return more(kHeaderBytes);
  const uint16_t qd = load_be16(m + 4), an = load_be16(m + 6), ns = load_be16(m + 8), ar = load_be16(m + 10);
  if (qd != 1) return DnsProbe::kNo;
  if (op == kOpQuery && (an != 0 || ns != 0 || ar > 2)) return DnsProbe::kNo;
  size_t pos = kHeaderBytes;
  uint32_t wire = 0;
  for (;;) {
    if (pos >= have) return more(pos + 1);
    const uint8_t b = m[pos];
    if (b == 0) break;
    if (b > kMaxLabel) return DnsProbe::kNo;  // no compression in a query's first name
    wire += 1u + b;
    if (wire + 1 > kMaxWireName) return DnsProbe::kNo;
    for (size_t i = pos + 1; i < std::min(have, pos + 1 + b); ++i)
      if (!hostname_byte(m[i])) return DnsProbe::kNo;
    if (pos + 1 + b > have) return more(pos + 1 + b);
    pos += 1u + b;
  }
  const size_t end = pos + 1 + 4;
  if (end > have) return more(end);
  const uint16_t qtype = load_be16(m + pos + 1), qclass = load_be16(m + pos + 3);
  if (qtype == 0) return DnsProbe::kNo;
  if (qclass != 1 && qclass != 3 && qclass != 4 && qclass != 254 && qclass != 255) return DnsProbe::kNo;
  const uint32_t records = uint32_t{an} + ns + ar;
  if (records == 0 ? total != end : total - end < records * kMinRecord) return DnsProbe::kNo;
  return DnsProbe::kYes;
}

}  // namespace

bool parse_dns_message(const uint8_t* msg, size_t len, DnsMessage& out) { return parse_impl(msg, len, len, out); }

void DnsTcpParser::feed(const uint8_t* data, size_t len) {
  size_t at = 0;
  while (at < len) {
    if (len_have_ < 2) {
      len_bytes_[len_have_++] = data[at++];
      if (len_have_ == 2) {
        msg_len_ = load_be16(len_bytes_);
        msg_have_ = 0;
        if (msg_len_ == 0) deliver(0);
      }
      continue;
    }
    const size_t n = std::min<size_t>(msg_len_ - msg_have_, len - at);
    if (msg_have_ < kTcpBufBytes) {
      const size_t keep = std::min<size_t>(n, kTcpBufBytes - msg_have_);
      std::memcpy(buf_ + msg_have_, data + at, keep);
    }
    msg_have_ += static_cast<uint32_t>(n);
    at += n;
    if (msg_have_ == msg_len_) deliver(0);
  }
}

void DnsTcpParser::deliver(uint32_t extra) {
  DnsMessage m;
  const size_t kept = std::min<size_t>(msg_have_, kTcpBufBytes);
  // A cut message is judged against its declared length (counts still have
  // to fit it); an incomplete one only against what arrived.
  const size_t declared = extra != 0 ? kept : msg_len_;
  (void)parse_impl(buf_, kept, declared, m);
  if (msg_len_ > kTcpBufBytes) m.anomalies |= dns_anomaly::kTcpMessageCut;
  m.anomalies |= extra;
  ++messages_;
  len_have_ = 0;
  msg_have_ = 0;
  msg_len_ = 0;
  sink_(ctx_, m);
}

void DnsTcpParser::end_of_stream() {
  if (len_have_ == 1) {
    msg_len_ = 0;
    deliver(dns_anomaly::kTcpIncomplete);
  } else if (len_have_ == 2 && msg_have_ < msg_len_) {
    deliver(dns_anomaly::kTcpIncomplete);
  }
}

DnsProbe probe_dns_query(const uint8_t* data, size_t len, DnsTransport transport) {
  if (transport == DnsTransport::kUdp) return probe_message(data, len, len);
  if (len < 2) return DnsProbe::kNeedMore;
  const size_t total = load_be16(data);
  return probe_message(data + 2, std::min(len - 2, total), total);
}

const char* dns_anomaly_name(uint32_t bit) {
  switch (bit) {
    case dns_anomaly::kTruncated: return "truncated";
    case dns_anomaly::kCompressionLoop: return "compression_loop";
    case dns_anomaly::kBadPointer: return "bad_pointer";
    case dns_anomaly::kForwardPointer: return "forward_pointer";
    case dns_anomaly::kLabelTooLong: return "label_too_long";
    case dns_anomaly::kNameTooLong: return "name_too_long";
    case dns_anomaly::kNoQuestion: return "no_question";
    case dns_anomaly::kMultipleQuestions: return "multiple_questions";
    case dns_anomaly::kNameNonHostname: return "name_non_hostname";
    case dns_anomaly::kCountMismatch: return "count_mismatch";
    case dns_anomaly::kTcpMessageCut: return "tcp_message_cut";
    case dns_anomaly::kTcpIncomplete: return "tcp_incomplete";
    case dns_anomaly::kResponseAsQuery: return "response_as_query";
    default: return "unknown";
  }
}

}  // namespace rampart::dp
