#include "dataplane/l7/tls/tls_client_hello.h"

#include <algorithm>
#include <cstring>

#include "common/byte_order.h"

namespace rampart::dp {

namespace {

constexpr uint8_t kContentHandshake = 22;
constexpr uint8_t kHandshakeClientHello = 1;
constexpr uint16_t kExtServerName = 0;
constexpr uint16_t kExtAlpn = 16;
constexpr uint16_t kExtSupportedVersions = 43;
constexpr uint8_t kSniHostName = 0;
// Real hellos carry about 20 extensions; beyond this the exact duplicate
// check would cost O(n^2), so only the parsed ones stay tracked.
constexpr uint32_t kMaxTrackedExtensions = 64;
constexpr uint32_t kMaxSni = 255;
// RFC 8446 5.2 allows 2^14 + 256 for TLSCiphertext; a plaintext hello record
// longer than 2^14 is a record_overflow, flagged but still parsed.
constexpr uint32_t kSslv2MinBody = 9;  // type, version, three lengths


bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

uint32_t sni_char_flags(const uint8_t* p, size_t n) {
  uint32_t f = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t c = p[i];
    if (c == 0) {
      f |= tls_anomaly::kSniNul;
    } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '.' || c == '_')) {
      f |= tls_anomaly::kSniBadChar;
    }
  }
  return f;
}

// The body of an extension that is one 2-byte-length-prefixed list. A
// length that disagrees with the extension is flagged and clamped; false
// when not even the length fits.
bool list_body(const uint8_t* p, size_t n, TlsClientHello& out, const uint8_t** q, const uint8_t** end) {
  if (n < 2) {
    out.anomalies |= tls_anomaly::kBadLength;
    return false;
  }
  size_t list = load_be16(p);
  if (list != n - 2) {
    out.anomalies |= tls_anomaly::kBadLength;
    list = std::min(list, n - 2);
  }
  *q = p + 2;
  *end = *q + list;
  return true;
}

void parse_server_name(const uint8_t* p, size_t n, TlsClientHello& out) {
  const uint8_t* q;
  const uint8_t* end;
  if (!list_body(p, n, out, &q, &end)) return;
  bool seen_host = false;
  while (q < end) {
    if (end - q < 3) {
      out.anomalies |= tls_anomaly::kBadLength;
      return;
    }
    const uint8_t type = q[0];
    const size_t len = load_be16(q + 1);
    q += 3;
    if (len > static_cast<size_t>(end - q)) {
      out.anomalies |= tls_anomaly::kBadLength;
      return;
    }
    if (type == kSniHostName) {
      if (seen_host) {
        out.anomalies |= tls_anomaly::kSniMultipleNames;
      } else {
        seen_host = true;
        out.has_sni = true;
        out.sni = std::string_view(reinterpret_cast<const char*>(q), len);
        if (len == 0) out.anomalies |= tls_anomaly::kSniEmpty;
        if (len > kMaxSni) out.anomalies |= tls_anomaly::kSniTooLong;
        out.anomalies |= sni_char_flags(q, len);
      }
    }
    q += len;
  }
}

void parse_alpn(const uint8_t* p, size_t n, TlsClientHello& out) {
  const uint8_t* q;
  const uint8_t* end;
  if (!list_body(p, n, out, &q, &end)) return;
  while (q < end) {
    const size_t len = q[0];
    ++q;
    if (len > static_cast<size_t>(end - q)) {
      out.anomalies |= tls_anomaly::kBadLength;
      return;
    }
    if (len == 0) out.anomalies |= tls_anomaly::kEmptyAlpn;
    if (out.alpn_count < TlsClientHello::kMaxAlpn)
      out.alpn[out.alpn_count] = std::string_view(reinterpret_cast<const char*>(q), len);
    ++out.alpn_count;
    q += len;
  }
}

void parse_supported_versions(const uint8_t* p, size_t n, TlsClientHello& out) {
  if (n < 1) {
    out.anomalies |= tls_anomaly::kBadLength;
    return;
  }
  size_t list = p[0];
  if (list != n - 1 || (list & 1) != 0) {
    out.anomalies |= tls_anomaly::kBadLength;
    list = std::min(list, n - 1) & ~size_t{1};
  }
  for (size_t i = 0; i < list; i += 2) {
    const uint16_t v = load_be16(p + 1 + i);
    if (!is_grease(v) && v > out.supported_version) out.supported_version = v;
  }
}

}  // namespace

