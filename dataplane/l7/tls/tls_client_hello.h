#pragma once
// TLS ClientHello dissector for the client->server byte stream of one TCP
// flow (after stream reassembly): port-independent identification
// (probe_tls_client_hello) and extraction of what the tls.sni sticky buffer
// and app-id need from the first ClientHello: legacy and supported_versions
// version, SNI host_name, the first ALPN protocols, cipher suite count. The
// hello may span several TLS records and arrive in arbitrary pieces; the
// accumulator gives the same result whatever the split. An SSLv2-compatible
// CLIENT-HELLO (RFC 5246 appendix E.2) is recognised and flagged.
//
// Hot path: feed() and parse_tls_client_hello() never allocate, never throw
// and do O(bytes) work. The accumulator holds its buffer inline
// (kMaxHelloBytes of handshake payload, about 16.5 KiB in all), so it is
// sized when the flow's L7 state is allocated, not per packet.
//
// Thread-safety: one accumulator per flow, used by the worker that owns it.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rampart::dp {

// Anomalies of one ClientHello (TlsClientHello::anomalies).
namespace tls_anomaly {
inline constexpr uint32_t kSniNul = 1u << 0;              // NUL byte in the SNI host_name
inline constexpr uint32_t kSniBadChar = 1u << 1;          // byte outside [A-Za-z0-9.-_] in host_name
inline constexpr uint32_t kSniEmpty = 1u << 2;            // zero-length host_name
inline constexpr uint32_t kSniTooLong = 1u << 3;          // host_name over 255 bytes
inline constexpr uint32_t kSniMultipleNames = 1u << 4;    // more than one host_name entry
inline constexpr uint32_t kBadLength = 1u << 5;           // an inner length disagrees with its container
inline constexpr uint32_t kDuplicateExtension = 1u << 6;  // extension type repeated
inline constexpr uint32_t kSslv2Hello = 1u << 7;          // SSLv2-style CLIENT-HELLO
inline constexpr uint32_t kBadRecordLength = 1u << 8;     // record of length 0 or over 2^14
inline constexpr uint32_t kBadRecordVersion = 1u << 9;    // record version major != 3
inline constexpr uint32_t kOversizedHello = 1u << 10;     // handshake length over kMaxHelloBytes
inline constexpr uint32_t kNotClientHello = 1u << 11;     // first handshake message is not a ClientHello
inline constexpr uint32_t kInterleavedRecord = 1u << 12;  // non-handshake record before the hello ended
inline constexpr uint32_t kNotTls = 1u << 13;             // stream does not start with a TLS/SSLv2 record
inline constexpr uint32_t kTrailingBytes = 1u << 14;      // bytes after the extensions inside the hello
inline constexpr uint32_t kEmptyAlpn = 1u << 15;          // zero-length ALPN protocol name
inline constexpr uint32_t kManyExtensions = 1u << 16;     // over kMaxTrackedExtensions (duplicates
                                                          // then checked only for SNI/ALPN/versions)
inline constexpr uint32_t kIncomplete = 1u << 17;         // end_of_stream() before the hello ended
}  // namespace tls_anomaly

// Name of one tls_anomaly bit for logs and EVE ("sni_nul"), or "unknown".
const char* tls_anomaly_name(uint32_t bit);

// Fields of one ClientHello. Views point into the buffer that was parsed
// (the accumulator's, for TlsClientHelloAccumulator::hello()).
struct TlsClientHello {
  static constexpr uint32_t kMaxAlpn = 4;
  uint16_t legacy_version = 0;       // ClientHello.legacy_version (SSLv2: CLIENT-HELLO version)
  uint16_t supported_version = 0;    // highest non-GREASE supported_versions entry, 0 when absent
  uint32_t cipher_count = 0;         // entries in cipher_suites (SSLv2: cipher specs), GREASE included
  uint32_t extension_count = 0;
  std::string_view sni;              // first host_name, as sent (empty when absent)
  std::string_view alpn[kMaxAlpn];   // first kMaxAlpn protocol names
  uint32_t alpn_count = 0;           // all protocol names in the extension
  uint32_t anomalies = 0;            // tls_anomaly bits
  bool has_sni = false;
  bool sslv2 = false;
  // Effective version: supported_version when present, else legacy_version.
  uint16_t version() const { return supported_version != 0 ? supported_version : legacy_version; }
  uint32_t stored_alpn() const { return alpn_count < kMaxAlpn ? alpn_count : kMaxAlpn; }
};

// Parses one ClientHello handshake body (after the 4-byte handshake header:
// legacy_version onwards). Any thread; no state. Returns false when the
// fixed part (up to and including compression_methods) does not fit; `out`
// then holds what was read and kBadLength. Extension errors only set bits.
[[nodiscard]] bool parse_tls_client_hello(const uint8_t* body, size_t len, TlsClientHello& out);

// Incremental accumulator over the client byte stream: strips the TLS record
// layer, gathers the first handshake message and parses it once complete.
class TlsClientHelloAccumulator {
 public:
  static constexpr uint32_t kMaxHelloBytes = 16384;  // handshake header + body kept
  static constexpr uint32_t kMaxRecordPlaintext = 16384;  // RFC 8446 5.1

  enum class Status : uint8_t {
    kNeedMore,  // hello not complete yet
    kDone,      // hello parsed: hello() is valid (anomalies may be set)
    kFailed,    // not a ClientHello or unusable: anomalies() says why
  };

  TlsClientHelloAccumulator() = default;
  TlsClientHelloAccumulator(const TlsClientHelloAccumulator&) = delete;
  TlsClientHelloAccumulator& operator=(const TlsClientHelloAccumulator&) = delete;

  // Feeds the next bytes of the stream. Bytes after kDone/kFailed are ignored.
  Status feed(const uint8_t* data, size_t len);
  // The stream ended: kNeedMore becomes kFailed with kIncomplete.
  Status end_of_stream();
  void reset();

  Status status() const { return status_; }
  const TlsClientHello& hello() const { return hello_; }  // meaningful when kDone
  uint32_t anomalies() const { return hello_.anomalies; }
  uint64_t bytes_ignored() const { return bytes_ignored_; }

 private:
  enum class State : uint8_t { kStart, kRecordHeader, kRecordBody, kSslv2, kEnd };
  static constexpr uint32_t kBufBytes = kMaxHelloBytes;

  void fail(uint32_t bits) { hello_.anomalies |= bits; status_ = Status::kFailed; state_ = State::kEnd; }
  void record_header_done();
  void check_handshake();
  void check_sslv2();

  State state_ = State::kStart;
  Status status_ = Status::kNeedMore;
  uint8_t hdr_[5] = {};
  uint32_t hdr_len_ = 0;
  uint32_t record_left_ = 0;
  uint32_t buf_len_ = 0;
  uint32_t need_ = 0;  // SSLv2: total bytes of the message
  uint64_t bytes_ignored_ = 0;
  TlsClientHello hello_;
  uint8_t buf_[kBufBytes];
};

// Port-independent identification from the first client bytes: a TLS
// handshake record (version 3.x) holding a ClientHello with a plausible
// length and client version, or an SSLv2-style CLIENT-HELLO. kNeedMore while
// the bytes are a prefix of such a start (at most 11 bytes are needed).
enum class TlsProbe : uint8_t { kNo, kNeedMore, kYes };
TlsProbe probe_tls_client_hello(const uint8_t* data, size_t len);
inline bool looks_like_tls_client_hello(const uint8_t* data, size_t len) {
  return probe_tls_client_hello(data, len) == TlsProbe::kYes;
}

}  // namespace rampart::dp
