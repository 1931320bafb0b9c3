#include "controlplane/compiler/signature_parser.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace rampart::cp {
namespace {

SignatureSet parse(const std::string& text) {
  SignatureSet s;
  parse_signatures(text, "t.rules", SignatureVars::defaults(), s);
  return s;
}

std::string only_problem(const SignatureSet& s) {
  if (s.errors.size() + s.unsupported.size() != 1) return "expected exactly one problem";
  return s.errors.empty() ? s.unsupported[0] : s.errors[0];
}

TEST(SignatureParser, FullHttpRule) {
  auto s = parse(
      R"(alert http $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:"SQLi \"union\" select"; flow:established,to_server; )"
      R"(http.method; content:"GET"; http.uri; content:"union|20|select"; nocase; fast_pattern; content:!"safe"; )"
      R"(distance:0; within:20; pcre:"/union\s+select/Ui"; classtype:web-application-attack; priority:1; )"
      R"(reference:url,example.org; metadata:created_at 2026_11_26; sid:9000001; rev:3;))");
  ASSERT_EQ(s.signatures.size(), 1u) << only_problem(s);
  const Signature& g = s.signatures[0];
  EXPECT_EQ(g.action, SigAction::kAlert);
  EXPECT_EQ(g.proto, SigProto::kHttp);
  EXPECT_EQ(g.msg, "SQLi \"union\" select");
  EXPECT_TRUE(g.flow_established);
  EXPECT_TRUE(g.flow_to_server);
  EXPECT_EQ(g.sid, 9000001u);
  EXPECT_EQ(g.rev, 3u);
  EXPECT_EQ(g.priority, 1);
  EXPECT_EQ(g.classtype, "web-application-attack");
  ASSERT_EQ(g.contents.size(), 3u);
  EXPECT_EQ(g.contents[0].buffer, SigBuffer::kHttpMethod);
  EXPECT_EQ(g.contents[1].buffer, SigBuffer::kHttpUri);
  EXPECT_EQ(g.contents[1].bytes, "union select");
  EXPECT_TRUE(g.contents[1].nocase);
  EXPECT_TRUE(g.contents[1].fast_pattern);
  EXPECT_TRUE(g.contents[2].negated);
  EXPECT_EQ(g.contents[2].distance, 0);
  EXPECT_EQ(g.contents[2].within, 20);
  ASSERT_EQ(g.pcres.size(), 1u);
  EXPECT_EQ(g.pcres[0].buffer, SigBuffer::kHttpUri);
  EXPECT_TRUE(g.pcres[0].caseless);
  EXPECT_EQ(g.pcres[0].pattern, "union\\s+select");
  EXPECT_FALSE(g.dst_ports.any);
  EXPECT_EQ(g.source, "t.rules:1");
}

TEST(SignatureParser, LegacyModifiersApplyToThePreviousContent) {
  auto s = parse(R"(alert tcp any any -> any 80 (msg:"x"; content:"/etc/passwd"; http_uri; content:"curl"; )"
                 R"(http_user_agent; depth:10; offset:0; sid:1;))");
  ASSERT_EQ(s.signatures.size(), 1u) << only_problem(s);
  EXPECT_EQ(s.signatures[0].contents[0].buffer, SigBuffer::kHttpUri);
  EXPECT_EQ(s.signatures[0].contents[1].buffer, SigBuffer::kHttpUserAgent);
  EXPECT_EQ(s.signatures[0].contents[1].depth, 10);
}

TEST(SignatureParser, AddressesPortsListsRangesNegation) {
  auto s = parse(R"(drop tcp [198.18.0.0/15,!198.18.1.1] [1024:,!2000] <> ![2001:db8::/32] :1023 )"
                 R"((msg:"x"; content:"a"; sid:2;))");
  ASSERT_EQ(s.signatures.size(), 1u) << only_problem(s);
  const Signature& g = s.signatures[0];
  EXPECT_EQ(g.action, SigAction::kDrop);
  EXPECT_TRUE(g.bidirectional);
  ASSERT_EQ(g.src.items.size(), 2u);
  EXPECT_TRUE(g.src.items[1].first);
  ASSERT_EQ(g.src_ports.items.size(), 2u);
  EXPECT_EQ(g.src_ports.items[0].lo, 1024);
  EXPECT_EQ(g.src_ports.items[0].hi, 65535);
  EXPECT_TRUE(g.src_ports.items[1].negated);
  EXPECT_TRUE(g.dst.items[0].first);
  EXPECT_EQ(g.dst_ports.items[0].hi, 1023);
}

TEST(SignatureParser, HexEscapesAndContinuationLines) {
  auto s = parse("alert tcp any any -> any any (msg:\"x\"; \\\n content:\"a|3b 3A|\\;b\"; sid:3;)\n");
  ASSERT_EQ(s.signatures.size(), 1u) << only_problem(s);
  EXPECT_EQ(s.signatures[0].contents[0].bytes, "a;:;b");
}

