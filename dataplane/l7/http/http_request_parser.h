#pragma once
// Incremental HTTP/1.x request parser for the client->server byte stream of
// one TCP flow (after stream reassembly). Fed arbitrary chunks, it gives the
// same result whatever the split; it handles pipelining, Content-Length and
// chunked bodies (extensions, trailers), obs-fold, and reports protocol
// anomalies (request smuggling and evasion signals) as flag bits.
//
// Hot path: feed() never allocates, never throws and does O(bytes) work.
// All storage is allocated once, at construction (cold), and is bounded:
//   memory_bytes(cfg) = sizeof(HttpRequestParser) + header_store + kSpillBytes
//                       + max_body + max_headers * sizeof(HttpHeader)
// which is 24,352 bytes with the defaults on x86-64 (GCC 12; pinned by
// MemoryIsBoundedAndStated in the unit test).
//
// Framing follows RFC 9112 section 6: Transfer-Encoding with chunked last
// wins over Content-Length (flagged); invalid framing that a server must
// answer with 400 and close (bad TE, invalid or conflicting CL, bad chunk
// size, a request line that is not HTTP) delivers what was parsed and then
// stops parsing the flow (lost() == true): the server would not read further
// either. After CONNECT or an Upgrade request, bytes that do not start a
// request line make the stream a tunnel, no longer parsed.
//
// Thread-safety: one parser per flow, used by the worker that owns the flow.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace rampart::dp {

// Protocol anomalies of one request (HttpRequest::anomalies) or of the whole
// stream so far (HttpRequestParser::stream_anomalies()).
namespace http_anomaly {
inline constexpr uint32_t kClAndTe = 1u << 0;                // Content-Length and Transfer-Encoding
inline constexpr uint32_t kDuplicateCl = 1u << 1;            // CL repeated (same value; RFC allows)
inline constexpr uint32_t kConflictingCl = 1u << 2;          // CL repeated with different values
inline constexpr uint32_t kNegativeCl = 1u << 3;             // CL "-N"
inline constexpr uint32_t kInvalidCl = 1u << 4;              // CL empty, non-numeric or > 2^60
inline constexpr uint32_t kHeaderNoColon = 1u << 5;          // header line without ':'
inline constexpr uint32_t kNulByte = 1u << 6;                // NUL in request line, header or trailer
inline constexpr uint32_t kOverlongLine = 1u << 7;           // request/header/chunk line over its limit
inline constexpr uint32_t kInvalidChunk = 1u << 8;           // bad chunk size line or chunk terminator
inline constexpr uint32_t kHttp09 = 1u << 9;                 // request line without a version
inline constexpr uint32_t kBadVersion = 1u << 10;            // version not HTTP/1.x
inline constexpr uint32_t kInvalidRequestLine = 1u << 11;    // no target, or method not a token
inline constexpr uint32_t kRequestLineWhitespace = 1u << 12; // extra SP, HT, leading or inner whitespace
inline constexpr uint32_t kObsFold = 1u << 13;               // obs-fold continuation line
inline constexpr uint32_t kInvalidHeaderName = 1u << 14;     // empty, whitespace or non-token name
inline constexpr uint32_t kTooManyHeaders = 1u << 15;        // more than max_headers (rest not stored)
inline constexpr uint32_t kHeaderStoreFull = 1u << 16;       // header_store exhausted (rest not stored)
inline constexpr uint32_t kBadTransferEncoding = 1u << 17;   // TE whose final coding is not chunked
inline constexpr uint32_t kDuplicateHost = 1u << 18;         // more than one Host
inline constexpr uint32_t kMissingHost = 1u << 19;           // HTTP/1.1 without Host
inline constexpr uint32_t kIncomplete = 1u << 20;            // stream ended inside a request
inline constexpr uint32_t kUriAnomaly = 1u << 21;            // normalize_uri() set a flag (see uri_flags)
inline constexpr uint32_t kBareLf = 1u << 22;                // line ended by LF without CR
}  // namespace http_anomaly

// Name of one http_anomaly bit for logs and EVE ("cl_and_te"), or "unknown".
const char* http_anomaly_name(uint32_t bit);

