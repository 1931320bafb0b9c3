#include "controlplane/compiler/signature_compiler.h"

#include <hs/hs.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "controlplane/compiler/signature_parser.h"

namespace rampart::cp {
namespace {

std::vector<Signature> parse(const std::string& text) {
  SignatureSet s;
  parse_signatures(text, "t.rules", SignatureVars::defaults(), s);
  EXPECT_TRUE(s.errors.empty() && s.unsupported.empty());
  return std::move(s.signatures);
}

// Scans `data` with the buffer's database; returns the sids that matched.
std::set<uint32_t> scan(const CompiledSignatures& c, SigBuffer b, const std::string& data) {
  const BufferDatabase& bdb = c.databases[static_cast<std::size_t>(b)];
  std::set<uint32_t> sids;
  if (bdb.serialized.empty()) return sids;
  hs_database_t* db = nullptr;
  EXPECT_EQ(hs_deserialize_database(bdb.serialized.data(), bdb.serialized.size(), &db), HS_SUCCESS);
  hs_scratch_t* scratch = nullptr;
  EXPECT_EQ(hs_alloc_scratch(db, &scratch), HS_SUCCESS);
  struct Ctx {
    const CompiledSignatures* c;
    const BufferDatabase* b;
    std::set<uint32_t>* out;
  } ctx{&c, &bdb, &sids};
  hs_scan(db, data.data(), static_cast<unsigned>(data.size()), 0, scratch,
          [](unsigned id, unsigned long long, unsigned long long, unsigned, void* p) -> int {
            auto* x = static_cast<Ctx*>(p);
            x->out->insert(x->c->signatures[x->b->sig_index[id]].sid);
            return 0;
          },
          &ctx);
  hs_free_scratch(scratch);
  hs_free_database(db);
  return sids;
}

constexpr const char* kRules = R"(alert http any any -> any any (msg:"a"; http.uri; content:"/etc/passwd"; sid:1;)
alert http any any -> any any (msg:"b"; http.uri; content:"union"; nocase; content:"select"; fast_pattern; sid:2;)
alert http any any -> any any (msg:"c"; http.user_agent; content:"sqlmap"; nocase; sid:3;)
alert http any any -> any any (msg:"d"; pcre:"/\$\{jndi:(ldap|rmi)/Ui"; sid:4;)
alert tcp any any -> any any (msg:"e"; content:"|de ad be ef|"; sid:5;)
alert udp any any -> any any (msg:"f"; content:"|ca fe|"; sid:6;)
alert ip any any -> any any (msg:"g"; content:"both"; sid:7;)
)";

// Scans `chunks` one after the other as one stream with the TCP stream
// database; returns the sids that matched.
std::set<uint32_t> scan_stream(const CompiledSignatures& c, const std::vector<std::string>& chunks) {
  std::set<uint32_t> sids;
  if (c.tcp_stream.serialized.empty()) return sids;
  hs_database_t* db = nullptr;
  EXPECT_EQ(hs_deserialize_database(c.tcp_stream.serialized.data(), c.tcp_stream.serialized.size(), &db), HS_SUCCESS);
  hs_scratch_t* scratch = nullptr;
  EXPECT_EQ(hs_alloc_scratch(db, &scratch), HS_SUCCESS);
  hs_stream_t* stream = nullptr;
  EXPECT_EQ(hs_open_stream(db, 0, &stream), HS_SUCCESS);
  struct Ctx {
    const CompiledSignatures* c;
    std::set<uint32_t>* out;
  } ctx{&c, &sids};
  for (const auto& chunk : chunks) {
    hs_scan_stream(stream, chunk.data(), static_cast<unsigned>(chunk.size()), 0, scratch,
                   [](unsigned id, unsigned long long, unsigned long long, unsigned, void* p) -> int {
                     auto* x = static_cast<Ctx*>(p);
                     x->out->insert(x->c->signatures[x->c->tcp_stream.sig_index[id]].sid);
                     return 0;
                   },
                   &ctx);
  }
  hs_close_stream(stream, scratch, nullptr, nullptr);
  hs_free_scratch(scratch);
  hs_free_database(db);
  return sids;
}

TEST(SignatureCompiler, FastPatternsLandInTheirBuffers) {
  auto c = compile_signatures(parse(kRules), {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->signatures.size(), 7u);
  EXPECT_TRUE(c->unsupported.empty());
  EXPECT_EQ(scan(*c, SigBuffer::kHttpUri, "/cgi?f=../../etc/passwd"), std::set<uint32_t>{1});
  EXPECT_EQ(scan(*c, SigBuffer::kHttpUri, "/q?id=1 UNION SELECT"), std::set<uint32_t>{})
      << "fast_pattern 'select' is case-sensitive";
  EXPECT_EQ(scan(*c, SigBuffer::kHttpUri, "/q?id=1 union select"), std::set<uint32_t>{2});
  EXPECT_EQ(scan(*c, SigBuffer::kHttpUserAgent, "SQLMap/1.7"), std::set<uint32_t>{3});
  EXPECT_EQ(scan(*c, SigBuffer::kHttpUri, "/a?x=${JNDI:ldap://h/a}"), std::set<uint32_t>{4});
  // Raw payload: tcp rules in the streaming database (across chunk
  // boundaries), udp rules in the block database for datagrams, ip in both.
  EXPECT_EQ(scan_stream(*c, {"xx\xde\xad", "\xbe\xefyy"}), std::set<uint32_t>{5});
  EXPECT_EQ(scan_stream(*c, {"bo", "th", "\xca\xfe"}), std::set<uint32_t>{7}) << "udp rules stay out of the TCP stream";
  EXPECT_EQ(scan(*c, SigBuffer::kStream, std::string("xx\xde\xad\xbe\xefyy")), std::set<uint32_t>{})
      << "tcp rules stay out of the datagram database";
  EXPECT_EQ(scan(*c, SigBuffer::kStream, std::string("\xca\xfe both")), (std::set<uint32_t>{6, 7}));
  EXPECT_EQ(scan(*c, SigBuffer::kHttpUserAgent, "/etc/passwd"), std::set<uint32_t>{}) << "buffers are separate";
}

TEST(SignatureCompiler, DeterministicAndCached) {
  const auto dir = std::filesystem::temp_directory_path() / ("rampart-hs-test-" + std::to_string(getpid()));
  SignatureCompileOptions opt;
  opt.cache_dir = dir.string();
  auto a = compile_signatures(parse(kRules), opt);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->cache_hits, 0u);
  auto b = compile_signatures(parse(kRules), opt);
  ASSERT_TRUE(b.ok());
  EXPECT_GT(b->cache_hits, 0u);
  for (std::size_t i = 0; i < kSigBufferCount; ++i) EXPECT_EQ(a->databases[i].serialized, b->databases[i].serialized);
  auto c = compile_signatures(parse(kRules), {});
  ASSERT_TRUE(c.ok());
  for (std::size_t i = 0; i < kSigBufferCount; ++i) EXPECT_EQ(a->databases[i].serialized, c->databases[i].serialized);
  EXPECT_EQ(a->tcp_stream.serialized, b->tcp_stream.serialized);
  EXPECT_EQ(a->tcp_stream.serialized, c->tcp_stream.serialized);
  std::filesystem::remove_all(dir);
}

TEST(SignatureCompiler, NothingToPrefilterOnIsReported) {
  auto c = compile_signatures(parse(R"(alert tcp any any -> any any (msg:"neg"; content:!"x"; sid:9;))"), {});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->signatures.empty());
  ASSERT_EQ(c->unsupported.size(), 1u);
  EXPECT_NE(c->unsupported[0].find("t.rules:1: unsupported: only negated"), std::string::npos);
}

