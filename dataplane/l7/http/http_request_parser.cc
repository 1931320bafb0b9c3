#include "dataplane/l7/http/http_request_parser.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "common/macros.h"
#include "dataplane/l7/http/uri_normalizer.h"

namespace rampart::dp {
namespace {

// uri_flag bits that make a request anomalous; dot segments, "//" and
// absolute-form are common in benign traffic and stay in uri_flags only.
constexpr uint32_t kUriAnomalyMask = uri_flag::kInvalidEscape | uri_flag::kDoubleEncoded | uri_flag::kUEncoded |
                                     uri_flag::kNonAsciiUnicode | uri_flag::kNulByte |
                                     uri_flag::kTraversalAboveRoot | uri_flag::kBackslash | uri_flag::kOverlong;
// 2^60: more hex or decimal digits than any real body, small enough that
// arithmetic on it never overflows.
constexpr uint64_t kMaxLength = uint64_t{1} << 60;

RAMPART_ALWAYS_INLINE bool is_ws(uint8_t c) { return c == ' ' || c == '\t'; }

bool is_tchar(uint8_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

RAMPART_ALWAYS_INLINE uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c; }

bool equals_nocase(const uint8_t* p, size_t n, std::string_view lit) {
  if (n != lit.size()) return false;
  for (size_t i = 0; i < n; ++i)
    if (lower(p[i]) != static_cast<uint8_t>(lit[i])) return false;
  return true;
}

std::string_view view(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

// [a, b) with SP/HT removed from both ends.
void trim(const uint8_t* p, uint32_t& a, uint32_t& b) {
  while (a < b && is_ws(p[a])) ++a;
  while (b > a && is_ws(p[b - 1])) --b;
}

int hex_digit(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Methods accepted by the probe. PRI is absent on purpose (HTTP/2 preface).
constexpr std::string_view kMethods[] = {
    "GET",        "POST",      "HEAD",     "PUT",    "DELETE",    "OPTIONS",     "PATCH", "CONNECT", "TRACE",
    "PROPFIND",   "PROPPATCH", "MKCOL",    "COPY",   "MOVE",      "LOCK",        "UNLOCK", "SEARCH", "REPORT",
    "MKACTIVITY", "CHECKOUT",  "MERGE",    "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PURGE", "LINK",    "UNLINK",
    "M-SEARCH"};

}  // namespace

const char* http_anomaly_name(uint32_t bit) {
  switch (bit) {
    case http_anomaly::kClAndTe: return "cl_and_te";
    case http_anomaly::kDuplicateCl: return "duplicate_cl";
    case http_anomaly::kConflictingCl: return "conflicting_cl";
    case http_anomaly::kNegativeCl: return "negative_cl";
    case http_anomaly::kInvalidCl: return "invalid_cl";
    case http_anomaly::kHeaderNoColon: return "header_no_colon";
    case http_anomaly::kNulByte: return "nul_byte";
    case http_anomaly::kOverlongLine: return "overlong_line";
    case http_anomaly::kInvalidChunk: return "invalid_chunk";
    case http_anomaly::kHttp09: return "http_0_9";
    case http_anomaly::kBadVersion: return "bad_version";
    case http_anomaly::kInvalidRequestLine: return "invalid_request_line";
    case http_anomaly::kRequestLineWhitespace: return "request_line_whitespace";
    case http_anomaly::kObsFold: return "obs_fold";
    case http_anomaly::kInvalidHeaderName: return "invalid_header_name";
    case http_anomaly::kTooManyHeaders: return "too_many_headers";
    case http_anomaly::kHeaderStoreFull: return "header_store_full";
    case http_anomaly::kBadTransferEncoding: return "bad_transfer_encoding";
    case http_anomaly::kDuplicateHost: return "duplicate_host";
    case http_anomaly::kMissingHost: return "missing_host";
    case http_anomaly::kIncomplete: return "incomplete";
    case http_anomaly::kUriAnomaly: return "uri_anomaly";
    case http_anomaly::kBareLf: return "bare_lf";
    default: return "unknown";
  }
}

size_t HttpRequestParser::memory_bytes(const HttpParserConfig& cfg) {
  return sizeof(HttpRequestParser) + size_t{cfg.header_store} + kSpillBytes + cfg.max_body +
         size_t{cfg.max_headers} * sizeof(HttpHeader);
}

HttpRequestParser::HttpRequestParser(const HttpParserConfig& cfg, HttpRequestSink sink, void* ctx)
    : cfg_(cfg), sink_(sink), ctx_(ctx) {
  RAMPART_CHECK(cfg.max_request_line > 0 && cfg.max_header_line > 0 && cfg.header_store > 0,
                "http parser: line limits and header_store must be > 0");
  RAMPART_CHECK(sink != nullptr, "http parser: no sink");
  store_.reset(new (std::nothrow) uint8_t[size_t{cfg.header_store} + kSpillBytes]);
  body_.reset(new (std::nothrow) uint8_t[cfg.max_body + 1]);
  headers_.reset(new (std::nothrow) HttpHeader[cfg.max_headers + 1]);
  RAMPART_CHECK(store_ && body_ && headers_, "http parser: out of memory");
}

HttpRequestParser::~HttpRequestParser() = default;

void HttpRequestParser::reset() {
  reset_request();
  state_ = State::kRequestLine;
  line_stored_ = 0;
  line_len_ = 0;
  line_cr_ = false;
  line_nul_ = false;
  stream_anomalies_ = 0;
  requests_ = 0;
  bytes_ignored_ = 0;
  probe_len_ = 0;
}

void HttpRequestParser::reset_request() {
  tail_ = 0;
  method_ = uri_raw_ = uri_norm_ = abs_host_ = {};
  nheaders_ = headers_seen_ = hosts_seen_ = 0;
  host_idx_ = ua_idx_ = cookie_idx_ = ctype_idx_ = -1;
  pending_ = pending_stored_ = false;
  pending_kind_ = Special::kNone;
  framing_len_ = 0;
  framing_overflow_ = false;
  te_chunked_count_ = 0;
  cl_value_ = 0;
  cl_present_ = cl_bad_ = false;
  te_present_ = te_chunked_ = te_bad_ = false;
  is_connect_ = false;
  upgrade_ = false;
  ver_major_ = 0;
  ver_minor_ = 9;
  body_left_ = 0;
  body_kept_ = 0;
  body_truncated_ = chunked_ = delivered_ = false;
  anomalies_ = uri_flags_ = 0;
}

uint32_t HttpRequestParser::line_limit() const {
  return state_ == State::kRequestLine ? cfg_.max_request_line : cfg_.max_header_line;
}

// Appends bytes of the current line at store_[tail_]. Storage stops at the
// line limit or at the end of the spill area; the length keeps counting so
// an overlong line is consumed in O(1) memory. The spill area past
// header_store is never committed: it only guarantees that the head of any
// line (a Content-Length, a chunk size) can be read when the store is full.
size_t HttpRequestParser::take_line(const uint8_t* p, size_t n, bool& done) {
  const auto* lf = static_cast<const uint8_t*>(std::memchr(p, '\n', n));
  const size_t seg = lf ? static_cast<size_t>(lf - p) : n;
  const uint32_t room = std::min(line_limit(), cfg_.header_store + kSpillBytes - tail_);
  if (line_stored_ < room) {
    const uint32_t c = static_cast<uint32_t>(std::min<size_t>(seg, room - line_stored_));
    std::memcpy(store_.get() + tail_ + line_stored_, p, c);
    line_stored_ += c;
  }
  if (seg > 0) {
    line_len_ += seg;
    line_cr_ = p[seg - 1] == '\r';
    if (std::memchr(p, 0, seg) != nullptr) line_nul_ = true;
  }
  done = lf != nullptr;
  return lf ? seg + 1 : seg;
}

void HttpRequestParser::feed(const uint8_t* data, size_t len) {
  size_t i = 0;
  while (i < len) {
    const uint8_t* p = data + i;
    const size_t n = len - i;
    switch (state_) {
      case State::kBody:
      case State::kChunkData: {
        const size_t c = static_cast<size_t>(std::min<uint64_t>(n, body_left_));
        consume_body(p, c);
        body_left_ -= c;
        i += c;
        if (body_left_ == 0) {
          if (state_ == State::kBody) {
            finish_request();
          } else {
            state_ = State::kChunkDataEnd;
          }
        }
        break;
      }
      case State::kConnectProbe:
        i += connect_probe(p, n);
        break;
      case State::kTunnel:
      case State::kLost:
      case State::kClosed:
        bytes_ignored_ += n;
        return;
      default: {
        bool done = false;
        i += take_line(p, n, done);
        if (done) handle_line(false);
        break;
      }
    }
  }
}

// After CONNECT the stream is a tunnel, unless the client goes on with HTTP
// (the proxy refused, or plain HTTP through the tunnel): we cannot see the
// server's answer, and parsing on is the conservative choice for inspection.
size_t HttpRequestParser::connect_probe(const uint8_t* p, size_t n) {
  const size_t c = std::min<size_t>(n, sizeof(probe_buf_) - probe_len_);
  std::memcpy(probe_buf_ + probe_len_, p, c);
  probe_len_ += static_cast<uint32_t>(c);
  const HttpProbe r = probe_http_request(probe_buf_, probe_len_);
  if (r == HttpProbe::kNeedMore && probe_len_ < sizeof(probe_buf_)) return c;
  if (r == HttpProbe::kYes) {
    uint8_t copy[sizeof(probe_buf_)];
    const uint32_t k = probe_len_;
    std::memcpy(copy, probe_buf_, k);
    probe_len_ = 0;
    state_ = State::kRequestLine;
    feed(copy, k);
  } else {
    bytes_ignored_ += probe_len_;
    probe_len_ = 0;
    state_ = State::kTunnel;
  }
  return c;
}

void HttpRequestParser::handle_line(bool at_eof) {
  const uint64_t content = line_len_ - (line_cr_ ? 1 : 0);
  const uint32_t stored = static_cast<uint32_t>(std::min<uint64_t>(line_stored_, content));
  const bool overlong = content > line_limit();
  const bool nul = line_nul_;
  if (!line_cr_ && !at_eof) flag(http_anomaly::kBareLf);
  line_stored_ = 0;
  line_len_ = 0;
  line_cr_ = false;
  line_nul_ = false;
  if (state_ == State::kRequestLine && content == 0) return;  // RFC 9112 2.2: leading empty lines
  if (overlong) flag(http_anomaly::kOverlongLine);
  switch (state_) {
    case State::kRequestLine:
      if (nul) flag(http_anomaly::kNulByte);
      parse_request_line(stored, overlong);
      break;
    case State::kHeaders:
      if (nul) flag(http_anomaly::kNulByte);
      if (content == 0) {
        end_of_headers();
      } else {
        header_line(stored, static_cast<uint32_t>(std::min<uint64_t>(content, UINT32_MAX)));
      }
      break;
    case State::kChunkSize:
      chunk_size_line(stored);
      break;
    case State::kChunkDataEnd:
      if (content == 0) {
        state_ = State::kChunkSize;
      } else {
        flag(http_anomaly::kInvalidChunk);
        deliver();
        state_ = State::kLost;
      }
      break;
    case State::kTrailers:
      if (nul) flag(http_anomaly::kNulByte);
      if (content == 0) {
        finish_request();
      } else {
        trailer_line(stored);
      }
      break;
    default:
      RAMPART_DCHECK(false);
      break;
  }
}

void HttpRequestParser::parse_request_line(uint32_t stored, bool cut) {
  // The request line is the first thing in the store; it never reaches the spill area.
  stored = std::min(stored, cfg_.header_store);
  uint8_t* l = store_.get();
  uint32_t i = 0;
  if (stored > 0 && is_ws(l[0])) flag(http_anomaly::kRequestLineWhitespace);
  while (i < stored && is_ws(l[i])) ++i;
  const uint32_t ms = i;
  bool token = true;
  while (i < stored && !is_ws(l[i])) token &= is_tchar(l[i++]);
  method_ = view(l + ms, i - ms);
  const uint32_t sep = i;
  while (i < stored && is_ws(l[i])) ++i;
  if (i - sep > 1 || (i > sep && l[sep] != ' ')) flag(http_anomaly::kRequestLineWhitespace);
  uint32_t ts = i;
  uint32_t te = stored;
  while (te > ts && is_ws(l[te - 1])) --te;
  if (te < stored && !cut) flag(http_anomaly::kRequestLineWhitespace);
  tail_ = stored;

  if (method_.empty() || !token || ts == te) {
    flag(http_anomaly::kInvalidRequestLine);
    uri_raw_ = uri_norm_ = view(l + ts, te - ts);
    deliver();
    state_ = State::kLost;
    return;
  }
  // The version is the last token when it starts with "HTTP/" (any case: a
  // lower-case version is flagged, not mistaken for part of the target).
  uint32_t k = te;
  while (k > ts && !is_ws(l[k - 1])) --k;
  bool has_version = k > ts && te - k >= 5 && equals_nocase(l + k, 5, "http/");
  if (has_version) {
    const uint8_t* v = l + k;
    const uint32_t vlen = te - k;
    if (vlen == 8 && std::memcmp(v, "HTTP/", 5) == 0 && v[5] >= '0' && v[5] <= '9' && v[6] == '.' && v[7] >= '0' &&
        v[7] <= '9') {
      ver_major_ = static_cast<uint8_t>(v[5] - '0');
      ver_minor_ = static_cast<uint8_t>(v[7] - '0');
      if (ver_major_ != 1) flag(http_anomaly::kBadVersion);
    } else {
      flag(http_anomaly::kBadVersion);
      ver_major_ = 1;
      ver_minor_ = 1;
    }
    uint32_t e = k;
    while (e > ts && is_ws(l[e - 1])) --e;
    if (k - e > 1 || l[e] != ' ') flag(http_anomaly::kRequestLineWhitespace);
    te = e;
  } else if (cut) {
    ver_major_ = 1;  // the version was cut off; headers follow
    ver_minor_ = 1;
  }
  for (uint32_t j = ts; j < te; ++j) {
    if (is_ws(l[j])) {
      flag(http_anomaly::kRequestLineWhitespace);
      break;
    }
  }
  uri_raw_ = view(l + ts, te - ts);
  is_connect_ = method_ == "CONNECT";
  const uint8_t* u = l + ts;
  const uint32_t ulen = te - ts;
  if (is_connect_ || uri_raw_ == "*") {
    uri_norm_ = uri_raw_;
  } else {
    const UriNormResult r = normalize_uri(u, ulen, store_.get() + tail_, cfg_.header_store - tail_);
    uri_norm_ = view(store_.get() + tail_, r.len);
    tail_ += r.len;
    uri_flags_ = r.flags;
    if (r.flags & kUriAnomalyMask) flag(http_anomaly::kUriAnomaly);
    if (r.flags & uri_flag::kAbsoluteForm) {
      uint32_t a = (lower(u[4]) == 's') ? 8 : 7;
      uint32_t b = a;
      while (b < ulen && u[b] != '/' && u[b] != '?') ++b;
      for (uint32_t j = b; j > a; --j) {
        if (u[j - 1] == '@') {
          a = j;
          break;
        }
      }
      abs_host_ = view(u + a, b - a);
    }
  }

  if (!has_version && !cut) {
    // HTTP/0.9 (libhtp's reading): the request is the line; no headers.
    flag(http_anomaly::kHttp09);
    finish_request();
    return;
  }
  state_ = State::kHeaders;
}

void HttpRequestParser::framing_append(const uint8_t* v, uint32_t n) {
  if (n == 0) return;
  uint8_t* f = framing_val_;
  // Keep the tail when it does not fit: for Transfer-Encoding the last
  // coding is what counts; Content-Length is invalid anyway.
  if (n >= kFramingValueMax) {
    framing_overflow_ = true;
    std::memcpy(f, v + (n - kFramingValueMax), kFramingValueMax);
    framing_len_ = kFramingValueMax;
    return;
  }
  const uint32_t need = framing_len_ > 0 ? n + 1 : n;  // <= kFramingValueMax
  if (framing_len_ + need > kFramingValueMax) {
    framing_overflow_ = true;
    const uint32_t drop = framing_len_ + need - kFramingValueMax;  // <= framing_len_
    std::memmove(f, f + drop, framing_len_ - drop);
    framing_len_ -= drop;
  }
  if (framing_len_ > 0) f[framing_len_++] = ' ';
  std::memcpy(f + framing_len_, v, n);
  framing_len_ += n;
}

void HttpRequestParser::header_line(uint32_t stored, uint32_t content) {
  uint8_t* l = store_.get() + tail_;
  if (is_ws(l[0])) {
    fold_line(stored);
    return;
  }
  finalize_pending();
  ++headers_seen_;
  const auto* colon = static_cast<const uint8_t*>(std::memchr(l, ':', stored));
  Special kind = Special::kNone;
  HttpHeader h;
  if (colon == nullptr) {
    flag(http_anomaly::kHeaderNoColon);
    uint32_t a = 0, b = stored;
    trim(l, a, b);
    h.name = view(l, 0);
    h.value = view(l + a, b - a);
  } else {
    uint32_t ne = static_cast<uint32_t>(colon - l);
    bool bad = ne == 0;
    for (uint32_t j = 0; j < ne && !bad; ++j) bad = !is_tchar(l[j]);
    // "Content-Length : 5" (RFC 9112 5.1 says reject): flagged, and read as
    // the trimmed name, the way lenient servers do.
    while (ne > 0 && is_ws(l[ne - 1])) --ne;
    if (bad) flag(http_anomaly::kInvalidHeaderName);
    uint32_t a = static_cast<uint32_t>(colon - l) + 1, b = stored;
    trim(l, a, b);
    h.name = view(l, ne);
    h.value = view(l + a, b - a);
    const auto* n = reinterpret_cast<const uint8_t*>(h.name.data());
    if (equals_nocase(n, ne, "content-length")) kind = Special::kContentLength;
    else if (equals_nocase(n, ne, "transfer-encoding")) kind = Special::kTransferEncoding;
    else if (equals_nocase(n, ne, "host")) kind = Special::kHost;
    else if (equals_nocase(n, ne, "user-agent")) kind = Special::kUserAgent;
    else if (equals_nocase(n, ne, "cookie")) kind = Special::kCookie;
    else if (equals_nocase(n, ne, "content-type")) kind = Special::kContentType;
    // Upgrade (WebSocket, h2c, docker attach): if the server switches
    // protocols, what follows is not HTTP; see finish_request().
    if (equals_nocase(n, ne, "upgrade")) upgrade_ = true;
  }
  if (kind == Special::kHost && ++hosts_seen_ > 1) flag(http_anomaly::kDuplicateHost);
  if (kind == Special::kContentLength || kind == Special::kTransferEncoding) {
    framing_len_ = 0;
    framing_overflow_ = false;
    framing_append(reinterpret_cast<const uint8_t*>(h.value.data()), static_cast<uint32_t>(h.value.size()));
    if (stored < content && kind == Special::kContentLength) framing_overflow_ = true;
  }
  pending_ = true;
  pending_kind_ = kind;
  pending_stored_ = false;
  const bool cut_by_store = stored < content && content <= cfg_.max_header_line;
  if (headers_seen_ > cfg_.max_headers) {
    flag(http_anomaly::kTooManyHeaders);
  } else if (cut_by_store || tail_ + stored > cfg_.header_store) {
    flag(http_anomaly::kHeaderStoreFull);
  } else {
    const auto idx = static_cast<int32_t>(nheaders_);
    headers_[nheaders_++] = h;
    tail_ += stored;
    pending_stored_ = true;
    int32_t* slot = kind == Special::kHost        ? &host_idx_
                    : kind == Special::kUserAgent  ? &ua_idx_
                    : kind == Special::kCookie     ? &cookie_idx_
                    : kind == Special::kContentType ? &ctype_idx_
                                                    : nullptr;
    if (slot != nullptr && *slot < 0) *slot = idx;
  }
}

// obs-fold (RFC 9112 5.2): the line continues the previous field value and is
// joined with one SP. Folded lines before any field are consumed unprocessed
// (RFC 9112 2.2).
void HttpRequestParser::fold_line(uint32_t stored) {
  flag(http_anomaly::kObsFold);
  if (!pending_) return;
  uint8_t* s = store_.get();
  const uint8_t* l = s + tail_;
  uint32_t a = 0, b = stored;
  trim(l, a, b);
  if (pending_kind_ == Special::kContentLength || pending_kind_ == Special::kTransferEncoding)
    framing_append(l + a, b - a);
  if (!pending_stored_ || a == b) return;
  HttpHeader& h = headers_[nheaders_ - 1];
  const auto* vstart = reinterpret_cast<const uint8_t*>(h.value.data());
  uint32_t out = static_cast<uint32_t>(vstart - s) + static_cast<uint32_t>(h.value.size());
  const uint32_t start = h.value.empty() ? out : static_cast<uint32_t>(vstart - s);
  if (!h.value.empty() && out < cfg_.header_store) s[out++] = ' ';
  uint32_t n = b - a;
  if (out + n > cfg_.header_store) {
    flag(http_anomaly::kHeaderStoreFull);
    n = cfg_.header_store > out ? cfg_.header_store - out : 0;
  }
  std::memmove(s + out, l + a, n);  // l + a is past `out`: the fold's leading SP/HT was dropped
  h.value = view(s + start, out + n - start);
  tail_ = out + n;
}

void HttpRequestParser::finalize_pending() {
  if (!pending_) return;
  pending_ = false;
  if (pending_kind_ == Special::kContentLength) apply_content_length(framing_val_, framing_len_);
  if (pending_kind_ == Special::kTransferEncoding) apply_transfer_encoding(framing_val_, framing_len_);
}

// 1*DIGIT, or a list of identical values (RFC 9110 8.6). Anything else makes
// the framing invalid, which a server must answer with 400 and close.
void HttpRequestParser::apply_content_length(const uint8_t* v, uint32_t n) {
  bool invalid = framing_overflow_ || n == 0;
  uint32_t i = 0;
  while (!invalid && i <= n) {
    uint32_t j = i;
    while (j < n && v[j] != ',') ++j;
    uint32_t a = i, b = j;
    trim(v, a, b);
    if (a < b && v[a] == '-') {
      flag(http_anomaly::kNegativeCl);
      invalid = true;
      break;
    }
    uint64_t x = 0;
    if (a == b) invalid = true;
    for (uint32_t k = a; k < b && !invalid; ++k) {
      if (v[k] < '0' || v[k] > '9') invalid = true;
      x = x * 10 + static_cast<uint64_t>(v[k] - '0');
      if (x > kMaxLength) invalid = true;
    }
    if (invalid) break;
    if (!cl_present_) {
      cl_present_ = true;
      cl_value_ = x;
    } else if (x == cl_value_) {
      flag(http_anomaly::kDuplicateCl);
    } else {
      flag(http_anomaly::kConflictingCl);
      cl_bad_ = true;
    }
    i = j + 1;
  }
  if (invalid) {
    flag(http_anomaly::kInvalidCl);
    cl_present_ = true;
    cl_bad_ = true;
  }
}

// The codings of all Transfer-Encoding lines form one list; the body is
// chunked only when chunked is the last coding and appears once (RFC 9112 6.1).
void HttpRequestParser::apply_transfer_encoding(const uint8_t* v, uint32_t n) {
  te_present_ = true;
  bool any = false;
  uint32_t i = 0;
  while (i < n) {
    uint32_t j = i;
    while (j < n && v[j] != ',') ++j;
    uint32_t a = i, b = j;
    trim(v, a, b);
    if (a < b) {
      any = true;
      // A coding may carry parameters ("gzip;q=1"); only its name counts.
      uint32_t e = a;
      while (e < b && v[e] != ';' && !is_ws(v[e])) ++e;
      te_chunked_ = equals_nocase(v + a, e - a, "chunked");
      if (te_chunked_ && (++te_chunked_count_ > 1 || e != b)) te_bad_ = true;
    }
    i = j + 1;
  }
  if (!any) {
    te_chunked_ = false;
    te_bad_ = true;
  }
}

void HttpRequestParser::end_of_headers() {
  finalize_pending();
  if (ver_major_ == 1 && ver_minor_ >= 1 && hosts_seen_ == 0) flag(http_anomaly::kMissingHost);
  if (te_present_) {
    if (cl_present_) flag(http_anomaly::kClAndTe);
    if (!te_chunked_ || te_bad_) {
      flag(http_anomaly::kBadTransferEncoding);
      deliver();
      state_ = State::kLost;
      return;
    }
    chunked_ = true;
    state_ = State::kChunkSize;
    deliver_headers();
    return;
  }
  if (cl_present_) {
    if (cl_bad_) {
      deliver();
      state_ = State::kLost;
      return;
    }
    if (cl_value_ > 0) {
      body_left_ = cl_value_;
      state_ = State::kBody;
      deliver_headers();
      return;
    }
  }
  finish_request();
}

// chunk-size [ BWS ";" chunk-ext ]: at most 15 hex digits (2^60).
void HttpRequestParser::chunk_size_line(uint32_t stored) {
  const uint8_t* l = store_.get() + tail_;
  uint32_t i = 0;
  uint64_t size = 0;
  bool ok = true;
  while (i < stored && hex_digit(l[i]) >= 0) {
    size = size * 16 + static_cast<uint64_t>(hex_digit(l[i]));
    if (++i > 15) ok = false;
  }
  if (i == 0) ok = false;
  while (i < stored && is_ws(l[i])) ++i;
  if (i < stored && l[i] != ';') ok = false;
  if (!ok) {
    flag(http_anomaly::kInvalidChunk);
    deliver();
    state_ = State::kLost;
    return;
  }
  if (size == 0) {
    state_ = State::kTrailers;
  } else {
    body_left_ = size;
    state_ = State::kChunkData;
  }
}

// Trailer fields are checked like headers but neither stored nor allowed to
// change framing (RFC 9110 6.5.1).
void HttpRequestParser::trailer_line(uint32_t stored) {
  const uint8_t* l = store_.get() + tail_;
  if (is_ws(l[0])) {
    flag(http_anomaly::kObsFold);
    return;
  }
  if (std::memchr(l, ':', stored) == nullptr) flag(http_anomaly::kHeaderNoColon);
}

void HttpRequestParser::consume_body(const uint8_t* p, size_t n) {
  const uint32_t room = cfg_.max_body - body_kept_;
  const auto c = static_cast<uint32_t>(std::min<size_t>(n, room));
  std::memcpy(body_.get() + body_kept_, p, c);
  body_kept_ += c;
  if (n > room) {
    body_truncated_ = true;
    if (!delivered_) deliver();
  }
}

void HttpRequestParser::fill(HttpRequest& r) const {
  auto hv = [this](int32_t idx) { return idx < 0 ? std::string_view{} : headers_[idx].value; };
  r.method = method_;
  r.uri_raw = uri_raw_;
  r.uri_norm = uri_norm_;
  r.host = !abs_host_.empty() ? abs_host_ : hv(host_idx_);
  r.user_agent = hv(ua_idx_);
  r.cookie = hv(cookie_idx_);
  r.content_type = hv(ctype_idx_);
  r.body = view(body_.get(), body_kept_);
  r.headers = std::span<const HttpHeader>(headers_.get(), nheaders_);
  r.content_length = cl_value_;
  r.has_content_length = cl_present_;
  r.chunked = chunked_;
  r.body_truncated = body_truncated_;
  r.index = requests_;
  r.anomalies = anomalies_;
  r.uri_flags = uri_flags_;
  r.version_major = ver_major_;
  r.version_minor = ver_minor_;
}

void HttpRequestParser::deliver_headers() {
  if (headers_sink_ == nullptr) return;
  HttpRequest r;
  fill(r);
  r.body = {};
  r.body_truncated = false;
  r.headers_only = true;
  headers_sink_(ctx_, r);
}

void HttpRequestParser::deliver() {
  if (delivered_) return;
  delivered_ = true;
  HttpRequest r;
  fill(r);
  ++requests_;
  sink_(ctx_, r);
}

void HttpRequestParser::finish_request() {
  deliver();
  // After CONNECT or an Upgrade request the server may have switched the
  // connection to another protocol (we do not see its answer here): the
  // next client bytes are parsed as HTTP only if they look like a request
  // line, else the stream is a tunnel. Nothing is lost to an attacker: a
  // server that did not switch rejects non-HTTP bytes as a bad request.
  const bool may_switch = is_connect_ || upgrade_;
  reset_request();
  state_ = may_switch ? State::kConnectProbe : State::kRequestLine;
}

void HttpRequestParser::end_of_stream() {
  const bool line_state = state_ == State::kRequestLine || state_ == State::kHeaders ||
                          state_ == State::kChunkSize || state_ == State::kChunkDataEnd ||
                          state_ == State::kTrailers;
  if (line_state && line_len_ > 0) {
    flag(http_anomaly::kIncomplete);
    handle_line(true);
  }
  switch (state_) {
    case State::kHeaders:
      finalize_pending();
      [[fallthrough]];
    case State::kBody:
    case State::kChunkSize:
    case State::kChunkData:
    case State::kChunkDataEnd:
    case State::kTrailers:
      flag(http_anomaly::kIncomplete);
      deliver();
      break;
    default:
      break;
  }
  state_ = State::kClosed;
}

HttpProbe probe_http_request(const uint8_t* data, size_t len) {
  bool need_more = false;
  for (const std::string_view m : kMethods) {
    const size_t k = std::min(len, m.size());
    if (std::memcmp(data, m.data(), k) != 0) continue;
    if (len <= m.size()) {
      need_more = true;
      continue;
    }
    if (data[m.size()] != ' ') continue;
    if (len == m.size() + 1) {
      need_more = true;
      continue;
    }
    const uint8_t c = data[m.size() + 1];
    if (c == '/' || c == '*' || c == 'h' || c == 'H') return HttpProbe::kYes;
    if (m == "CONNECT" && (is_tchar(c) || c == '[')) return HttpProbe::kYes;
  }
  return need_more ? HttpProbe::kNeedMore : HttpProbe::kNo;
}

}  // namespace rampart::dp
