// Verification semantics of the signature matcher: each test names one
// content or pcre modifier and shows a buffer that matches and one that
// does not.

#include "dataplane/l7/match/signature_matcher.h"

#include <gtest/gtest.h>

#include "controlplane/compiler/signature_compiler.h"
#include "controlplane/compiler/signature_parser.h"

namespace rampart::dp {
namespace {

using policy::SigBuffer;

// A client 198.18.0.1:40000 talking HTTP to 198.18.0.2:80.
MatchFlow http_flow() {
  static const uint8_t client[16] = {198, 18, 0, 1};
  static const uint8_t server[16] = {198, 18, 0, 2};
  MatchFlow f;
  f.client = client;
  f.server = server;
  f.client_port = 40000;
  f.server_port = 80;
  f.app = AppLayer::kHttp;
  return f;
}

class MatcherTest : public ::testing::Test {
 protected:
  void load(const std::string& options) { load_rule("alert http any any -> any any (msg:\"t\"; " + options + " sid:1;)"); }
  void load_rule(const std::string& rule) {
    cp::SignatureSet set;
    cp::parse_signatures(rule + "\n", "t.rules", cp::SignatureVars::defaults(), set);
    ASSERT_TRUE(set.errors.empty() && set.unsupported.empty())
        << (set.errors.empty() ? set.unsupported[0] : set.errors[0]);
    auto compiled = cp::compile_signatures(std::move(set.signatures), {});
    ASSERT_TRUE(compiled.ok());
    ASSERT_TRUE(compiled->unsupported.empty());
    auto m = SignatureMatcher::build(std::move(*compiled));
    ASSERT_TRUE(m.ok()) << m.error().message;
    matcher_ = std::move(*m);
    auto s = matcher_->make_scratch();
    ASSERT_TRUE(s.ok());
    scratch_ = std::move(*s);
  }
  bool hits(SigBuffer b, std::string_view data) {
    InspectionBuffers buf;
    buf[b] = data;
    uint32_t out[4];
    return matcher_->match(buf, http_flow(), *scratch_, out, 4) == 1;
  }
  bool hits_flow(SigBuffer b, std::string_view data, const MatchFlow& f) {
    InspectionBuffers buf;
    buf[b] = data;
    uint32_t out[4];
    return matcher_->match(buf, f, *scratch_, out, 4) == 1;
  }
  // Feeds the chunks as one TCP stream, verifying over everything seen so
  // far (the window is the whole stream here); true if any chunk matched.
  bool stream_hits(const std::vector<std::string>& chunks, const MatchFlow& f) {
    auto st = matcher_->open_stream();
    EXPECT_TRUE(st.ok());
    std::string seen;
    PendingCandidates pending;
    bool hit = false;
    for (const auto& c : chunks) {
      seen += c;
      if (matcher_->scan_stream(*st, reinterpret_cast<const uint8_t*>(c.data()), static_cast<uint32_t>(c.size()),
                                *scratch_) == 0 &&
          pending.n == 0) {
        continue;
      }
      InspectionBuffers buf;
      buf[SigBuffer::kStream] = seen;
      uint32_t out[4];
      hit = hit || matcher_->verify_stream(buf, f, pending, *scratch_, out, 4) > 0;
    }
    SignatureMatcher::close_stream(*st);
    return hit;
  }
  std::unique_ptr<SignatureMatcher> matcher_;
  std::unique_ptr<SignatureMatcher::Scratch> scratch_;
};

MatchFlow tcp_flow(uint16_t server_port, AppLayer app = AppLayer::kNone) {
  MatchFlow f = http_flow();
  f.server_port = server_port;
  f.app = app;
  return f;
}

TEST_F(MatcherTest, NocaseAndCase) {
  load("http.uri; content:\"select\"; nocase;");
  EXPECT_TRUE(hits(SigBuffer::kHttpUri, "/?q=SeLeCt"));
  load("http.uri; content:\"select\";");
  EXPECT_FALSE(hits(SigBuffer::kHttpUri, "/?q=SELECT"));
}

TEST_F(MatcherTest, OffsetAndDepth) {
  load("http.uri; content:\"admin\"; offset:1; depth:5;");
  EXPECT_TRUE(hits(SigBuffer::kHttpUri, "/admin/x"));
  EXPECT_FALSE(hits(SigBuffer::kHttpUri, "/x/admin"));
}

TEST_F(MatcherTest, DistanceWithinBacktracks) {
  // The first "a=" is too far from "b"; the second one is close enough.
  load("http.uri; content:\"a=\"; content:\"b\"; distance:0; within:3;");
  EXPECT_TRUE(hits(SigBuffer::kHttpUri, "a=xxxxxxxx&a=xb"));
  EXPECT_FALSE(hits(SigBuffer::kHttpUri, "a=xxxxxb"));
}

TEST_F(MatcherTest, NegatedContent) {
  load("http.uri; content:\"/admin\"; content:!\"token=\";");
  EXPECT_TRUE(hits(SigBuffer::kHttpUri, "/admin/x"));
  EXPECT_FALSE(hits(SigBuffer::kHttpUri, "/admin/x?token=1"));
}

TEST_F(MatcherTest, StartsAndEndsWith) {
  load("http.method; content:\"GE\"; startswith; content:\"T\"; endswith;");
  EXPECT_TRUE(hits(SigBuffer::kHttpMethod, "GET"));
  EXPECT_FALSE(hits(SigBuffer::kHttpMethod, "XGET"));
  EXPECT_FALSE(hits(SigBuffer::kHttpMethod, "GETX"));
}

TEST_F(MatcherTest, PcreVerifiesBeyondTheFastPattern) {
  load("http.uri; content:\"union\"; nocase; pcre:\"/union\\s+(all\\s+)?select/i\";");
  EXPECT_TRUE(hits(SigBuffer::kHttpUri, "/?id=1 UNION ALL  SELECT 2"));
  EXPECT_FALSE(hits(SigBuffer::kHttpUri, "/?q=union station selection"));
}

TEST_F(MatcherTest, RelativePcreStartsAfterTheContent) {
  // R: the regex starts where "google" ended; ^ anchors there.
  load("http.host; content:\"google\"; pcre:\"/^\\.[a-z]{2,3}$/R\";");
  EXPECT_TRUE(hits(SigBuffer::kHttpHost, "google.com"));
  EXPECT_FALSE(hits(SigBuffer::kHttpHost, "google.company"));
  EXPECT_FALSE(hits(SigBuffer::kHttpHost, "x.google-y.com"));
}

TEST_F(MatcherTest, PcreOnlySignatureUsesPrefilter) {
  // A back reference: Hyperscan prefilters, PCRE2 decides.
  load("http.uri; pcre:\"/(a+)b\\1/\";");
  EXPECT_TRUE(hits(SigBuffer::kHttpUri, "xaabaa"));
  EXPECT_FALSE(hits(SigBuffer::kHttpUri, "xaab-a"));
}

TEST_F(MatcherTest, BuffersAreSeparate) {
  load("http.user_agent; content:\"sqlmap\"; nocase;");
  EXPECT_TRUE(hits(SigBuffer::kHttpUserAgent, "sqlmap/1.7"));
  EXPECT_FALSE(hits(SigBuffer::kHttpUri, "/sqlmap"));
}

TEST_F(MatcherTest, HeaderPortsAreHonoured) {
  load_rule("alert http any any -> any [80,8000:8100,!8080] (msg:\"t\"; http.uri; content:\"/x\"; sid:1;)");
  EXPECT_TRUE(hits_flow(SigBuffer::kHttpUri, "/x", tcp_flow(80, AppLayer::kHttp)));
  EXPECT_TRUE(hits_flow(SigBuffer::kHttpUri, "/x", tcp_flow(8001, AppLayer::kHttp)));
  EXPECT_FALSE(hits_flow(SigBuffer::kHttpUri, "/x", tcp_flow(8080, AppLayer::kHttp))) << "negated port";
  EXPECT_FALSE(hits_flow(SigBuffer::kHttpUri, "/x", tcp_flow(443, AppLayer::kHttp)));
}

TEST_F(MatcherTest, HeaderAddressesAndDirection) {
  load_rule("alert http 198.18.0.0/24 any -> [198.18.0.2,!198.18.0.3] any (msg:\"t\"; http.uri; content:\"/x\"; sid:1;)");
  MatchFlow f = http_flow();
  EXPECT_TRUE(hits_flow(SigBuffer::kHttpUri, "/x", f));
  const uint8_t other[16] = {198, 18, 1, 1};
  f.client = other;
  EXPECT_FALSE(hits_flow(SigBuffer::kHttpUri, "/x", f)) << "client outside 198.18.0.0/24";
  // Reversed roles: only a bidirectional rule matches.
  MatchFlow r = http_flow();
  std::swap(r.client, r.server);
  std::swap(r.client_port, r.server_port);
  EXPECT_FALSE(hits_flow(SigBuffer::kHttpUri, "/x", r));
  load_rule("alert http 198.18.0.0/24 any <> 198.18.0.2 any (msg:\"t\"; http.uri; content:\"/x\"; sid:1;)");
  EXPECT_TRUE(hits_flow(SigBuffer::kHttpUri, "/x", r));
  // IPv6 prefixes apply to IPv6 flows only.
  load_rule("alert http 2001:db8::/32 any -> any any (msg:\"t\"; http.uri; content:\"/x\"; sid:1;)");
  EXPECT_FALSE(hits_flow(SigBuffer::kHttpUri, "/x", http_flow()));
  const uint8_t v6c[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  MatchFlow f6 = http_flow();
  f6.family = 6;
  f6.client = v6c;
  f6.server = v6c;
  EXPECT_TRUE(hits_flow(SigBuffer::kHttpUri, "/x", f6));
}

TEST_F(MatcherTest, FlowDirectionAndSenderAsSource) {
  // A reply rule: the server (port 80) sends, flow:to_client.
  load_rule("alert tcp any 80 -> any any (msg:\"t\"; flow:to_client; content:\"LEAK\"; sid:1;)");
  MatchFlow reply = tcp_flow(80);
  reply.to_server = false;
  EXPECT_TRUE(stream_hits({"a LE", "AK b"}, reply));
  EXPECT_FALSE(stream_hits({"a LEAK b"}, tcp_flow(80))) << "client data: wrong direction";
  load_rule("alert tcp any any -> any any (msg:\"t\"; flow:to_server; content:\"LEAK\"; sid:1;)");
  EXPECT_FALSE(stream_hits({"a LEAK b"}, reply));
  EXPECT_TRUE(stream_hits({"a LEAK b"}, tcp_flow(80)));
}

TEST_F(MatcherTest, HeaderProtocolMustFitTheTraffic) {
  load_rule("alert dns any any -> any any (msg:\"t\"; dns.query; content:\"evil\"; sid:1;)");
  MatchFlow udp = tcp_flow(53, AppLayer::kDns);
  udp.l4_proto = 17;
  EXPECT_TRUE(hits_flow(SigBuffer::kDnsQuery, "evil.example", udp));
  EXPECT_FALSE(hits_flow(SigBuffer::kDnsQuery, "evil.example", tcp_flow(53, AppLayer::kNone)));
  load_rule("alert udp any any -> any any (msg:\"t\"; content:\"PING\"; sid:1;)");
  EXPECT_TRUE(hits_flow(SigBuffer::kStream, "xPINGx", udp));
}

TEST_F(MatcherTest, RawStreamMatchesAcrossSegments) {
  load_rule("alert tcp any any -> any 4444 (msg:\"t\"; content:\"MAGIC-TOKEN\"; content:\"end\"; distance:0; sid:1;)");
  EXPECT_TRUE(stream_hits({"xxMAG", "IC-TO", "KENyy e", "nd"}, tcp_flow(4444)));
  EXPECT_FALSE(stream_hits({"xxMAG", "IC-TO", "KENyy"}, tcp_flow(4444))) << "second content never arrives";
  EXPECT_FALSE(stream_hits({"xxMAG", "IC-TOKEN end"}, tcp_flow(4445))) << "port outside the header";
  EXPECT_FALSE(stream_hits({"xxMAG", "XIC-TOKEN end"}, tcp_flow(4444)));
}

TEST_F(MatcherTest, RawStreamDepthCountsFromTheStreamStart) {
  load_rule("alert tcp any any -> any any (msg:\"t\"; content:\"HDR\"; depth:3; sid:1;)");
  // Verification over a window that starts later in the stream: "HDR" at
  // the window's start is at stream offset 100, beyond depth 3.
  auto st = matcher_->open_stream();
  ASSERT_TRUE(st.ok());
  const std::string pad(100, 'p');
  const std::string data = pad + "HDR";
  ASSERT_GT(matcher_->scan_stream(*st, reinterpret_cast<const uint8_t*>(data.data()), 103, *scratch_), 0u);
  InspectionBuffers buf;
  buf[SigBuffer::kStream] = "HDR";
  buf.stream_base = 100;
  uint32_t out[4];
  EXPECT_EQ(matcher_->verify_candidates(buf, tcp_flow(80), *scratch_, out, 4), 0u);
  buf.stream_base = 0;
  EXPECT_EQ(matcher_->verify_candidates(buf, tcp_flow(80), *scratch_, out, 4), 1u);
}

TEST_F(MatcherTest, RawStreamPendingCandidateExpiresWithTheWindow) {
  load_rule("alert tcp any any -> any any (msg:\"t\"; content:\"MAGIC\"; content:\"end\"; distance:0; sid:1;)");
  auto st = matcher_->open_stream();
  ASSERT_TRUE(st.ok());
  PendingCandidates pending;
  uint32_t out[4];
  auto feed = [&](const std::string& chunk, std::string_view window, uint64_t base) {
    matcher_->scan_stream(*st, reinterpret_cast<const uint8_t*>(chunk.data()), static_cast<uint32_t>(chunk.size()),
                          *scratch_);
    InspectionBuffers buf;
    buf[SigBuffer::kStream] = window;
    buf.stream_base = base;
    return matcher_->verify_stream(buf, tcp_flow(80), pending, *scratch_, out, 4);
  };
  EXPECT_EQ(feed("xMAGIC", "xMAGIC", 0), 0u);
  EXPECT_EQ(pending.n, 1u) << "waits for its second content";
  // The window moved past the fast pattern (stream offset 6): forgotten.
  EXPECT_EQ(feed(std::string(10, 'y') + "end", "yyyyend", 9), 0u);
  EXPECT_EQ(pending.n, 0u);
  SignatureMatcher::close_stream(*st);
}

}  // namespace
}  // namespace rampart::dp
