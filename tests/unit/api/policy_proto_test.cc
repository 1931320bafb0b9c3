// The appliance API's policy conversion (controlplane/api/policy_proto.h)
// refuses every malformed CIDR a request may carry, naming the field, and
// the shared address check (request_checks.h) agrees with the CIDR
// grammar, so a workload IP the controller or an appliance accepts is
// always one the group resolution can use.

#include "controlplane/api/policy_proto.h"

#include <gtest/gtest.h>

#include "controlplane/api/request_checks.h"

namespace rampart::api {
namespace {

namespace v1 = rampart::dataplane::v1;

v1::Policy base() {
  v1::Policy p;
  p.set_version(1);
  p.set_default_action(v1::ACTION_DENY);
  p.set_non_ip_action(v1::ACTION_ALLOW);
  return p;
}

v1::Rule* add_rule(v1::Policy& p, v1::Action action) {
  v1::Rule* r = p.add_rules();
  r->set_name("r");
  r->set_action(action);
  r->set_protocol(-1);
  return r;
}

// Each rejected by the CIDR parser (cidr_test.cc has the reasons); the
// first used to be accepted as the single host 198.18.0.0.
const char* const kMalformed[] = {
    "198.18.0.0/-16", "198.18.0.0/+16", "198.18.0.0/016",   "198.18.0.0/",      "198.18.0.0/33",
    "2001:db8::/129", "198.18.0.0/0x10", "198.18.0.0/99999999999", " 198.18.0.0/16", "198.18.0.1/24",
    "198.018.0.0/16", "::ffff:198.18.0.1", "fe80::1%eth0",   "",
};

TEST(PolicyFromProto, EveryMalformedCidrIsRefusedNamingTheField) {
  for (const char* text : kMalformed) {
    for (const char* field : {"src", "dst", "group"}) {
      v1::Policy p = base();
      if (std::string(field) == "group") {
        v1::Group* g = p.add_groups();
        g->set_name("g");
        g->set_mode(v1::GROUP_MODE_PROTECT);
        g->add_members()->set_prefix(text);
      } else {
        v1::Rule* r = add_rule(p, v1::ACTION_DENY);
        (std::string(field) == "src" ? r->add_src() : r->add_dst())->set_prefix(text);
      }
      std::vector<std::string> errors;
      auto c = policy_from_proto(p, &errors);
      EXPECT_FALSE(c.ok()) << field << " '" << text << "' was accepted";
      ASSERT_EQ(errors.size(), 1u) << field << " '" << text << "'";
      const std::string want = std::string(field) == "group" ? "policy.groups[0].members[0].prefix: "
                               : std::string(field) == "src" ? "policy.rules[0].src[0].prefix: "
                                                             : "policy.rules[0].dst[0].prefix: ";
      EXPECT_EQ(errors[0].rfind(want, 0), 0u) << errors[0];
    }
  }
}

TEST(PolicyFromProto, NegativePrefixNoLongerBecomesAHost) {
  v1::Policy p = base();
  add_rule(p, v1::ACTION_ALLOW)->add_src()->set_prefix("198.18.0.0/-16");
  std::vector<std::string> errors;
  auto c = policy_from_proto(p, &errors);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(errors[0].find("'198.18.0.0/-16': the prefix length after '/' must be a decimal number 0-32"),
            std::string::npos)
      << errors[0];
}

TEST(PolicyFromProto, WellFormedCidrsPass) {
  v1::Policy p = base();
  v1::Rule* r = add_rule(p, v1::ACTION_ALLOW);
  r->add_src()->set_prefix("198.18.0.0/15");
  r->add_dst()->set_prefix("2001:db8::1");
  std::vector<std::string> errors;
  auto c = policy_from_proto(p, &errors);
  ASSERT_TRUE(c.ok()) << (errors.empty() ? "" : errors[0]);
  EXPECT_EQ(c->rules[0].src[0].prefix_len, 15);
  EXPECT_EQ(c->rules[0].dst[0].prefix_len, 128);
}

TEST(RequestChecks, ValidIpIsAHostAddressOfTheCidrGrammar) {
  EXPECT_TRUE(valid_ip("198.18.0.1"));
  EXPECT_TRUE(valid_ip("2001:db8::1"));
  for (const char* bad : {"198.18.0.0/16", "::ffff:198.18.0.1", "fe80::1%eth0", " 198.18.0.1", "198.018.0.1", "",
                          "any"}) {
    EXPECT_FALSE(valid_ip(bad)) << bad;
  }
}

}  // namespace
}  // namespace rampart::api
