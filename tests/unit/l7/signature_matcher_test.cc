// Verification semantics of the signature matcher: each test names one
// content or pcre modifier and shows a buffer that matches and one that
// does not.

#include "dataplane/l7/match/signature_matcher.h"

#include <gtest/gtest.h>

#include "controlplane/compiler/signature_parser.h"

namespace rampart::dp {
namespace {

using cp::SigBuffer;

class MatcherTest : public ::testing::Test {
 protected:
  void load(const std::string& options) {
    cp::SignatureSet set;
    cp::parse_signatures("alert http any any -> any any (msg:\"t\"; " + options + " sid:1;)\n", "t.rules",
                         cp::SignatureVars::defaults(), set);
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
    return matcher_->match(buf, *scratch_, out, 4) == 1;
  }
  std::unique_ptr<SignatureMatcher> matcher_;
  std::unique_ptr<SignatureMatcher::Scratch> scratch_;
};

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

}  // namespace
}  // namespace rampart::dp
