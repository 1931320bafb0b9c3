#pragma once
// DNS message dissector (RFC 1035 4.1) for the dns.query sticky buffer and
// port-independent app-id: header fields and the first question, its name
// decoded to dotted text. Works on a UDP payload (parse_dns_message) or on
// the client byte stream of a TCP flow, where each message carries a 2-byte
// length prefix (DnsTcpParser, fed arbitrary chunks, same result whatever
// the split).
//
// Name decoding is bounded whatever the input: at most kMaxPointers
// compression jumps, a wire name of at most 255 bytes, and a pointer that
// revisits an offset is a loop (kCompressionLoop) and stops decoding. Labels
// are copied as sent (no escaping): a '.' or non-hostname byte inside a
// label sets kNameNonHostname, so a rule can still tell "a.b" from "a\.b".
// The root name decodes to "." .
//
// Hot path: parse_dns_message(), DnsTcpParser::feed() and the probe never
// allocate and never throw. DnsMessage is plain data (about 300 bytes);
// DnsTcpParser holds one message buffer inline (kTcpBufBytes).
//
// Thread-safety: one DnsTcpParser per flow, used by the worker that owns it.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rampart::dp {

// Anomalies of one message (DnsMessage::anomalies).
namespace dns_anomaly {
inline constexpr uint32_t kTruncated = 1u << 0;           // message ends inside the header or question
inline constexpr uint32_t kCompressionLoop = 1u << 1;     // pointer revisits an offset or > kMaxPointers
inline constexpr uint32_t kBadPointer = 1u << 2;          // pointer beyond the message
inline constexpr uint32_t kForwardPointer = 1u << 3;      // pointer not strictly backwards (followed)
inline constexpr uint32_t kLabelTooLong = 1u << 4;        // length byte 64..191 (over 63, reserved type)
inline constexpr uint32_t kNameTooLong = 1u << 5;         // wire name over 255 bytes
inline constexpr uint32_t kNoQuestion = 1u << 6;          // query with QDCOUNT 0
inline constexpr uint32_t kMultipleQuestions = 1u << 7;   // query with QDCOUNT > 1
inline constexpr uint32_t kNameNonHostname = 1u << 8;     // label byte outside [A-Za-z0-9-_*] (incl. '.', NUL)
inline constexpr uint32_t kCountMismatch = 1u << 9;       // section counts cannot fit the message length
inline constexpr uint32_t kTcpMessageCut = 1u << 10;      // TCP message over kTcpBufBytes: prefix parsed
inline constexpr uint32_t kTcpIncomplete = 1u << 11;      // TCP stream ended inside a message
inline constexpr uint32_t kResponseAsQuery = 1u << 12;    // query (QR=0) with answer records
}  // namespace dns_anomaly

// Name of one dns_anomaly bit for logs and EVE ("compression_loop"), or "unknown".
const char* dns_anomaly_name(uint32_t bit);

struct DnsMessage {
  static constexpr uint32_t kMaxNameText = 256;  // 253 chars + root "." fit
  uint16_t id = 0;
  uint16_t flags = 0;  // header bits 0..15 after ID: QR, Opcode, AA, TC, RD, RA, Z, AD, CD, RCODE
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  uint16_t qtype = 0, qclass = 0;
  uint32_t anomalies = 0;  // dns_anomaly bits
  bool has_question = false;  // first question fully decoded (name, qtype, qclass)
  uint16_t qname_len = 0;
  char qname_buf[kMaxNameText] = {};

  bool qr() const { return (flags & 0x8000) != 0; }  // true: response
  uint8_t opcode() const { return static_cast<uint8_t>(flags >> 11 & 0xf); }
  uint8_t rcode() const { return static_cast<uint8_t>(flags & 0xf); }
  bool tc() const { return (flags & 0x0200) != 0; }
  bool rd() const { return (flags & 0x0100) != 0; }
  // First question name, dotted, no trailing dot ("." for the root). Empty when absent.
  std::string_view qname() const { return std::string_view(qname_buf, qname_len); }
};

// Parses one DNS message (a UDP payload, or one TCP message without its
// length prefix). Any thread; no state. Returns false when the header or the
// first question could not be decoded (anomalies say why); header fields are
// valid whenever len >= 12.
[[nodiscard]] bool parse_dns_message(const uint8_t* msg, size_t len, DnsMessage& out);

// Sink for complete TCP messages; `m` is valid only during the call.
using DnsMessageSink = void (*)(void* ctx, const DnsMessage& m);

// Incremental parser over one direction of a DNS-over-TCP stream (RFC 7766):
// 2-byte length, message, repeated. Each message is delivered to the sink
// once complete; one longer than kTcpBufBytes is parsed from its first
// kTcpBufBytes (kTcpMessageCut) and the rest skipped.
class DnsTcpParser {
 public:
  static constexpr uint32_t kTcpBufBytes = 4096;

  DnsTcpParser(DnsMessageSink sink, void* ctx) : sink_(sink), ctx_(ctx) {}
  DnsTcpParser(const DnsTcpParser&) = delete;
  DnsTcpParser& operator=(const DnsTcpParser&) = delete;

  void feed(const uint8_t* data, size_t len);
  // Delivers a partial message (kTcpIncomplete) if the stream ended inside one.
  void end_of_stream();
  // Back to the start of a stream.
  void reset() {
    len_have_ = 0;
    msg_len_ = 0;
    msg_have_ = 0;
    messages_ = 0;
  }

  uint64_t messages() const { return messages_; }

 private:
  void deliver(uint32_t extra);

  const DnsMessageSink sink_;
  void* const ctx_;
  uint8_t len_bytes_[2] = {};
  uint32_t len_have_ = 0;  // bytes of the length prefix seen
  uint32_t msg_len_ = 0;   // declared length of the current message
  uint32_t msg_have_ = 0;  // message bytes seen (kept: min(msg_have_, kTcpBufBytes))
  uint64_t messages_ = 0;
  uint8_t buf_[kTcpBufBytes];
};

// Port-independent identification. UDP: the datagram is one plausible query
// (QR 0, opcode QUERY/NOTIFY/UPDATE, RCODE 0, one question, no answers,
// a clean name, known class). TCP: the same after the length prefix, with
// kNeedMore until the first question has arrived.
enum class DnsProbe : uint8_t { kNo, kNeedMore, kYes };
enum class DnsTransport : uint8_t { kUdp, kTcp };
DnsProbe probe_dns_query(const uint8_t* data, size_t len, DnsTransport transport);
inline bool looks_like_dns_query(const uint8_t* data, size_t len) {
  return probe_dns_query(data, len, DnsTransport::kUdp) == DnsProbe::kYes;
}

}  // namespace rampart::dp