// Limits, fixed at construction. Immutable.
struct HttpParserConfig {
  uint32_t max_request_line = 8192;  // longer: kOverlongLine, the rest of the line is not stored
  uint32_t max_header_line = 8192;   // also bounds chunk-size and trailer lines
  uint32_t max_headers = 100;        // stored per request; more: kTooManyHeaders (framing still honoured)
  uint32_t header_store = 16384;     // request line + normalised URI + headers of one request
  uint32_t max_body = 4096;          // body bytes kept per request (de-chunked); more: body_truncated
};

struct HttpHeader {
  std::string_view name;   // as sent (case kept), trailing whitespace removed
  std::string_view value;  // OWS trimmed; obs-fold joined with one SP
};

// One request, valid only during the sink call (views into parser storage).
struct HttpRequest {
  std::string_view method;
  std::string_view uri_raw;       // request-target as sent
  std::string_view uri_norm;      // normalize_uri(uri_raw); == uri_raw for CONNECT and "*"
  std::string_view host;          // absolute-form authority (userinfo dropped), else the first Host header
  std::string_view user_agent;    // first of each, empty when absent
  std::string_view cookie;
  std::string_view content_type;
  std::string_view body;          // first max_body bytes, de-chunked
  std::span<const HttpHeader> headers;
  uint64_t content_length = 0;    // declared value when has_content_length
  uint64_t index = 0;             // 0-based position in the stream (pipelining)
  uint32_t anomalies = 0;         // http_anomaly bits
  uint32_t uri_flags = 0;         // uri_flag bits
  uint8_t version_major = 0;      // 0.9 for HTTP/0.9
  uint8_t version_minor = 9;
  bool has_content_length = false;
  bool chunked = false;
  bool body_truncated = false;    // the body is longer than `body`
  bool headers_only = false;      // the headers sink's view: the body is still to come
};

// Called once per request, when its body is complete or as soon as more than
// max_body bytes of it arrived (so inspection never waits for a large upload).
// The optional headers sink is called before that, as soon as the headers
// of a request that announces a body are complete (headers_only, empty
// body): what the request line and headers carry is inspected even if the
// body is slow or never ends.
using HttpRequestSink = void (*)(void* ctx, const HttpRequest& req);

class HttpRequestParser {
 public:
  static constexpr uint32_t kSpillBytes = 256;  // see the .cc: framing survives a full store

  // Cold: allocates memory_bytes(cfg) - sizeof(*this); aborts (RAMPART_CHECK)
  // when that fails or cfg is unusable (a limit of 0).
  HttpRequestParser(const HttpParserConfig& cfg, HttpRequestSink sink, void* ctx);
  ~HttpRequestParser();
  HttpRequestParser(const HttpRequestParser&) = delete;
  HttpRequestParser& operator=(const HttpRequestParser&) = delete;

  // Cold: the sink for requests whose headers are complete and whose body
  // is still to come (nullptr: none).
  void set_headers_sink(HttpRequestSink sink) { headers_sink_ = sink; }
  // Hot: consumes all `len` bytes; calls the sink for each completed request.
  void feed(const uint8_t* data, size_t len);
  // The client closed its side (FIN/RST): a request in progress is
  // delivered with kIncomplete. Call reset() before feeding again.
  void end_of_stream();
  // Back to the start of a stream; storage is kept.
  void reset();

  bool lost() const { return state_ == State::kLost; }      // framing error: no longer parsing
  // Between two requests, no byte of the next one seen: a parser reset()
  // here parses what follows exactly as this one would (what a parked flow
  // relies on; docs/design/l7-inspection.md, "Inspection slots").
  bool at_request_boundary() const {
    return state_ == State::kRequestLine && line_len_ == 0 && line_stored_ == 0 && !line_cr_ && !line_nul_;
  }
  bool tunnel() const { return state_ == State::kTunnel; }  // after CONNECT
  uint32_t stream_anomalies() const { return stream_anomalies_; }
  uint64_t requests() const { return requests_; }
  uint64_t bytes_ignored() const { return bytes_ignored_; }  // fed while lost or tunnelled

  static size_t memory_bytes(const HttpParserConfig& cfg);
  size_t memory_bytes() const { return memory_bytes(cfg_); }

