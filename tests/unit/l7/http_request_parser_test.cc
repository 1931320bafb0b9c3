// HttpRequestParser tests: field extraction, framing, pipelining, every split
// position of a pipelined pair, one table row per anomaly, limits, CONNECT,
// end of stream and the port-independent probe.

#include "dataplane/l7/http/http_request_parser.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/l7/http/uri_normalizer.h"

namespace rampart::dp {
namespace {

using namespace http_anomaly;

// An owning copy of HttpRequest: views die when the sink returns.
struct Req {
  std::string method, uri_raw, uri_norm, host, user_agent, cookie, content_type, body;
  std::vector<std::pair<std::string, std::string>> headers;
  uint64_t content_length = 0, index = 0;
  uint32_t anomalies = 0, uri_flags = 0;
  int version_major = 0, version_minor = 0;
  bool has_content_length = false, chunked = false, body_truncated = false;
  bool operator==(const Req&) const = default;
};

struct Collector {
  std::vector<Req> reqs;
  static void sink(void* ctx, const HttpRequest& r) {
    Req q;
    q.method = r.method;
    q.uri_raw = r.uri_raw;
    q.uri_norm = r.uri_norm;
    q.host = r.host;
    q.user_agent = r.user_agent;
    q.cookie = r.cookie;
    q.content_type = r.content_type;
    q.body = r.body;
    for (const HttpHeader& h : r.headers) q.headers.emplace_back(h.name, h.value);
    q.content_length = r.content_length;
    q.index = r.index;
    q.anomalies = r.anomalies;
    q.uri_flags = r.uri_flags;
    q.version_major = r.version_major;
    q.version_minor = r.version_minor;
    q.has_content_length = r.has_content_length;
    q.chunked = r.chunked;
    q.body_truncated = r.body_truncated;
    static_cast<Collector*>(ctx)->reqs.push_back(std::move(q));
  }
};

const uint8_t* bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

struct Outcome {
  std::vector<Req> reqs;
  bool lost = false, tunnel = false;
  uint32_t stream_anomalies = 0;
};

// Feeds `s` cut at `cuts` (sorted positions), optionally closing the stream.
Outcome run(std::string_view s, const std::vector<size_t>& cuts = {}, bool eos = false, const HttpParserConfig& cfg = {}) {
  Collector c;
  HttpRequestParser p(cfg, &Collector::sink, &c);
  size_t at = 0;
  for (size_t cut : cuts) {
    p.feed(bytes(s) + at, cut - at);
    at = cut;
  }
  p.feed(bytes(s) + at, s.size() - at);
  const bool lost = p.lost(), tunnel = p.tunnel();
  if (eos) p.end_of_stream();
  return {std::move(c.reqs), lost, tunnel, p.stream_anomalies()};
}

Outcome run_bytewise(std::string_view s) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < s.size(); ++i) cuts.push_back(i);
  return run(s, cuts);
}

constexpr std::string_view kGet =
    "GET /a/./b/../c%20d?q=1+2 HTTP/1.1\r\n"
    "Host: Example.com\r\n"
    "User-Agent: curl/8.0\r\n"
    "Cookie: sid=1; x=2\r\n"
    "Accept: */*\r\n"
    "\r\n";

TEST(HttpRequestParser, SimpleGetFields) {
  const Outcome r = run(kGet);
  ASSERT_EQ(r.reqs.size(), 1u);
  const Req& q = r.reqs[0];
  EXPECT_EQ(q.method, "GET");
  EXPECT_EQ(q.uri_raw, "/a/./b/../c%20d?q=1+2");
  EXPECT_EQ(q.uri_norm, "/a/c d?q=1 2");
  EXPECT_EQ(q.uri_flags, uri_flag::kDotSegment);
  EXPECT_EQ(q.host, "Example.com");
  EXPECT_EQ(q.user_agent, "curl/8.0");
  EXPECT_EQ(q.cookie, "sid=1; x=2");
  EXPECT_EQ(q.content_type, "");
  ASSERT_EQ(q.headers.size(), 4u);
  EXPECT_EQ(q.headers[3], (std::pair<std::string, std::string>{"Accept", "*/*"}));
  EXPECT_EQ(q.version_major, 1);
  EXPECT_EQ(q.version_minor, 1);
  EXPECT_EQ(q.anomalies, 0u);
  EXPECT_FALSE(q.has_content_length);
  EXPECT_EQ(q.body, "");
  EXPECT_FALSE(r.lost);
}