TEST(SignatureCompiler, HyperscanRejectionIsReportedNotFatal) {
  // Prefilter mode approximates what Hyperscan cannot match exactly (back
  // references, lookarounds), but an empty character class is rejected.
  auto c = compile_signatures(parse(R"(alert tcp any any -> any any (msg:"bad re"; pcre:"/a[]b/"; sid:10;))"), {});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->signatures.empty());
  ASSERT_EQ(c->unsupported.size(), 1u);
  EXPECT_NE(c->unsupported[0].find("(sid 10)"), std::string::npos);
}

TEST(SignatureCompiler, IcmpPayloadRulesAreReportedNotSilentlyIgnored) {
  auto c = compile_signatures(parse(R"(alert icmp any any -> any any (msg:"ping"; content:"abcd"; sid:11;))"), {});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->signatures.empty());
  ASSERT_EQ(c->unsupported.size(), 1u);
  EXPECT_NE(c->unsupported[0].find("t.rules:1: unsupported: content on ICMP payloads is not inspected (sid 11)"),
            std::string::npos);
}

TEST(SignatureCompiler, PrefilterCopyWidensOnlyLargeBoundedRepeats) {
  EXPECT_EQ(prefilter_expression(R"(j(?:\W|%\w\w){0,30}?n[^}]{1,30}x{3,40}i)"), R"(j(?:\W|%\w\w)*?n[^}]+x{3,}i)");
  // Exact counts and small ranges keep the prefilter selective.
  EXPECT_EQ(prefilter_expression(R"(%[0-9a-f]{2}a{1,15}b{16})"), R"(%[0-9a-f]{2}a{1,15}b{16})");
  // \cX is one escape: \c{ is control-{, and {0,30} after it is the literal text it was.
  EXPECT_EQ(prefilter_expression(R"(a\c{0,30}b{0,20})"), R"(a\c{0,30}b*)");
  // \Q...\E inside a class does not end the class.
  EXPECT_EQ(prefilter_expression(R"([\Q]\E{0,20}]x)"), R"([\Q]\E{0,20}]x)");
  // Inline extended mode: left as written.
  EXPECT_EQ(prefilter_expression(R"((?ix)a {0,30} # c{0,20})"), R"((?ix)a {0,30} # c{0,20})");
  // Not quantifiers: escapes, classes, quoting, comments, literal braces.
  for (const char* same : {R"(\x{41}\p{L}[{0,99}]\{0,99\})", R"(\Q{0,99}\E(?#{0,99})[[:alpha:]{0,99}])", R"(a{x,99}{0,99)"}) {
    EXPECT_EQ(prefilter_expression(same), same);
  }
  // Every match of the pcre is still a candidate (the widened expression matches a superset).
  auto c = compile_signatures(
      parse(R"(alert http any any -> any any (msg:"jndi"; http.uri; pcre:"/j(?:\W|%\w\w){0,30}?ndi/i"; sid:12;))"), {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(scan(*c, SigBuffer::kHttpUri, "/a?x=${j${::-}ndi:ldap}"), std::set<uint32_t>{12});
}

}  // namespace
}  // namespace rampart::cp