bool parse_tls_client_hello(const uint8_t* body, size_t len, TlsClientHello& out) {
  // legacy_version(2) random(32) session_id<0..32> cipher_suites<2..2^16-2>
  // compression_methods<1..2^8-1> extensions<0..2^16-1> (RFC 8446 4.1.2)
  size_t at = 0;
  auto fixed_fail = [&out]() {
    out.anomalies |= tls_anomaly::kBadLength;
    return false;
  };
  if (len < 2 + 32 + 1) return fixed_fail();
  out.legacy_version = load_be16(body);
  at = 34;
  const size_t sid = body[at++];
  if (sid > 32) out.anomalies |= tls_anomaly::kBadLength;
  if (len - at < sid + 2) return fixed_fail();
  at += sid;
  const size_t cs = load_be16(body + at);
  at += 2;
  if (cs < 2 || (cs & 1) != 0) out.anomalies |= tls_anomaly::kBadLength;
  if (len - at < cs + 1) return fixed_fail();
  out.cipher_count = static_cast<uint32_t>(cs / 2);
  at += cs;
  const size_t comp = body[at++];
  if (comp < 1) out.anomalies |= tls_anomaly::kBadLength;
  if (len - at < comp) return fixed_fail();
  at += comp;
  if (at == len) return true;  // no extensions (TLS 1.0-1.2 allow it)
  if (len - at < 2) {
    out.anomalies |= tls_anomaly::kBadLength;
    return true;
  }
  size_t ext_len = load_be16(body + at);
  at += 2;
  if (ext_len > len - at) {
    out.anomalies |= tls_anomaly::kBadLength;
    ext_len = len - at;
  } else if (ext_len < len - at) {
    out.anomalies |= tls_anomaly::kTrailingBytes;
  }
  const uint8_t* q = body + at;
  const uint8_t* end = q + ext_len;
  uint16_t seen[kMaxTrackedExtensions];
  uint32_t nseen = 0;
  bool seen_sni = false, seen_alpn = false, seen_versions = false;
  while (q < end) {
    if (end - q < 4) {
      out.anomalies |= tls_anomaly::kBadLength;
      break;
    }
    const uint16_t type = load_be16(q);
    const size_t elen = load_be16(q + 2);
    q += 4;
    if (elen > static_cast<size_t>(end - q)) {
      out.anomalies |= tls_anomaly::kBadLength;
      break;
    }
    ++out.extension_count;
    bool dup = false;
    if (type == kExtServerName || type == kExtAlpn || type == kExtSupportedVersions) {
      bool& flag = type == kExtServerName ? seen_sni : type == kExtAlpn ? seen_alpn : seen_versions;
      dup = flag;
      flag = true;
    } else if (nseen < kMaxTrackedExtensions) {
      dup = std::find(seen, seen + nseen, type) != seen + nseen;
      if (!dup) seen[nseen++] = type;
    } else {
      out.anomalies |= tls_anomaly::kManyExtensions;
    }
    if (dup) {
      // The first instance wins (what OpenSSL would reject; we report).
      out.anomalies |= tls_anomaly::kDuplicateExtension;
    } else if (type == kExtServerName) {
      parse_server_name(q, elen, out);
    } else if (type == kExtAlpn) {
      parse_alpn(q, elen, out);
    } else if (type == kExtSupportedVersions) {
      parse_supported_versions(q, elen, out);
    }
    q += elen;
  }
  return true;
}