struct BadCase {
  const char* rule;
  const char* message;  // substring of the reported problem
  bool unsupported;
};

class SignatureProblems : public ::testing::TestWithParam<BadCase> {};

TEST_P(SignatureProblems, ReportedOnceWithFileLineAndReason) {
  const BadCase& c = GetParam();
  auto s = parse(std::string("# a comment\n\n") + c.rule + "\n");
  EXPECT_TRUE(s.signatures.empty());
  const std::string p = only_problem(s);
  EXPECT_EQ(p.rfind("t.rules:3: ", 0), 0u) << p;
  EXPECT_NE(p.find(c.message), std::string::npos) << p;
  EXPECT_EQ(s.unsupported.size(), c.unsupported ? 1u : 0u) << p;
}

const BadCase kBad[] = {
    {R"(alert tcp any any -> any any (msg:"x"; content:"a";))", "no sid", false},
    {R"(bogus tcp any any -> any any (content:"a"; sid:1;))", "unknown action 'bogus'", false},
    {R"(alert tcp any any any (content:"a"; sid:1;))", "the header has 5 fields", false},
    {R"(alert tcp any any => any any (content:"a"; sid:1;))", "direction must be", false},
    {R"(alert tcp $NOPE any -> any any (content:"a"; sid:1;))", "unknown address variable '$NOPE'", false},
    {R"(alert tcp any 70000 -> any any (content:"a"; sid:1;))", "port '70000' is out of range 0-65535", false},
    {R"(alert tcp 198.18.0.300 any -> any any (content:"a"; sid:1;))",
     "bad address: '198.18.0.300' is not an IPv4 address", false},
    {R"(alert tcp any any -> any any (content:"a|4|"; sid:1;))", "odd-length", false},
    {R"(alert http any any -> any any (content:"/admin"; http.uri; sid:1;))",
     "sticky buffer 'http.uri' is followed by no content or pcre", false},
    {R"(alert tcp any any -> any any (content:"abc"; depth:2; sid:1;))", "shorter than its content", false},
    {R"(alert tcp any any -> any any (content:"a"; offset:1; distance:2; sid:1;))", "mixes relative", false},
    {R"(alert tcp any any -> any any (nocase; content:"a"; sid:1;))", "'nocase' without a preceding content", false},
    {R"(alert tcp any any -> any any (content:"a"; sid:1))", "not ';'-terminated", false},
    {R"(alert tcp any any -> any any (msg:"unterminated; content:"a"; sid:1;))", "quote is unbalanced", false},
    {R"(alert tcp any any -> any any (pcre:"abc"; sid:1;))", "pcre must be", false},
    {R"(alert tcp any any -> any any (flow:sideways; content:"a"; sid:1;))", "unknown flow keyword", false},
    {R"(alert smtp any any -> any any (content:"a"; sid:1;))", "protocol 'smtp' is not supported", true},
    {R"(alert tcp any any -> any any (content:"a"; flowbits:set,x; sid:1;))", "option 'flowbits'", true},
    {R"(alert tcp any any -> any any (pcre:"/a/Q"; sid:1;))", "pcre flag 'Q'", true},
    {R"(alert tcp any any -> any any (msg:"only header"; sid:1;))", "no content or pcre", true},
};

INSTANTIATE_TEST_SUITE_P(Rules, SignatureProblems, ::testing::ValuesIn(kBad));

TEST(SignatureParser, DuplicateSidIsAnError) {
  auto s = parse("alert tcp any any -> any any (content:\"a\"; sid:7;)\n"
                 "alert tcp any any -> any any (content:\"b\"; sid:7;)\n");
  EXPECT_EQ(s.signatures.size(), 1u);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_NE(s.errors[0].find("t.rules:2: error: duplicate sid 7 (first at t.rules:1)"), std::string::npos);
}

TEST(SignatureParser, EtOpenLoadsOrReportsEveryRule) {
  // The public ET Open set (../shared/data/et-open): every rule is loaded
  // or reported, none is an error in our parser, and the counts add up.
  SignatureSet s;
  const std::string dir = std::string(RAMPART_SOURCE_ROOT) + "/../shared/data/et-open";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " not present";
  ASSERT_TRUE(load_signatures(dir, SignatureVars::defaults(), s));
  EXPECT_EQ(s.signatures.size() + s.unsupported.size() + s.errors.size(), s.rule_lines);
  EXPECT_GT(s.signatures.size(), s.rule_lines * 3 / 4);
  EXPECT_TRUE(s.errors.empty()) << s.errors[0];
}

}  // namespace
}  // namespace rampart::cp
