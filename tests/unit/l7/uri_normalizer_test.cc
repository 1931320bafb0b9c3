// Table-driven tests of normalize_uri(): each case is a raw request-target,
// the expected normalised buffer and the exact uri_flag bits.

#include "dataplane/l7/http/uri_normalizer.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <string_view>

namespace rampart::dp {
namespace {

using namespace uri_flag;

struct Case {
  const char* name;
  std::string_view raw;
  std::string_view norm;
  uint32_t flags;
};

constexpr uint32_t kDot = kDotSegment;

const Case kCases[] = {
    {"plain path", "/index.html", "/index.html", 0},
    {"root", "/", "/", 0},
    {"empty", "", "", 0},
    {"case kept", "/Admin/Login.PHP", "/Admin/Login.PHP", 0},
    {"percent decode", "/a%20b%2Fc", "/a b/c", 0},
    {"percent lower hex", "/%2e%2E/x", "/x", kDot | kTraversalAboveRoot},
    {"invalid escape kept", "/a%zzb", "/a%zzb", kInvalidEscape},
    {"truncated escape at end", "/a%4", "/a%4", kInvalidEscape},
    {"lone percent at end", "/a%", "/a%", kInvalidEscape},
    {"u encoding ascii", "/%u0041dmin", "/Admin", kUEncoded},
    {"u encoding upper U", "/%U002e%U002e/etc", "/etc", kUEncoded | kDot | kTraversalAboveRoot},
    {"u encoding fullwidth dot", "/a/%uFF0E%uff0e/b", "/b", kUEncoded | kNonAsciiUnicode | kDot},
    {"u encoding non ascii", "/caf%u00e9", "/caf?", kUEncoded | kNonAsciiUnicode},
    {"u encoding invalid", "/%u12G4", "/%u12G4", kInvalidEscape},
    {"double encoding", "/%252e%252e/etc/passwd", "/etc/passwd", kDoubleEncoded | kDot | kTraversalAboveRoot},
    {"double encoding slash", "/a%252fb", "/a/b", kDoubleEncoded},
    {"double encoding via escaped digits", "/%%34%31", "/A", kInvalidEscape | kDoubleEncoded},
    {"triple encoding stays once-encoded", "/%25252e", "/%2e", kDoubleEncoded},
    {"percent 25 without hex after", "/100%25", "/100%", 0},
    {"nul decoded", "/a%00.jpg", std::string_view("/a\0.jpg", 7), kNulByte},
    {"raw nul", std::string_view("/a\0b", 4), std::string_view("/a\0b", 4), kNulByte},
    {"backslash", "/a\\b\\..\\c", "/a/c", kBackslash | kDot},
    {"encoded backslash", "/a%5c..%5cwin.ini", "/win.ini", kBackslash | kDot},
    {"double slash", "//a///b", "/a/b", kEmptySegment},
    {"dot segment", "/a/./b/.", "/a/b/", kDot},
    {"dotdot", "/a/b/../c", "/a/c", kDot},
    {"dotdot at end", "/a/b/..", "/a/", kDot},
    {"above root", "/../../etc/passwd", "/etc/passwd", kDot | kTraversalAboveRoot},
    {"above root after descent", "/a/../../b", "/b", kDot | kTraversalAboveRoot},
    {"dot-dot-dot is a name", "/a/.../b", "/a/.../b", 0},
    {"dots inside name", "/a..b/c.", "/a..b/c.", 0},
    {"relative path", "a/../../b", "b", kDot | kTraversalAboveRoot},
    {"query plus to space", "/s?q=a+b&x=1", "/s?q=a b&x=1", 0},
    {"plus in path kept", "/a+b", "/a+b", 0},
    {"encoded plus in query kept", "/s?q=a%2Bb", "/s?q=a+b", 0},
    {"query not path-normalised", "/s?f=../../x//y\\z", "/s?f=../../x//y\\z", 0},
    {"encoded question mark is path", "/a%3Fb?c", "/a?b?c", 0},
    {"query double encoded", "/s?q=%2527", "/s?q='", kDoubleEncoded},
    {"query invalid escape", "/s?q=%", "/s?q=%", kInvalidEscape},
    {"query u encoded", "/s?q=%u003cscript", "/s?q=<script", kUEncoded},
    {"absolute form", "http://example.com/a/../b?x=1", "/b?x=1", kAbsoluteForm | kDot},
    {"absolute form https upper", "HTTPS://h:8443/p", "/p", kAbsoluteForm},
    {"absolute form no path", "http://example.com", "/", kAbsoluteForm},
    {"absolute form query only", "http://h?x", "/?x", kAbsoluteForm},
    {"path traversal classic", "/cgi-bin/../../../../bin/sh", "/bin/sh", kDot | kTraversalAboveRoot},
    {"mixed evasion", "/scripts/..%c0%af../winnt", "/scripts/..\xc0\xaf../winnt", 0},
    {"fragment kept", "/a#frag", "/a#frag", 0},
};

class UriNormalizerCases : public ::testing::TestWithParam<Case> {};

TEST_P(UriNormalizerCases, Normalises) {
  const Case& c = GetParam();
  uint8_t out[256];
  const UriNormResult r =
      normalize_uri(reinterpret_cast<const uint8_t*>(c.raw.data()), static_cast<uint32_t>(c.raw.size()), out,
                    sizeof(out));
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(out), r.len), c.norm) << c.name;
  EXPECT_EQ(r.flags, c.flags) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Table, UriNormalizerCases, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           std::string s = i.param.name;
                           for (char& ch : s)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

TEST(UriNormalizer, OverlongPathIsCutAndFlagged) {
  const std::string raw = "/" + std::string(100, 'a');
  uint8_t out[16];
  const UriNormResult r = normalize_uri(reinterpret_cast<const uint8_t*>(raw.data()),
                                        static_cast<uint32_t>(raw.size()), out, sizeof(out));
  EXPECT_EQ(r.len, 16u);
  EXPECT_TRUE(r.flags & kOverlong);
}

TEST(UriNormalizer, OverlongQueryIsCutAndFlagged) {
  const std::string raw = "/abc?" + std::string(100, 'q');
  uint8_t out[8];
  const UriNormResult r = normalize_uri(reinterpret_cast<const uint8_t*>(raw.data()),
                                        static_cast<uint32_t>(raw.size()), out, sizeof(out));
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(out), r.len), "/abc?qqq");
  EXPECT_TRUE(r.flags & kOverlong);
}