TlsClientHelloAccumulator::Status TlsClientHelloAccumulator::feed(const uint8_t* data, size_t len) {
  size_t at = 0;
  while (at < len && state_ != State::kEnd) {
    switch (state_) {
      case State::kStart: {
        const uint8_t b = data[at];
        if (b == kContentHandshake) {
          state_ = State::kRecordHeader;
        } else if ((b & 0x80) != 0) {
          state_ = State::kSslv2;
        } else {
          fail(tls_anomaly::kNotTls);
        }
        break;
      }
      case State::kRecordHeader:
        hdr_[hdr_len_++] = data[at++];
        if (hdr_len_ == sizeof(hdr_)) record_header_done();
        break;
      case State::kRecordBody: {
        const size_t n = std::min<size_t>(record_left_, len - at);
        // Bytes past the buffer can only follow a complete hello (its length
        // was checked against kBufBytes), so dropping them loses nothing.
        const size_t keep = std::min<size_t>(n, kBufBytes - buf_len_);
        std::memcpy(buf_ + buf_len_, data + at, keep);
        buf_len_ += static_cast<uint32_t>(keep);
        record_left_ -= static_cast<uint32_t>(n);
        at += n;
        check_handshake();
        if (state_ == State::kRecordBody && record_left_ == 0) {
          hdr_len_ = 0;
          state_ = State::kRecordHeader;
        }
        break;
      }
      case State::kSslv2: {
        const size_t want = buf_len_ < 2 ? 2 - buf_len_ : need_ - buf_len_;
        const size_t n = std::min(want, len - at);
        std::memcpy(buf_ + buf_len_, data + at, n);
        buf_len_ += static_cast<uint32_t>(n);
        at += n;
        check_sslv2();
        break;
      }
      case State::kEnd:
        break;
    }
  }
  bytes_ignored_ += len - at;
  return status_;
}

void TlsClientHelloAccumulator::record_header_done() {
  if (hdr_[0] != kContentHandshake) {
    fail(tls_anomaly::kInterleavedRecord);
    return;
  }
  if (hdr_[1] != 3) hello_.anomalies |= tls_anomaly::kBadRecordVersion;
  record_left_ = load_be16(hdr_ + 3);
  if (record_left_ == 0 || record_left_ > kMaxRecordPlaintext) hello_.anomalies |= tls_anomaly::kBadRecordLength;
  if (record_left_ == 0) {
    hdr_len_ = 0;  // next record
    return;
  }
  state_ = State::kRecordBody;
}

void TlsClientHelloAccumulator::check_handshake() {
  if (buf_len_ < 4) return;
  if (buf_[0] != kHandshakeClientHello) {
    fail(tls_anomaly::kNotClientHello);
    return;
  }
  const uint32_t body = uint32_t{buf_[1]} << 16 | uint32_t{buf_[2]} << 8 | buf_[3];
  if (body > kBufBytes - 4) {
    fail(tls_anomaly::kOversizedHello);
    return;
  }
  if (buf_len_ < 4 + body) return;
  if (parse_tls_client_hello(buf_ + 4, body, hello_)) {
    status_ = Status::kDone;
    state_ = State::kEnd;
  } else {
    fail(0);
  }
}

void TlsClientHelloAccumulator::check_sslv2() {
  if (buf_len_ < 2) return;
  if (need_ == 0) {
    // 2-byte header (high bit set): 15-bit length of what follows.
    const uint32_t body = uint32_t{buf_[0] & 0x7fu} << 8 | buf_[1];
    if (body < kSslv2MinBody) {
      fail(tls_anomaly::kNotTls | tls_anomaly::kBadLength);
      return;
    }
    if (body + 2 > kBufBytes) {
      fail(tls_anomaly::kSslv2Hello | tls_anomaly::kOversizedHello);
      return;
    }
    need_ = body + 2;
    return;
  }
  if (buf_len_ >= 3 && buf_[2] != kHandshakeClientHello) {
    fail(tls_anomaly::kNotTls | tls_anomaly::kNotClientHello);
    return;
  }
  if (buf_len_ < need_) return;
  // msg_type(1) version(2) cipher_spec_length(2) session_id_length(2)
  // challenge_length(2), then the three fields.
  TlsClientHello& h = hello_;
  h.sslv2 = true;
  h.anomalies |= tls_anomaly::kSslv2Hello;
  h.legacy_version = load_be16(buf_ + 3);
  const uint32_t cs = load_be16(buf_ + 5);
  const uint32_t sid = load_be16(buf_ + 7);
  const uint32_t chal = load_be16(buf_ + 9);
  const uint32_t avail = need_ - 11;
  if (cs + sid + chal != avail || cs % 3 != 0) h.anomalies |= tls_anomaly::kBadLength;
  h.cipher_count = std::min(cs, avail) / 3;
  status_ = Status::kDone;
  state_ = State::kEnd;
}