TEST(HttpRequestParser, ContentLengthBody) {
  const Outcome r = run("POST /login HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: 11\r\n\r\nuser=a&pw=b");
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_EQ(r.reqs[0].body, "user=a&pw=b");
  EXPECT_EQ(r.reqs[0].content_type, "application/x-www-form-urlencoded");
  EXPECT_TRUE(r.reqs[0].has_content_length);
  EXPECT_EQ(r.reqs[0].content_length, 11u);
  EXPECT_EQ(r.reqs[0].anomalies, 0u);
}

constexpr std::string_view kChunked =
    "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;name=val\r\nhello\r\n"
    "6 \r\n world\r\n"
    "0\r\nX-Checksum: abc\r\n\r\n";

TEST(HttpRequestParser, ChunkedBodyWithExtensionsAndTrailers) {
  const Outcome r = run(kChunked);
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_TRUE(r.reqs[0].chunked);
  EXPECT_EQ(r.reqs[0].body, "hello world");
  EXPECT_EQ(r.reqs[0].anomalies, 0u);
  ASSERT_EQ(r.reqs[0].headers.size(), 2u);  // trailers are not headers
}

TEST(HttpRequestParser, ObsFoldJoinsWithOneSpace) {
  const Outcome r = run("GET / HTTP/1.1\r\nHost: h\r\nX-Long: part1\r\n   part2\r\n\tpart3\r\nUser-Agent:\r\n agent\r\n\r\n");
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_EQ(r.reqs[0].headers[1].second, "part1 part2 part3");
  EXPECT_EQ(r.reqs[0].user_agent, "agent");
  EXPECT_EQ(r.reqs[0].anomalies, kObsFold);
}