 private:
  enum class State : uint8_t { kRequestLine, kHeaders, kBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailers,
                               kConnectProbe, kTunnel, kLost, kClosed };
  enum class Special : uint8_t { kNone, kContentLength, kTransferEncoding, kHost, kUserAgent, kCookie,
                                 kContentType };
  static constexpr uint32_t kFramingValueMax = 128;

  size_t take_line(const uint8_t* p, size_t n, bool& done);
  uint32_t line_limit() const;
  void handle_line(bool at_eof);
  void parse_request_line(uint32_t stored, bool cut);
  void header_line(uint32_t stored, uint32_t content);
  void fold_line(uint32_t stored);
  void trailer_line(uint32_t stored);
  void framing_append(const uint8_t* v, uint32_t n);
  size_t connect_probe(const uint8_t* p, size_t n);
  void reset_request();
  void finalize_pending();
  void apply_content_length(const uint8_t* v, uint32_t n);
  void apply_transfer_encoding(const uint8_t* v, uint32_t n);
  void end_of_headers();
  void chunk_size_line(uint32_t stored);
  void consume_body(const uint8_t* p, size_t n);
  void fill(HttpRequest& r) const;
  void deliver_headers();
  void deliver();
  void finish_request();
  void flag(uint32_t bits) { anomalies_ |= bits; stream_anomalies_ |= bits; }

  const HttpParserConfig cfg_;
  const HttpRequestSink sink_;
  HttpRequestSink headers_sink_ = nullptr;
  void* const ctx_;
  std::unique_ptr<uint8_t[]> store_;  // header_store + kSpillBytes
  std::unique_ptr<uint8_t[]> body_;   // max_body
  std::unique_ptr<HttpHeader[]> headers_;  // max_headers

  State state_ = State::kRequestLine;
  // Current line, accumulated at store_[tail_] (never committed past header_store).
  uint32_t line_stored_ = 0;
  uint64_t line_len_ = 0;  // bytes before LF, including a final CR
  bool line_cr_ = false;   // last byte seen was CR
  bool line_nul_ = false;
  uint32_t tail_ = 0;      // committed bytes of store_

  // Request in progress.
  std::string_view method_, uri_raw_, uri_norm_, abs_host_;
  uint32_t nheaders_ = 0;
  uint32_t headers_seen_ = 0;
  int32_t host_idx_ = -1, ua_idx_ = -1, cookie_idx_ = -1, ctype_idx_ = -1;
  uint32_t hosts_seen_ = 0;
  bool pending_ = false;  // last header line may still be extended by obs-fold
  bool pending_stored_ = false;
  Special pending_kind_ = Special::kNone;
  uint32_t framing_len_ = 0;
  bool framing_overflow_ = false;
  uint8_t framing_val_[kFramingValueMax];
  uint32_t te_chunked_count_ = 0;
  uint64_t cl_value_ = 0;
  bool cl_present_ = false, cl_bad_ = false;
  bool te_present_ = false, te_chunked_ = false, te_bad_ = false;
  bool is_connect_ = false;
  bool upgrade_ = false;  // the request carries an Upgrade header
  uint8_t ver_major_ = 0, ver_minor_ = 9;
  uint64_t body_left_ = 0;  // Content-Length or current chunk
  uint32_t body_kept_ = 0;
  bool body_truncated_ = false;
  bool chunked_ = false;
  bool delivered_ = false;
  uint32_t anomalies_ = 0;
  uint32_t uri_flags_ = 0;

  uint32_t stream_anomalies_ = 0;
  uint64_t requests_ = 0;
  uint64_t bytes_ignored_ = 0;
  uint8_t probe_buf_[16];  // first bytes after CONNECT, until probe_http_request() decides
  uint32_t probe_len_ = 0;
};

// Port-independent protocol identification from the first client bytes:
// a known method (RFC 9110, WebDAV, common extensions), one SP, and a
// plausible request-target start. kNeedMore while the bytes are a prefix of
// such a start. The HTTP/2 preface ("PRI * HTTP/2.0") is kNo.
enum class HttpProbe : uint8_t { kNo, kNeedMore, kYes };
HttpProbe probe_http_request(const uint8_t* data, size_t len);
inline bool looks_like_http_request(const uint8_t* data, size_t len) {
  return probe_http_request(data, len) == HttpProbe::kYes;
}

}  // namespace rampart::dp