TlsClientHelloAccumulator::Status TlsClientHelloAccumulator::end_of_stream() {
  if (status_ == Status::kNeedMore) fail(tls_anomaly::kIncomplete);
  return status_;
}

void TlsClientHelloAccumulator::reset() {
  state_ = State::kStart;
  status_ = Status::kNeedMore;
  hdr_len_ = 0;
  record_left_ = 0;
  buf_len_ = 0;
  need_ = 0;
  bytes_ignored_ = 0;
  hello_ = TlsClientHello{};
}

TlsProbe probe_tls_client_hello(const uint8_t* data, size_t len) {
  if (len == 0) return TlsProbe::kNeedMore;
  if (data[0] == kContentHandshake) {
    // 16 03 0x LL LL 01 00 LL LL 03 0x
    if (len < 2) return TlsProbe::kNeedMore;
    if (data[1] != 3) return TlsProbe::kNo;
    if (len < 3) return TlsProbe::kNeedMore;
    if (data[2] > 4) return TlsProbe::kNo;
    if (len < 5) return TlsProbe::kNeedMore;
    const uint32_t rec = load_be16(data + 3);
    if (rec < 4 || rec > TlsClientHelloAccumulator::kMaxRecordPlaintext + 2048) return TlsProbe::kNo;
    if (len < 6) return TlsProbe::kNeedMore;
    if (data[5] != kHandshakeClientHello) return TlsProbe::kNo;
    if (len < 7) return TlsProbe::kNeedMore;
    if (data[6] != 0) return TlsProbe::kNo;  // a hello over 64 KiB is not plausible
    if (len < 9) return TlsProbe::kNeedMore;
    if (load_be16(data + 7) < 38) return TlsProbe::kNo;  // version + random + session_id length + ...
    if (len < 10) return TlsProbe::kNeedMore;
    if (data[9] != 3) return TlsProbe::kNo;
    if (len < 11) return TlsProbe::kNeedMore;
    return data[10] <= 4 ? TlsProbe::kYes : TlsProbe::kNo;
  }
  if ((data[0] & 0x80) != 0) {
    // 8L LL 01 03 0x (or 00 02 for SSL 2.0 itself)
    if (len < 2) return TlsProbe::kNeedMore;
    const uint32_t body = uint32_t{data[0] & 0x7fu} << 8 | data[1];
    if (body < kSslv2MinBody + 3) return TlsProbe::kNo;  // at least one cipher spec
    if (len < 3) return TlsProbe::kNeedMore;
    if (data[2] != kHandshakeClientHello) return TlsProbe::kNo;
    if (len < 5) return TlsProbe::kNeedMore;
    const uint16_t v = load_be16(data + 3);
    return (v == 0x0002 || (v >= 0x0300 && v <= 0x0304)) ? TlsProbe::kYes : TlsProbe::kNo;
  }
  return TlsProbe::kNo;
}

const char* tls_anomaly_name(uint32_t bit) {
  switch (bit) {
    case tls_anomaly::kSniNul: return "sni_nul";
    case tls_anomaly::kSniBadChar: return "sni_bad_char";
    case tls_anomaly::kSniEmpty: return "sni_empty";
    case tls_anomaly::kSniTooLong: return "sni_too_long";
    case tls_anomaly::kSniMultipleNames: return "sni_multiple_names";
    case tls_anomaly::kBadLength: return "bad_length";
    case tls_anomaly::kDuplicateExtension: return "duplicate_extension";
    case tls_anomaly::kSslv2Hello: return "sslv2_hello";
    case tls_anomaly::kBadRecordLength: return "bad_record_length";
    case tls_anomaly::kBadRecordVersion: return "bad_record_version";
    case tls_anomaly::kOversizedHello: return "oversized_hello";
    case tls_anomaly::kNotClientHello: return "not_client_hello";
    case tls_anomaly::kInterleavedRecord: return "interleaved_record";
    case tls_anomaly::kNotTls: return "not_tls";
    case tls_anomaly::kTrailingBytes: return "trailing_bytes";
    case tls_anomaly::kEmptyAlpn: return "empty_alpn";
    case tls_anomaly::kManyExtensions: return "many_extensions";
    case tls_anomaly::kIncomplete: return "incomplete";
    default: return "unknown";
  }
}

}  // namespace rampart::dp