TEST(UriNormalizer, PathFillingBufferDropsQuery) {
  const std::string raw = "/abcdefg?x";
  uint8_t out[8];
  const UriNormResult r = normalize_uri(reinterpret_cast<const uint8_t*>(raw.data()),
                                        static_cast<uint32_t>(raw.size()), out, sizeof(out));
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(out), r.len), "/abcdefg");
  EXPECT_TRUE(r.flags & kOverlong);
}

TEST(UriNormalizer, EncodedInputLongerThanBufferStillFitsDecoded) {
  // 30 raw bytes, 10 decoded: the buffer bounds the output, not the input.
  std::string raw;
  for (int i = 0; i < 10; ++i) raw += "%41";
  uint8_t out[10];
  const UriNormResult r = normalize_uri(reinterpret_cast<const uint8_t*>(raw.data()),
                                        static_cast<uint32_t>(raw.size()), out, sizeof(out));
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(out), r.len), "AAAAAAAAAA");
  EXPECT_EQ(r.flags, 0u);
}

TEST(UriNormalizer, ZeroCapacity) {
  const std::string raw = "http://h";
  const UriNormResult r =
      normalize_uri(reinterpret_cast<const uint8_t*>(raw.data()), static_cast<uint32_t>(raw.size()), nullptr, 0);
  EXPECT_EQ(r.len, 0u);
}

TEST(UriNormalizer, FlagNames) {
  for (uint32_t bit = 1; bit <= kAbsoluteForm; bit <<= 1) EXPECT_STRNE(uri_flag_name(bit), "unknown") << bit;
  EXPECT_STREQ(uri_flag_name(1u << 31), "unknown");
}

}  // namespace
}  // namespace rampart::dp
