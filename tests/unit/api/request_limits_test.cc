// Every string and repeated field of both gRPC APIs is bounded (issue 9
// part 4, defect 12a): a field over its limit is INVALID_ARGUMENT naming
// the field and the limit, measured before it is parsed or echoed, and a
// policy full of mistakes lists at most 100 of them.

#include <gtest/gtest.h>

#include "appliance.pb.h"
#include "controlplane/api/policy_proto.h"
#include "controlplane/api/request_checks.h"

namespace rampart::api {
namespace {

namespace v1 = rampart::dataplane::v1;

v1::Policy policy() {
  v1::Policy p;
  p.set_version(2);
  p.set_default_action(v1::ACTION_ALLOW);
  p.set_non_ip_action(v1::ACTION_ALLOW);
  return p;
}

std::string error_of(const v1::Policy& p) {
  std::vector<std::string> errors;
  auto c = policy_from_proto(p, &errors);
  return c.ok() ? "" : c.error().message;
}

TEST(RequestLimits, FiftyMegabyteOrigin) {
  auto p = policy();
  p.set_origin(std::string(50 << 20, 'x'));
  EXPECT_EQ(error_of(p), "policy.origin: 52428800 bytes, at most 256");
  p.set_origin(std::string(256, 'x'));
  EXPECT_EQ(error_of(p), "");
}

TEST(RequestLimits, PolicyStringsAndLists) {
  auto p = policy();
  auto* r = p.add_rules();
  r->set_name(std::string(257, 'n'));
  r->set_action(v1::ACTION_DENY);
  r->set_protocol(-1);
  EXPECT_EQ(error_of(p), "policy.rules[0].name: 257 bytes, at most 256");
  r->set_name("r");
  r->set_source(std::string(1025, 's'));
  EXPECT_EQ(error_of(p), "policy.rules[0].source: 1025 bytes, at most 1024");
  r->clear_source();
  r->add_dst()->set_prefix(std::string(1 << 20, '1'));
  EXPECT_EQ(error_of(p), "policy.rules[0].dst[0].prefix: 1048576 bytes, at most 64");
  r->clear_dst();
  for (std::size_t i = 0; i <= kMaxPrefixesPerList; ++i) r->add_src()->set_prefix("198.18.0.1");
  EXPECT_EQ(error_of(p), "policy.rules[0].src: 65537 entries, at most 65536");
  r->clear_src();
  r->set_protocol(6);
  for (std::size_t i = 0; i <= kMaxPortRangesPerList; ++i) {
    auto* pr = r->add_dst_ports();
    pr->set_first(80);
    pr->set_last(80);
  }
  EXPECT_EQ(error_of(p), "policy.rules[0].dst_ports: 1025 entries, at most 1024");
}

TEST(RequestLimits, GroupsAndSignatureSets) {
  auto p = policy();
  for (std::size_t i = 0; i <= kMaxGroups; ++i) p.add_groups()->set_name("g" + std::to_string(i));
  EXPECT_EQ(error_of(p), "policy.groups: 65537 entries, at most 65536");
  p = policy();
  auto* g = p.add_groups();
  g->set_name("g");
  g->set_mode(v1::GROUP_MODE_MONITOR);
  for (std::size_t i = 0; i <= kMaxGroupMembers; ++i) g->add_members()->set_prefix("198.18.0.1");
  EXPECT_EQ(error_of(p), "policy.groups: 1048577 members in all, at most 1048576");
  p = policy();
  g = p.add_groups();
  g->set_name(std::string(300, 'g'));
  g->set_mode(v1::GROUP_MODE_MONITOR);
  EXPECT_EQ(error_of(p), "policy.groups[0].name: 300 bytes, at most 256");
  p = policy();
  auto* s = p.mutable_signatures()->add_sets();
  s->set_name("web");
  s->set_rules(std::string(kMaxSignatureSetBytes + 1, '#'));
  EXPECT_EQ(error_of(p), "policy.signatures.sets[0].rules: 33554433 bytes, at most 33554432");
  p = policy();
  for (std::size_t i = 0; i <= kMaxSignatureSets; ++i) p.mutable_signatures()->add_sets()->set_name(std::to_string(i));
  EXPECT_EQ(error_of(p), "policy.signatures.sets: 257 entries, at most 256");
}

TEST(RequestLimits, AtMostAHundredProblemsListed) {
  auto p = policy();
  auto* r = p.add_rules();
  r->set_name("r");
  r->set_action(v1::ACTION_DENY);
  r->set_protocol(-1);
  for (int i = 0; i < 5000; ++i) r->add_dst()->set_prefix("not-an-address");
  std::vector<std::string> errors;
  auto c = policy_from_proto(p, &errors);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(errors.size(), 100u);
  EXPECT_NE(c.error().message.find("(only the first 100 problems are listed)"), std::string::npos);
}

TEST(RequestLimits, Bindings) {
  google::protobuf::Map<std::string, std::string> labels;
  EXPECT_EQ(binding_error("upsert[0]", "upsert[0].identity", "198.18.0.1", "w", labels), "");
  EXPECT_EQ(binding_error("upsert[0]", "upsert[0].identity", std::string(100, '1'), "w", labels),
            "upsert[0].ip: 100 bytes, at most 64");
  EXPECT_EQ(binding_error("upsert[0]", "upsert[0].identity", "198.18.0.1", std::string(257, 'w'), labels),
            "upsert[0].identity.workload: 257 bytes, at most 256");
  labels["app"] = std::string(1025, 'v');
  EXPECT_EQ(binding_error("workloads[1]", "workloads[1]", "198.18.0.1", "w", labels),
            "workloads[1].labels[app]: 1025 bytes, at most 1024");
  labels.clear();
  labels[std::string(318, 'k')] = "v";
  EXPECT_EQ(binding_error("workloads[1]", "workloads[1]", "198.18.0.1", "w", labels),
            "workloads[1].labels: a key: 318 bytes, at most 317");
  labels.clear();
  for (int i = 0; i < 65; ++i) labels["k" + std::to_string(i)] = "v";
  EXPECT_EQ(binding_error("workloads[1]", "workloads[1]", "198.18.0.1", "w", labels),
            "workloads[1].labels: 65 entries, at most 64");
  EXPECT_EQ(bindings_error("upsert", static_cast<int>(kMaxBindings) + 1), "upsert: 1048577 entries, at most 1048576");
  google::protobuf::RepeatedPtrField<std::string> ips;
  *ips.Add() = std::string(1 << 20, '9');
  EXPECT_EQ(removals_error("remove", ips), "remove[0]: 1048576 bytes, at most 64");
}

TEST(RequestLimits, EventFilters) {
  google::protobuf::RepeatedField<int> types;
  for (int i = 0; i < 17; ++i) types.Add(1);
  EXPECT_EQ(event_filter_error(types, 4, "", "", 0), "types: 17 entries, at most 16");
  types.Clear();
  EXPECT_EQ(event_filter_error(types, 4, std::string(65, '1'), "", 0), "src_ip: 65 bytes, at most 64");
  EXPECT_EQ(event_filter_error(types, 4, "", "198.18.0.1", 0), "");
}

}  // namespace
}  // namespace rampart::api