TEST(HttpRequestParser, FoldedTransferEncodingIsHonoured) {
  const Outcome r = run("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_TRUE(r.reqs[0].chunked);
  EXPECT_EQ(r.reqs[0].body, "abc");
  EXPECT_EQ(r.reqs[0].anomalies, kObsFold);
}

TEST(HttpRequestParser, AbsoluteFormHostWinsOverHostHeader) {
  const Outcome r = run("GET http://user@real.example:8080/x/../y HTTP/1.1\r\nHost: other\r\n\r\n");
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_EQ(r.reqs[0].host, "real.example:8080");
  EXPECT_EQ(r.reqs[0].uri_norm, "/y");
}

TEST(HttpRequestParser, LeadingEmptyLinesAreSkipped) {
  const Outcome r = run("\r\n\r\nGET / HTTP/1.0\r\n\r\n");
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_EQ(r.reqs[0].anomalies, 0u);
  EXPECT_EQ(r.reqs[0].version_minor, 0);
}

TEST(HttpRequestParser, PipelinedRequestsInOrder) {
  std::string s = std::string(kGet) + std::string(kChunked) + "HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n";
  const Outcome r = run(s);
  ASSERT_EQ(r.reqs.size(), 3u);
  EXPECT_EQ(r.reqs[0].method, "GET");
  EXPECT_EQ(r.reqs[1].method, "POST");
  EXPECT_EQ(r.reqs[2].method, "HEAD");
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(r.reqs[i].index, i);
}

// The pipelined pair of the issue: a Content-Length POST, then a chunked
// POST with an extension, a trailer and a folded header. Every single split
// position, and byte-at-a-time feeding, must give the same two requests.
constexpr std::string_view kPair =
    "POST /a%2fb?x=1 HTTP/1.1\r\nHost: h1\r\nX-F: a\r\n b\r\nContent-Length: 5\r\n\r\nhello"
    "POST /c/../d HTTP/1.1\r\nHost: h2\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n";

TEST(HttpRequestParser, EverySplitOfPipelinedPair) {
  const Outcome whole = run(kPair);
  ASSERT_EQ(whole.reqs.size(), 2u);
  EXPECT_EQ(whole.reqs[0].body, "hello");
  EXPECT_EQ(whole.reqs[0].uri_norm, "/a/b?x=1");
  EXPECT_EQ(whole.reqs[0].headers[1].second, "a b");
  EXPECT_EQ(whole.reqs[1].body, "abcde");
  EXPECT_EQ(whole.reqs[1].uri_norm, "/d");
  for (size_t cut = 0; cut <= kPair.size(); ++cut) {
    const Outcome r = run(kPair, {cut});
    ASSERT_EQ(r.reqs, whole.reqs) << "split at " << cut;
  }
  EXPECT_EQ(run_bytewise(kPair).reqs, whole.reqs);
}

TEST(HttpRequestParser, EveryTwoWaySplitOfChunkedRequest) {
  const Outcome whole = run(kChunked);
  for (size_t a = 0; a <= kChunked.size(); ++a)
    for (size_t b = a; b <= kChunked.size(); ++b) ASSERT_EQ(run(kChunked, {a, b}).reqs, whole.reqs) << a << "," << b;
}

struct AnomalyCase {
  const char* name;
  std::string_view stream;
  uint32_t expect;     // bits that must be set on the first request
  bool lost;           // parser stops after it
  size_t requests;     // requests delivered
};

const AnomalyCase kAnomalies[] = {
    {"cl_and_te", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     kClAndTe, false, 1},
    {"duplicate_cl_same", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", kDuplicateCl,
     false, 1},
    {"cl_list_same", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\nx", kDuplicateCl, false, 1},
    {"conflicting_cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
     kConflictingCl, true, 1},
    {"negative_cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", kNegativeCl | kInvalidCl, true, 1},
    {"non_numeric_cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n", kInvalidCl, true, 1},
    {"empty_cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", kInvalidCl, true, 1},
    {"huge_cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", kInvalidCl, true, 1},
    {"header_no_colon", "GET / HTTP/1.1\r\nHost: h\r\nNoColonHere\r\n\r\n", kHeaderNoColon, false, 1},
    {"nul_in_header", std::string_view("GET / HTTP/1.1\r\nHost: h\0x\r\n\r\n", 29), kNulByte, false, 1},
    {"nul_in_request_line", std::string_view("GET /a\0 HTTP/1.1\r\nHost: h\r\n\r\n", 29), kNulByte, false, 1},
    {"invalid_chunk_size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", kInvalidChunk, true,
     1},
    {"chunk_size_too_long",
     "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", kInvalidChunk, true, 1},
    {"chunk_missing_crlf", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
     kInvalidChunk, true, 1},
    {"http09", "GET /old\r\n", kHttp09, false, 1},
    {"bad_version_2", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", kBadVersion, false, 1},
    {"bad_version_lower", "GET / http/1.1\r\nHost: h\r\n\r\n", kBadVersion, false, 1},
    {"bad_version_garbage", "GET / HTTP/1.1x\r\nHost: h\r\n\r\n", kBadVersion, false, 1},
    {"invalid_request_line", "\x16\x03\x01\x02\x05\r\n", kInvalidRequestLine, true, 1},
    {"method_not_token", "GE(T / HTTP/1.1\r\n\r\n", kInvalidRequestLine, true, 1},
    {"request_line_tab", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", kRequestLineWhitespace, false, 1},
    {"request_line_double_space", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", kRequestLineWhitespace, false, 1},
    {"space_in_uri", "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", kRequestLineWhitespace, false, 1},
    {"obs_fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", kObsFold, false, 1},
    {"fold_before_first_header", "GET / HTTP/1.1\r\n Host: h\r\nHost: h\r\n\r\n", kObsFold, false, 1},
    {"space_before_colon", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 1\r\n\r\nx", kInvalidHeaderName, false,
     1},
    {"bad_te", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", kBadTransferEncoding, true, 1},
    {"te_chunked_not_last", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
     kBadTransferEncoding, true, 1},
    {"te_chunked_twice",
     "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
     kBadTransferEncoding, true, 1},
    {"duplicate_host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", kDuplicateHost, false, 1},
    {"missing_host", "GET / HTTP/1.1\r\n\r\n", kMissingHost, false, 1},
    {"uri_anomaly", "GET /%252e%252e/x HTTP/1.1\r\nHost: h\r\n\r\n", kUriAnomaly, false, 1},
    {"bare_lf", "GET / HTTP/1.1\nHost: h\n\n", kBareLf, false, 1},
};

class HttpAnomalies : public ::testing::TestWithParam<AnomalyCase> {};

TEST_P(HttpAnomalies, Flagged) {
  const AnomalyCase& c = GetParam();
  const Outcome r = run(c.stream);
  ASSERT_EQ(r.reqs.size(), c.requests) << c.name;
  EXPECT_EQ(r.reqs[0].anomalies & c.expect, c.expect) << c.name << " got " << std::hex << r.reqs[0].anomalies;
  EXPECT_EQ(r.stream_anomalies & c.expect, c.expect);
  EXPECT_EQ(r.lost, c.lost) << c.name;
  // Same result when fed one byte at a time.
  EXPECT_EQ(run_bytewise(c.stream).reqs, r.reqs) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Table, HttpAnomalies, ::testing::ValuesIn(kAnomalies),
                         [](const ::testing::TestParamInfo<AnomalyCase>& i) { return std::string(i.param.name); });

TEST(HttpRequestParser, TeWinsOverClForFraming) {
  // The smuggling shape: a CL-only parser would see "0\r\n\r\nGET /smuggled" as body.
  const Outcome r = run("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(r.reqs.size(), 2u);
  EXPECT_EQ(r.reqs[1].uri_raw, "/smuggled");
}

TEST(HttpRequestParser, LongTransferEncodingKeepsItsLastCoding) {
  std::string codings;
  for (int i = 0; i < 30; ++i) codings += "gzip, ";
  // A plain long value, and the fuzzer's crash shape: a fold that exactly
  // fills the framing buffer after a short first line.
  for (const std::string& te : {codings + "chunked", "c\r\n " + std::string(120, 'x') + ", chunked"}) {
    const Outcome r = run("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + te + "\r\n\r\n1\r\nz\r\n0\r\n\r\n");
    ASSERT_EQ(r.reqs.size(), 1u) << te;
    EXPECT_TRUE(r.reqs[0].chunked) << te;
    EXPECT_EQ(r.reqs[0].body, "z");
  }
}

TEST(HttpRequestParser, OverlongRequestLineKeepsParsing) {
  HttpParserConfig cfg;
  cfg.max_request_line = 64;
  const std::string s = "GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n";
  const Outcome r = run(s, {}, false, cfg);
  ASSERT_EQ(r.reqs.size(), 2u);
  EXPECT_TRUE(r.reqs[0].anomalies & kOverlongLine);
  EXPECT_EQ(r.reqs[0].uri_raw.size(), 60u);
  EXPECT_EQ(r.reqs[0].host, "h");
  EXPECT_EQ(r.reqs[1].uri_raw, "/next");
  EXPECT_EQ(r.reqs[1].anomalies, 0u);
}

TEST(HttpRequestParser, OverlongHeaderLineIsCutAndFlagged) {
  HttpParserConfig cfg;
  cfg.max_header_line = 32;
  const std::string s = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(100, 'b') + "\r\n\r\n";
  const Outcome r = run(s, {}, false, cfg);
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_TRUE(r.reqs[0].anomalies & kOverlongLine);
  EXPECT_EQ(r.reqs[0].headers[1].second, std::string(25, 'b'));
}

TEST(HttpRequestParser, TooManyHeadersStillFramesBody) {
  HttpParserConfig cfg;
  cfg.max_headers = 3;
  const Outcome r = run("POST / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 3\r\n\r\nabcGET /2 HTTP/1.1\r\nHost: h\r\n\r\n",
                    {}, false, cfg);
  ASSERT_EQ(r.reqs.size(), 2u);
  EXPECT_TRUE(r.reqs[0].anomalies & kTooManyHeaders);
  EXPECT_EQ(r.reqs[0].headers.size(), 3u);
  EXPECT_EQ(r.reqs[0].body, "abc");
  EXPECT_EQ(r.reqs[1].uri_raw, "/2");
}

TEST(HttpRequestParser, FullHeaderStoreStillFramesBody) {
  HttpParserConfig cfg;
  cfg.header_store = 64;
  const Outcome r = run("POST /p HTTP/1.1\r\nHost: h\r\nX-Pad: " + std::string(60, 'p') +
                        "\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                    {}, false, cfg);
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_TRUE(r.reqs[0].anomalies & kHeaderStoreFull);
  EXPECT_TRUE(r.reqs[0].chunked);
  EXPECT_EQ(r.reqs[0].body, "ok");
  EXPECT_EQ(r.reqs[0].host, "h");
}

TEST(HttpRequestParser, BodyTruncatedAndDeliveredEarly) {
  HttpParserConfig cfg;
  cfg.max_body = 4;
  Collector c;
  HttpRequestParser p(cfg, &Collector::sink, &c);
  const std::string_view head = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";
  p.feed(bytes(head), head.size());
  p.feed(bytes("abcd"), 4);
  EXPECT_TRUE(c.reqs.empty());  // exactly max_body: not yet known to be truncated
  p.feed(bytes("e"), 1);
  ASSERT_EQ(c.reqs.size(), 1u);  // delivered before the body ends
  EXPECT_EQ(c.reqs[0].body, "abcd");
  EXPECT_TRUE(c.reqs[0].body_truncated);
  const std::string_view rest = "fghijGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
  p.feed(bytes(rest), rest.size());
  ASSERT_EQ(c.reqs.size(), 2u);
  EXPECT_EQ(c.reqs[1].uri_raw, "/2");
  EXPECT_FALSE(c.reqs[1].body_truncated);
}

// A request that announces a body goes to the headers sink as soon as its
// headers end (body empty, headers_only), whatever the body then does; a
// request without a body only to the request sink. Both keep the same index.
TEST(HttpRequestParser, HeadersSinkBeforeTheBody) {
  struct Both {
    Collector heads, full;
    static void head(void* ctx, const HttpRequest& r) {
      EXPECT_TRUE(r.headers_only);
      EXPECT_TRUE(r.body.empty());
      Collector::sink(&static_cast<Both*>(ctx)->heads, r);
    }
    static void whole(void* ctx, const HttpRequest& r) {
      EXPECT_FALSE(r.headers_only);
      Collector::sink(&static_cast<Both*>(ctx)->full, r);
    }
  } b;
  HttpParserConfig cfg;
  HttpRequestParser p(cfg, &Both::whole, &b);
  p.set_headers_sink(&Both::head);
  const std::string_view get = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  p.feed(bytes(get), get.size());
  EXPECT_EQ(b.heads.reqs.size(), 0u) << "no body: nothing to wait for";
  ASSERT_EQ(b.full.reqs.size(), 1u);
  // Chunked body that never ends.
  const std::string_view chunked =
      "POST /b?x=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
  p.feed(bytes(chunked), chunked.size());
  ASSERT_EQ(b.heads.reqs.size(), 1u);
  EXPECT_EQ(b.heads.reqs[0].uri_raw, "/b?x=1");
  EXPECT_EQ(b.heads.reqs[0].index, 1u);
  EXPECT_TRUE(b.heads.reqs[0].chunked);
  EXPECT_EQ(b.full.reqs.size(), 1u) << "the body has not ended";
  p.feed(bytes("0\r\n\r\n"), 5);
  ASSERT_EQ(b.full.reqs.size(), 2u);
  EXPECT_EQ(b.full.reqs[1].body, "hello");
  EXPECT_EQ(b.full.reqs[1].index, 1u);
  // Content-Length body split from its headers.
  const std::string_view head = "PUT /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
  p.feed(bytes(head), head.size());
  ASSERT_EQ(b.heads.reqs.size(), 2u);
  EXPECT_EQ(b.heads.reqs[1].uri_raw, "/c");
  p.feed(bytes("xyz"), 3);
  ASSERT_EQ(b.full.reqs.size(), 3u);
  EXPECT_EQ(b.full.reqs[2].body, "xyz");
}

TEST(HttpRequestParser, ConnectThenTlsIsTunnel) {
  const Outcome r = run("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01\x00\xa5\x01\x00");
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_EQ(r.reqs[0].uri_norm, "example.com:443");
  EXPECT_TRUE(r.tunnel);
}

// docker attach / WebSocket: after an Upgrade request the stream may be
// another protocol (the raw terminal session here), which must not be
// parsed as HTTP; if the client goes on with HTTP (the server did not
// switch), parsing goes on.
TEST(HttpRequestParser, UpgradeThenOtherProtocolIsTunnel) {
  const Outcome r = run(
      "POST /containers/x/attach?stream=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
      "Content-Length: 0\r\n\r\nls -a\ncat .ash_history\n");
  ASSERT_EQ(r.reqs.size(), 1u);
  EXPECT_TRUE(r.tunnel);
  EXPECT_EQ(r.reqs[0].anomalies, 0u);
}

TEST(HttpRequestParser, UpgradeThenHttpKeepsParsing) {
  const Outcome r = run("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                        "GET /next?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(r.reqs.size(), 2u);
  EXPECT_EQ(r.reqs[1].uri_raw, "/next?x=1");
  EXPECT_FALSE(r.tunnel);
}

TEST(HttpRequestParser, ConnectThenHttpKeepsParsing) {
  const std::string_view s = "CONNECT a:80 HTTP/1.1\r\nHost: a\r\n\r\nGET /inner HTTP/1.1\r\nHost: a\r\n\r\n";
  const Outcome r = run(s);
  ASSERT_EQ(r.reqs.size(), 2u);
  EXPECT_EQ(r.reqs[1].uri_raw, "/inner");
  EXPECT_FALSE(r.tunnel);
  EXPECT_EQ(run_bytewise(s).reqs, r.reqs);
}

TEST(HttpRequestParser, LostParserIgnoresTheRest) {
  Collector c;
  HttpRequestParser p(HttpParserConfig{}, &Collector::sink, &c);
  const std::string_view s = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\nGET / HTTP/1.1\r\n\r\n";
  p.feed(bytes(s), s.size());
  EXPECT_TRUE(p.lost());
  EXPECT_EQ(c.reqs.size(), 1u);
  EXPECT_EQ(p.bytes_ignored(), 18u);
  p.reset();
  EXPECT_FALSE(p.lost());
  p.feed(bytes(kGet), kGet.size());
  EXPECT_EQ(c.reqs.size(), 2u);
  EXPECT_EQ(c.reqs[1].index, 0u);
}

TEST(HttpRequestParser, EndOfStreamDeliversIncomplete) {
  {
    const Outcome r = run("GET /partial HTTP/1.1\r\nHost: h\r\nUser-Agent: x", {}, true);
    ASSERT_EQ(r.reqs.size(), 1u);
    EXPECT_TRUE(r.reqs[0].anomalies & kIncomplete);
    EXPECT_EQ(r.reqs[0].user_agent, "x");
  }
  {
    const Outcome r = run("GET /no-newline HTTP/1.1", {}, true);
    ASSERT_EQ(r.reqs.size(), 1u);
    EXPECT_EQ(r.reqs[0].uri_raw, "/no-newline");
    EXPECT_TRUE(r.reqs[0].anomalies & kIncomplete);
  }
  {
    const Outcome r = run("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc", {}, true);
    ASSERT_EQ(r.reqs.size(), 1u);
    EXPECT_EQ(r.reqs[0].body, "abc");
    EXPECT_TRUE(r.reqs[0].anomalies & kIncomplete);
  }
  {
    const Outcome r = run(kGet, {}, true);  // complete: nothing more
    ASSERT_EQ(r.reqs.size(), 1u);
    EXPECT_EQ(r.reqs[0].anomalies, 0u);
  }
}

TEST(HttpRequestParser, MemoryIsBoundedAndStated) {
  const HttpParserConfig cfg;
  const size_t expect = sizeof(HttpRequestParser) + cfg.header_store + HttpRequestParser::kSpillBytes +
                        cfg.max_body + cfg.max_headers * sizeof(HttpHeader);
  EXPECT_EQ(HttpRequestParser::memory_bytes(cfg), expect);
  EXPECT_LE(HttpRequestParser::memory_bytes(cfg), 25u * 1024);
  std::printf("memory per parser (defaults): %zu bytes (object %zu)\n", HttpRequestParser::memory_bytes(cfg),
              sizeof(HttpRequestParser));
}

TEST(HttpRequestParser, AnomalyNames) {
  for (uint32_t bit = 1; bit <= kBareLf; bit <<= 1) EXPECT_STRNE(http_anomaly_name(bit), "unknown") << bit;
}

struct ProbeCase {
  std::string_view data;
  HttpProbe expect;
};

TEST(HttpProbe, Table) {
  const ProbeCase cases[] = {
      {"GET / HTTP/1.1\r\n", HttpProbe::kYes},
      {"POST /x", HttpProbe::kYes},
      {"OPTIONS * HTTP/1.1", HttpProbe::kYes},
      {"GET http://a/ HTTP/1.1", HttpProbe::kYes},
      {"CONNECT a.b:443 HTTP/1.1", HttpProbe::kYes},
      {"PROPFIND /dav", HttpProbe::kYes},
      {"", HttpProbe::kNeedMore},
      {"G", HttpProbe::kNeedMore},
      {"GET", HttpProbe::kNeedMore},
      {"GET ", HttpProbe::kNeedMore},
      {"get / HTTP/1.1", HttpProbe::kNo},
      {"GET x", HttpProbe::kNo},
      {"GETX /", HttpProbe::kNo},
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HttpProbe::kNo},
      {"\x16\x03\x01\x00", HttpProbe::kNo},
      {"SSH-2.0-OpenSSH", HttpProbe::kNo},
  };
  for (const ProbeCase& c : cases) {
    EXPECT_EQ(probe_http_request(bytes(c.data), c.data.size()), c.expect) << c.data;
    EXPECT_EQ(looks_like_http_request(bytes(c.data), c.data.size()), c.expect == HttpProbe::kYes);
  }
}

}  // namespace
}  // namespace rampart::dp
