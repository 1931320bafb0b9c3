// Signature headers that are malformed or can match nothing are errors
// with file:line (signature_parser.cc, signature_header_check.h), and a
// positive `any` inside a list no longer lets the list's other items
// narrow it.

#include "controlplane/compiler/signature_header_check.h"

#include <gtest/gtest.h>

#include "controlplane/compiler/cidr.h"
#include "controlplane/compiler/signature_parser.h"

namespace rampart::cp {
namespace {

SignatureSet parse(const std::string& text) {
  SignatureSet s;
  parse_signatures(text, "h.rules", SignatureVars::defaults(), s);
  return s;
}

struct HeaderCase {
  const char* src;    // source addresses and ports, "ADDR PORT"
  const char* dst;    // destination addresses and ports
  const char* error;  // substring of the error
};

// Each on line 2 of h.rules (line 1 is a comment).
const HeaderCase kDead[] = {
    // ports that match nothing
    {"any ![0:65535]", "any any", "source ports '![0:65535]' match no port"},
    {"any any", "any [80,!80]", "destination ports '[80,!80]' match no port"},
    {"any any", "any [80:90,!80:85,!86:90]", "destination ports '[80:90,!80:85,!86:90]' match no port"},
    {"any any", "any [!0:1000,!1001:]", "destination ports '[!0:1000,!1001:]' match no port"},
    {"any any", "any ![$HTTP_PORTS,0:65535]", "match no port"},
    {"any any", "any ![any]", "'!any' matches no port"},
    {"any !any", "any any", "'!any' matches no port"},
    {"any [10:5]", "any any", "port range '10:5' is reversed"},
    {"any 65536", "any any", "port '65536' is out of range 0-65535"},
    {"any any", "any 1:70000", "port '1:70000' is out of range 0-65535"},
    {"any []", "any any", "an empty port list '[]' matches nothing"},
    {"any [ ]", "any any", "an empty port list '[ ]' matches nothing"},
    {"any any", "any :", "bad port range ':'"},
    {"any any", "any -1", "bad port '-1'"},
    {"any any", "any 8x", "bad port '8x'"},
    // addresses that match nothing
    {"!any any", "any any", "'!any' matches nothing"},
    {"[198.18.0.1,!198.18.0.1] any", "any any", "source addresses '[198.18.0.1,!198.18.0.1]' match no address"},
    {"any any", "[198.18.0.0/24,!198.18.0.0/25,!198.18.0.128/25] any", "destination addresses"},
    {"[!0.0.0.0/0,!::/0] any", "any any", "match no address"},
    {"![0.0.0.0/0,::/0] any", "any any", "match no address"},
    {"[2001:db8::/32,!2001:db8::/33,!2001:db8:8000::/33] any", "any any", "match no address"},
    {"[] any", "any any", "an empty address list '[]' matches nothing"},
    {"198.18.0.0/-16 any", "any any", "bad address: '198.18.0.0/-16': the prefix length"},
    {"::ffff:198.18.0.1 any", "any any", "IPv4-mapped"},
    // dangling '!', stray ',', brackets
    {"any any", "any !", "a '!' negates nothing in ports '!'"},
    {"any [80,!]", "any any", "a '!' negates nothing in ports '[80,!]'"},
    {"[198.18.0.1,!] any", "any any", "a '!' negates nothing in addresses"},
    {"any [80,,81]", "any any", "an empty port in '[80,,81]'"},
    {"any [80,443", "any any", "unbalanced brackets in the header"},
    {"any 80]", "any any", "unbalanced brackets in the header"},
    {"[198.18.0.1 any", "any any", "unbalanced brackets in the header"},
    {"any [80][443]", "any any", "misplaced brackets in ports '[80][443]'"},
    {"any any", "any [[[[[[[[[[80]]]]]]]]]]", "port lists or variables nest too deep"},
};

std::string fmt_rule(const HeaderCase& c) {
  return std::string("alert tcp ") + c.src + " -> " + c.dst + " (msg:\"x\"; content:\"a\"; sid:1;)";
}

class DeadHeader : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(DeadHeader, IsAnErrorWithFileLine) {
  const HeaderCase& c = GetParam();
  const std::string rule = fmt_rule(c);
  auto s = parse("# header case\n" + rule + "\n");
  EXPECT_TRUE(s.signatures.empty()) << rule;
  ASSERT_EQ(s.errors.size(), 1u) << rule << (s.unsupported.empty() ? "" : "; " + s.unsupported[0]);
  EXPECT_EQ(s.errors[0].rfind("h.rules:2: error: ", 0), 0u) << s.errors[0];
  EXPECT_NE(s.errors[0].find(c.error), std::string::npos) << rule << " -> " << s.errors[0];
}

INSTANTIATE_TEST_SUITE_P(Headers, DeadHeader, ::testing::ValuesIn(kDead));

TEST(SignatureHeader, ListsThatMatchSomethingLoad) {
  for (const char* header : {
           "any ![1:65535] -> any any",                 // port 0 is left
           "any [!80,!443] -> any any",                 // all but two
           "[198.18.0.0/24,!198.18.0.0/25] any -> any any",  // the upper half
           "!0.0.0.0/0 any -> any any",                 // every IPv6 address
           "[198.18.0.0/24,!198.18.0.1,2001:db8::/32,!2001:db8::/32] any -> any any",  // IPv4 left
           "198.18.0.77/24 any -> any any",             // host bits: masked, as Suricata does
           "$EXTERNAL_NET $HTTP_PORTS -> $HOME_NET ![$HTTP_PORTS,22]",
       }) {
    auto s = parse(std::string("alert tcp ") + header + " (content:\"a\"; sid:1;)\n");
    EXPECT_EQ(s.signatures.size(), 1u) << header << ": " << (s.errors.empty() ? "" : s.errors[0]);
  }
}

TEST(SignatureHeader, PositiveAnyInAListIsAny) {
  // It used to be dropped, leaving the list [80]: only port 80 matched.
  auto s = parse("alert tcp [198.18.0.1,any] [80,any] -> any [any,!22] (content:\"a\"; sid:1;)\n");
  ASSERT_EQ(s.signatures.size(), 1u) << (s.errors.empty() ? "" : s.errors[0]);
  const Signature& g = s.signatures[0];
  // Every port and address passes the source lists.
  bool all_ports = false;
  for (const auto& r : g.src_ports.items) all_ports = all_ports || (!r.negated && r.lo == 0 && r.hi == 65535);
  EXPECT_TRUE(all_ports);
  bool all4 = false, all6 = false;
  for (const auto& [neg, cidr] : g.src.items) {
    all4 = all4 || (!neg && format_cidr(cidr) == "0.0.0.0/0");
    all6 = all6 || (!neg && format_cidr(cidr) == "::/0");
  }
  EXPECT_TRUE(all4 && all6);
  // `[any,!22]`: everything but 22, as before.
  EXPECT_FALSE(port_list_matches_nothing(g.dst_ports));
}

TEST(SignatureHeaderCheck, PortLists) {
  auto list = [](std::initializer_list<SigPortRange> items) {
    SigPortList l;
    l.any = false;
    l.items = items;
    return l;
  };
  EXPECT_FALSE(port_list_matches_nothing(SigPortList{}));
  EXPECT_TRUE(port_list_matches_nothing(list({{true, 0, 65535}})));
  EXPECT_TRUE(port_list_matches_nothing(list({{true, 0, 100}, {true, 101, 65535}})));  // adjacent negations
  EXPECT_FALSE(port_list_matches_nothing(list({{true, 0, 100}, {true, 102, 65535}})));  // 101 is left
  EXPECT_TRUE(port_list_matches_nothing(list({{false, 5, 10}, {true, 0, 7}, {true, 8, 20}})));
  EXPECT_FALSE(port_list_matches_nothing(list({{false, 5, 10}, {false, 30, 30}, {true, 0, 20}})));
}

TEST(SignatureHeaderCheck, AddressListsPerFamily) {
  auto list = [](std::initializer_list<std::pair<bool, std::string>> items) {
    SigAddressList l;
    l.any = false;
    for (const auto& [neg, text] : items) {
      std::string why;
      auto c = parse_cidr(text, &why, HostBits::kMask);
      EXPECT_TRUE(c.has_value()) << why;
      if (c) l.items.emplace_back(neg, *c);
    }
    return l;
  };
  EXPECT_FALSE(address_list_matches_nothing(SigAddressList{}));
  EXPECT_TRUE(address_list_matches_nothing(list({{true, "0.0.0.0/0"}, {true, "::/0"}})));
  EXPECT_FALSE(address_list_matches_nothing(list({{true, "0.0.0.0/0"}})));
  EXPECT_TRUE(address_list_matches_nothing(list({{false, "198.18.0.0/16"}, {true, "198.18.0.0/15"}})));
  // Covered only by many small negations together.
  EXPECT_TRUE(address_list_matches_nothing(
      list({{false, "198.18.0.0/30"}, {true, "198.18.0.0/32"}, {true, "198.18.0.1/32"}, {true, "198.18.0.2/31"}})));
  EXPECT_FALSE(address_list_matches_nothing(
      list({{false, "198.18.0.0/30"}, {true, "198.18.0.0/32"}, {true, "198.18.0.2/31"}})));
  // Host bits are masked (198.18.0.5/24 is 198.18.0.0/24).
  EXPECT_TRUE(address_list_matches_nothing(list({{false, "198.18.0.9/32"}, {true, "198.18.0.5/24"}})));
}

TEST(SignatureHeaderCheck, ManyNegationsStayFast) {
  // 4096 negated /32s under one /20: covered, found without enumerating
  // addresses one by one beyond what the negations require.
  SigAddressList l;
  l.any = false;
  auto cidr = [](const std::string& text) {
    std::string why;
    return *parse_cidr(text, &why);
  };
  l.items.emplace_back(false, cidr("198.18.0.0/20"));
  for (int i = 0; i < 4096; ++i) {
    l.items.emplace_back(true, cidr("198.18." + std::to_string(i / 256) + "." + std::to_string(i % 256)));
  }
  EXPECT_TRUE(address_list_matches_nothing(l));
  l.items.pop_back();
  EXPECT_FALSE(address_list_matches_nothing(l));
}

}  // namespace
}  // namespace rampart::cp
