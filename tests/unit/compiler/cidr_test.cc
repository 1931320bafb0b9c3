// The CIDR grammar (controlplane/compiler/cidr.h): every malformed form is
// refused with its own reason, by parse_cidr and in a policy file with
// file:line:column. (The appliance API's path: tests/unit/api.)

#include "controlplane/compiler/cidr.h"

#include <gtest/gtest.h>

#include "controlplane/compiler/policy_compiler.h"

namespace rampart::cp {
namespace {

struct Bad {
  const char* text;
  const char* reason;  // substring of *why
};

// Each of these was a way to write something the parser must refuse; the
// first one (a negative prefix) used to load as a single host.
const Bad kBad[] = {
    {"198.18.0.0/-16", "prefix length after '/' must be a decimal number 0-32"},
    {"198.18.0.0/+16", "prefix length after '/' must be a decimal number 0-32"},
    {"198.18.0.0/016", "(no sign or leading zero)"},
    {"198.18.0.0/00", "(no sign or leading zero)"},
    {"198.18.0.0/", "prefix length after '/' must be a decimal number 0-32"},
    {"198.18.0.0/33", "0-32"},
    {"2001:db8::/129", "0-128"},
    {"198.18.0.0/0x10", "decimal number"},
    {"198.18.0.0/16.0", "decimal number"},
    {"198.18.0.0/1e1", "decimal number"},
    {"198.18.0.0/99999999999", "decimal number 0-32"},
    {"198.18.0.0/16/8", "decimal number"},
    {"198.18.0.0/ 16", "white space"},
    {" 198.18.0.0/16", "white space"},
    {"198.18.0.0/16 ", "white space"},
    {"198.18.0.0\t", "white space"},
    {"198.18.0.0\x7f", "control character"},
    {"198.18.0.0/16\xc2\xa0", "non-ASCII"},
    {"/16", "not an IPv4 or IPv6 address"},
    {"", "empty address"},
    {"198.18.0.1/24", "has host bits set beyond /24: write 198.18.0.0/24 (the network) or 198.18.0.1/32"},
    {"2001:db8::1/64", "has host bits set beyond /64: write 2001:db8::/64"},
    {"198.018.0.0/16", "leading zero"},
    {"198.18.0.256", "greater than 255"},
    {"198.18.0", "four dot-separated numbers"},
    {"198.18.0.0.0", "four dot-separated numbers"},
    {"0x7f.0.0.1", "not an IPv4 or IPv6 address"},
    {"::ffff:198.18.0.1", "IPv4-mapped IPv6 address, which never appears in a packet: write 198.18.0.1"},
    {"::ffff:198.18.0.0/112", "IPv4-mapped IPv6 address, which never appears in a packet: write 198.18.0.0/16"},
    {"::ffff:c612:1/128", "write 198.18.0.1/32"},
    {"::ffff:0:0/96", "write 0.0.0.0/0"},
    {"fe80::1%eth0", "zone id"},
    {"fe80::%1/64", "zone id"},
    {"any", "not an IPv4 or IPv6 address"},
    {"2001:db8:::1", "not an IPv4 or IPv6 address"},
};

class CidrRefused : public ::testing::TestWithParam<Bad> {};

TEST_P(CidrRefused, WithItsReason) {
  const Bad& b = GetParam();
  std::string why;
  const auto c = parse_cidr(b.text, &why);
  EXPECT_FALSE(c.has_value()) << "'" << b.text << "' parsed as " << format_cidr(*c);
  EXPECT_NE(why.find(b.reason), std::string::npos) << "'" << b.text << "': " << why;
}

INSTANTIATE_TEST_SUITE_P(Malformed, CidrRefused, ::testing::ValuesIn(kBad));

TEST(Cidr, AcceptedForms) {
  struct Good {
    const char* text;
    const char* formatted;
  };
  const Good good[] = {
      {"198.18.0.0/15", "198.18.0.0/15"}, {"198.18.0.1", "198.18.0.1/32"}, {"0.0.0.0/0", "0.0.0.0/0"},
      {"198.18.0.1/32", "198.18.0.1/32"}, {"2001:db8::/32", "2001:db8::/32"}, {"::/0", "::/0"},
      {"2001:db8::1", "2001:db8::1/128"}, {"::/80", "::/80"},
      {"64:ff9b::c612:1", "64:ff9b::c612:1/128"},  // NAT64 addresses are on the wire
  };
  for (const Good& g : good) {
    std::string why;
    const auto c = parse_cidr(g.text, &why);
    ASSERT_TRUE(c.has_value()) << g.text << ": " << why;
    EXPECT_EQ(format_cidr(*c), g.formatted);
  }
}

// Found by the policy_yaml fuzzer: inet_pton stopped at the NUL, so the
// text passed as the address before it. (YAML "\0", a protobuf string.)
TEST(Cidr, EmbeddedNulIsRefused) {
  std::string why;
  for (const std::string_view text : {std::string_view("::\0fff+.INFb:1982b", 18),
                                      std::string_view("198.18.0.1\0junk", 15),
                                      std::string_view("198.18.0.0\0/16", 14)}) {
    EXPECT_FALSE(parse_cidr(text, &why).has_value()) << why;
    EXPECT_NE(why.find("control character"), std::string::npos) << why;
  }
}

TEST(Cidr, HostBitsMaskedOnlyWhenAsked) {
  std::string why;
  EXPECT_FALSE(parse_cidr("198.18.0.77/24", &why).has_value());
  const auto c = parse_cidr("198.18.0.77/24", &why, HostBits::kMask);
  ASSERT_TRUE(c.has_value()) << why;
  EXPECT_EQ(format_cidr(*c), "198.18.0.0/24");
  // Masking forgives host bits, nothing else.
  EXPECT_FALSE(parse_cidr("198.18.0.0/-16", &why, HostBits::kMask).has_value());
  EXPECT_FALSE(parse_cidr("::ffff:198.18.0.1", &why, HostBits::kMask).has_value());
}

// In a policy file every place that takes a CIDR reports it at its
// line:column, all of them in one pass.
TEST(Cidr, PolicyFileReportsEachAtItsPosition) {
  std::vector<std::string> errors;
  auto p = compile_policy_yaml(R"(groups:
  - name: g
    cidrs: [198.18.0.0/-16]
rules:
  - action: deny
    src: 198.18.0.0/-16
    dst: [198.18.0.0/+16, "198.18.0.0/016"]
  - action: deny
    src: "fe80::1%eth0"
    dst: "::ffff:198.18.0.1"
  - action: deny
    src: 198.18.0.0/99999999999
    dst: "198.18.0.0/ 16"
)",
                               "p.yaml", &errors);
  ASSERT_FALSE(p.ok());
  const std::vector<std::string> want = {
      "p.yaml:3:13: error: 'cidrs': '198.18.0.0/-16'",  "p.yaml:6:10: error: 'src': '198.18.0.0/-16'",
      "p.yaml:7:11: error: 'dst': '198.18.0.0/+16'",    "p.yaml:7:27: error: 'dst': '198.18.0.0/016'",
      "p.yaml:9:10: error: 'src': 'fe80::1%eth0'",      "p.yaml:10:10: error: 'dst': '::ffff:198.18.0.1'",
      "p.yaml:12:10: error: 'src': '198.18.0.0/99999999999'", "p.yaml:13:10: error: 'dst': '198.18.0.0/ 16'",
  };
  ASSERT_EQ(errors.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(errors[i].rfind(want[i], 0), 0u) << errors[i];
}

}  // namespace
}  // namespace rampart::cp
