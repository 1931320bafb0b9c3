// The controller's desired state: documents on disk, the persisted version.

#include "controlplane/controller/desired_state.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <fstream>
#include <sstream>

#include "controlplane/api/policy_version.h"
#include "controlplane/compiler/cidr.h"
#include "controlplane/controller/inventory.h"
#include "controlplane/controller/staged_file.h"

namespace rampart::controller {
namespace {

namespace fs = std::filesystem;

// "controller:N" of an origin "controller:N#DIGEST".
std::string origin_number(const std::string& origin) { return origin.substr(0, origin.find('#')); }

// The desired version after DesiredState::advance_past(seen), which must succeed.
uint64_t advance(DesiredState& s, uint64_t seen) {
  uint64_t desired = 0;
  const Outcome o = s.advance_past(seen, &desired);
  EXPECT_TRUE(o.ok()) << o.message;
  return desired;
}

class DesiredStateTest : public ::testing::Test {
 public:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart-desired-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<DesiredState> open_ok() {
    std::vector<std::string> errors;
    auto s = DesiredState::open(dir_, &errors);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(*s) : nullptr;
  }
  void write(const std::string& file, const std::string& text) { std::ofstream(dir_ + "/" + file) << text; }
  std::string read(const std::string& file) {
    std::ifstream in(dir_ + "/" + file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string dir_;
};

TEST_F(DesiredStateTest, EmptyDirectoryStartsAtVersionOne) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version(), 1u);
  EXPECT_EQ(origin_number(s->snapshot()->policy.origin), "controller:1");
  EXPECT_EQ(read(".rampart-version").substr(0, 2), "1\n");
}

TEST_F(DesiredStateTest, ApplyWritesTheDocumentAndBumpsThePersistedVersion) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("web", "rules:\n  - name: web\n    action: allow\n", false, &errors, &r).ok());
  EXPECT_EQ(r.version, 2u);
  EXPECT_EQ(r.rules, 1u);
  EXPECT_EQ(read("web.yaml"), "rules:\n  - name: web\n    action: allow\n");
  EXPECT_EQ(s->snapshot()->version, 2u);
  EXPECT_EQ(origin_number(s->snapshot()->policy.origin), "controller:2");
  // The same text again is not a change.
  ASSERT_TRUE(s->apply("web", "rules:\n  - name: web\n    action: allow\n", false, &errors, &r).ok());
  EXPECT_EQ(r.version, 2u);
  ASSERT_TRUE(s->apply("base", "default_action: deny\n", false, &errors, &r).ok());
  EXPECT_EQ(r.version, 3u);
  StoredDocument d;
  ASSERT_TRUE(s->get("web", &d).ok());
  EXPECT_EQ(d.version, 2u);
  s.reset();
  // Reopened: same documents, same version, same per-document versions.
  auto again = open_ok();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->version(), 3u);
  ASSERT_EQ(again->list().size(), 2u);
  EXPECT_EQ(again->list()[0].name, "base");
  EXPECT_EQ(again->list()[0].version, 3u);
  EXPECT_EQ(again->list()[1].version, 2u);
  EXPECT_EQ(again->snapshot()->policy.default_action, policy::Action::kDeny);
}

TEST_F(DesiredStateTest, InvalidApplyChangesNothing) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  const Outcome o = s->apply("web", "rules:\n  - name: web\n    action: permit\n", false, &errors, &r);
  EXPECT_EQ(o.code, Outcome::Code::kInvalidArgument);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(o.message, errors[0]);
  EXPECT_EQ(errors[0].rfind("web.yaml:3:13: error: ", 0), 0u) << errors[0];
  EXPECT_FALSE(fs::exists(dir_ + "/web.yaml"));
  EXPECT_EQ(s->version(), 1u);
  EXPECT_EQ(s->apply("Bad Name", "default_action: deny\n", false, &errors, &r).code,
            Outcome::Code::kInvalidArgument);
}

TEST_F(DesiredStateTest, DryRunChangesNothing) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("web", "default_action: deny\n", true, &errors, &r).ok());
  EXPECT_EQ(r.version, 1u);
  EXPECT_FALSE(fs::exists(dir_ + "/web.yaml"));
  EXPECT_TRUE(s->list().empty());
}

TEST_F(DesiredStateTest, ConflictWithAStoredDocument) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("base", "default_action: deny\n", false, &errors, &r).ok());
  const Outcome o = s->apply("web", "default_action: allow\n", false, &errors, &r);
  EXPECT_EQ(o.code, Outcome::Code::kInvalidArgument);
  EXPECT_NE(o.message.find("web.yaml:1:17: error: 'default_action' is already set by base.yaml:1:17"),
            std::string::npos)
      << o.message;
}

TEST_F(DesiredStateTest, DeleteBumpsTheVersion) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("web", "default_action: deny\n", false, &errors, &r).ok());
  uint64_t v = 0;
  EXPECT_EQ(s->remove("nope", &v).code, Outcome::Code::kNotFound);
  ASSERT_TRUE(s->remove("web", &v).ok());
  EXPECT_EQ(v, 3u);
  EXPECT_FALSE(fs::exists(dir_ + "/web.yaml"));
  EXPECT_EQ(s->snapshot()->policy.default_action, policy::Action::kAllow);
  StoredDocument d;
  EXPECT_EQ(s->get("web", &d).code, Outcome::Code::kNotFound);
}

TEST_F(DesiredStateTest, DocumentsEditedWhileStoppedGetANewVersion) {
  {
    auto s = open_ok();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->version(), 1u);
  }
  write("web.yaml", "default_action: deny\n");
  auto s = open_ok();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version(), 2u);
  s.reset();
  auto same = open_ok();  // nothing changed since: no bump
  ASSERT_TRUE(same);
  EXPECT_EQ(same->version(), 2u);
}

TEST_F(DesiredStateTest, InvalidDocumentsRefuseToOpen) {
  write("a.yaml", "default_action: deny\n");
  write("b.yaml", "default_action: allow\nrules:\n  - action: nope\n");
  std::vector<std::string> errors;
  auto s = DesiredState::open(dir_, &errors);
  ASSERT_FALSE(s.ok());
  ASSERT_EQ(errors.size(), 1u);  // b fails to compile, so its default_action is not considered
  EXPECT_EQ(errors[0].rfind("b.yaml:3:13: error: ", 0), 0u) << errors[0];
}

TEST_F(DesiredStateTest, AdvancePastAnApplianceAhead) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  EXPECT_EQ(advance(*s, 0), 1u);
  EXPECT_EQ(advance(*s, 7), 8u);
  EXPECT_EQ(s->snapshot()->version, 8u);
  EXPECT_EQ(origin_number(s->snapshot()->policy.origin), "controller:8");
  s.reset();
  auto again = open_ok();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->version(), 8u);
}

TEST_F(DesiredStateTest, CorruptVersionFileIsAnError) {
  write(".rampart-version", "banana\n");
  std::vector<std::string> errors;
  auto s = DesiredState::open(dir_, &errors);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(".rampart-version:1: 'banana' is not a policy version"), std::string::npos)
      << s.error().message;
}

// Issue 9 part 4, defect 1: a version with no successor is never computed
// (it wrapped to 0 before, which the next start refused) and the version
// file always holds a version the next start accepts.
TEST_F(DesiredStateTest, VersionsNeverWrap) {
  const uint64_t top = api::kMaxPolicyVersion;
  auto s = open_ok();
  ASSERT_TRUE(s);
  ASSERT_EQ(advance(*s, top - 2), top - 1);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("a", "default_action: deny\n", false, &errors, &r).ok());
  EXPECT_EQ(r.version, top);
  const std::string file = read(".rampart-version");
  // The next change would need top + 1: refused, nothing written.
  const Outcome o = s->apply("b", "rules:\n  - name: x\n    action: allow\n", false, &errors, &r);
  EXPECT_EQ(o.code, Outcome::Code::kFailedPrecondition);
  EXPECT_NE(o.message.find(fmt::format("policy version {} has no successor", top)), std::string::npos) << o.message;
  EXPECT_FALSE(fs::exists(dir_ + "/b.yaml"));
  EXPECT_EQ(read(".rampart-version"), file);
  EXPECT_EQ(s->version(), top);
  uint64_t v = 0;
  EXPECT_EQ(s->remove("a", &v).code, Outcome::Code::kFailedPrecondition);
  EXPECT_TRUE(fs::exists(dir_ + "/a.yaml"));
  // An appliance at the top cannot be passed; one below is no change.
  uint64_t desired = 0;
  const Outcome past = s->advance_past(top, &desired);
  EXPECT_EQ(past.code, Outcome::Code::kFailedPrecondition);
  EXPECT_NE(past.message.find("has no successor"), std::string::npos);
  EXPECT_EQ(desired, top);
  EXPECT_EQ(advance(*s, top - 5), top);
  EXPECT_EQ(s->version(), top);
  s.reset();
  auto again = open_ok();  // always able to start again
  ASSERT_TRUE(again);
  EXPECT_EQ(again->version(), top);
  EXPECT_TRUE(again->startup_problems().empty());
}

TEST_F(DesiredStateTest, DocumentsEditedWhileStoppedAtTheTopStillStart) {
  const uint64_t top = api::kMaxPolicyVersion;
  write(".rampart-version", std::to_string(top) + "\n");
  write("a.yaml", "default_action: deny\n");
  auto s = open_ok();  // documents changed since the stored version: it cannot grow, and still starts
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version(), top);
  ASSERT_EQ(s->startup_problems().size(), 1u);
  EXPECT_NE(s->startup_problems()[0].find("has no successor"), std::string::npos) << s->startup_problems()[0];
  EXPECT_EQ(read(".rampart-version"), std::to_string(top) + "\n");  // not stored as if it were that version
  const std::string origin = s->snapshot()->policy.origin;
  s.reset();
  auto again = open_ok();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->startup_problems().size(), 1u);  // said at every start
  EXPECT_EQ(again->snapshot()->policy.origin, origin);
}

TEST_F(DesiredStateTest, VersionFileOutsideTheRangeIsAnErrorThatSaysWhatToDo) {
  for (const std::string bad : {"0", "9223372036854775808", "18446744073709551615"}) {
    write(".rampart-version", bad + "\n");
    std::vector<std::string> errors;
    auto s = DesiredState::open(dir_, &errors);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.error().message.find(fmt::format(".rampart-version:1: '{}' is not a policy version (1-{})", bad,
                                                 api::kMaxPolicyVersion)),
              std::string::npos)
        << s.error().message;
    EXPECT_NE(s.error().message.find("remove it to start again at version 1"), std::string::npos);
  }
  VersionState st;
  st.version = 0;
  EXPECT_FALSE(save_version_state(dir_, st).ok());
  st.version = api::kMaxPolicyVersion + 1;
  EXPECT_FALSE(save_version_state(dir_, st).ok());
}

// The origin names the policy, not only its number: the same documents
// give the same origin after a restart; other documents under the same
// number (a state directory restored from an old backup) another one.
TEST_F(DesiredStateTest, OriginIdentifiesThePolicy) {
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  auto s = open_ok();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->apply("a", "default_action: deny\n", false, &errors, &r).ok());
  const std::string origin = s->snapshot()->policy.origin;
  EXPECT_EQ(origin_number(origin), "controller:2");
  EXPECT_NE(origin.find('#'), std::string::npos);
  s.reset();
  auto same = open_ok();
  ASSERT_TRUE(same);
  EXPECT_EQ(same->snapshot()->policy.origin, origin);
  same.reset();
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  auto other = open_ok();
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->apply("a", "default_action: allow\n", false, &errors, &r).ok());
  EXPECT_EQ(origin_number(other->snapshot()->policy.origin), "controller:2");
  EXPECT_NE(other->snapshot()->policy.origin, origin);
}

cp::LabeledAddress workload(const char* ip, std::map<std::string, std::string> labels) {
  std::string why;
  return {*cp::parse_cidr(ip, &why), std::move(labels)};
}

constexpr const char* kGroups = "groups:\n  - name: web\n    selector: {app: web}\n    mode: monitor\n"
                                "rules:\n  - name: to-web\n    action: allow\n    dst: group:web\n";

TEST_F(DesiredStateTest, SnapshotIsResolvedAndEmptyGroupRulesAreReported) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("web", kGroups, true, &errors, &r).ok());
  EXPECT_EQ(r.rules, 0u);  // no workload yet: to-web matches nothing
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0],
            "web.yaml:6: warning: rule 'to-web' is inactive (left out, it matches nothing): dst group 'web' has no "
            "members");
  ASSERT_TRUE(s->apply("web", kGroups, false, &errors, &r).ok());
  EXPECT_EQ(r.version, 2u);
  const auto snap = s->snapshot();
  EXPECT_TRUE(policy::fully_resolved(snap->policy));
  EXPECT_TRUE(snap->policy.rules.empty());  // never an empty dst, which would be "any"
  ASSERT_EQ(snap->policy.groups.size(), 1u);
  EXPECT_EQ(snap->policy.groups[0].mode, policy::GroupMode::kMonitor);
  EXPECT_TRUE(snap->policy.has_signature_sets);
  EXPECT_EQ(snap->warnings, r.warnings);
}

TEST_F(DesiredStateTest, InventoryChangesThatMoveMembersBumpTheVersion) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("web", kGroups, false, &errors, &r).ok());
  ASSERT_EQ(s->version(), 2u);
  bool bumped = false;
  // A workload the selector does not take: no member moves.
  ASSERT_TRUE(s->set_workloads(1, {workload("198.18.1.9", {{"app", "db"}})}, &bumped).ok());
  EXPECT_FALSE(bumped);
  EXPECT_EQ(s->version(), 2u);
  // One that it takes: a new version, with the rule active again.
  ASSERT_TRUE(s->set_workloads(2, {workload("198.18.1.9", {{"app", "db"}}), workload("198.18.1.10", {{"app", "web"}})},
                               &bumped)
                  .ok());
  EXPECT_TRUE(bumped);
  EXPECT_EQ(s->version(), 3u);
  auto snap = s->snapshot();
  EXPECT_EQ(snap->version, 3u);
  EXPECT_EQ(origin_number(snap->policy.origin), "controller:3");
  ASSERT_EQ(snap->policy.rules.size(), 1u);
  ASSERT_EQ(snap->policy.rules[0].dst.size(), 1u);
  EXPECT_EQ(cp::format_cidr(snap->policy.rules[0].dst[0]), "198.18.1.10/32");
  EXPECT_TRUE(snap->warnings.empty());
  // Labels changed elsewhere, same members: no new version.
  ASSERT_TRUE(s->set_workloads(3, {workload("198.18.1.10", {{"app", "web"}, {"team", "x"}})}, &bumped).ok());
  EXPECT_FALSE(bumped);
  EXPECT_EQ(s->version(), 3u);
  // An older generation (a racing call) is ignored.
  ASSERT_TRUE(s->set_workloads(1, {}, &bumped).ok());
  EXPECT_FALSE(bumped);
  EXPECT_EQ(s->snapshot()->policy.rules.size(), 1u);
  // The member leaves: a new version, the rule left out again.
  ASSERT_TRUE(s->set_workloads(4, {}, &bumped).ok());
  EXPECT_TRUE(bumped);
  EXPECT_EQ(s->version(), 4u);
  EXPECT_TRUE(s->snapshot()->policy.rules.empty());
  s.reset();
  auto again = open_ok();  // persisted like a document change
  ASSERT_TRUE(again);
  EXPECT_EQ(again->version(), 4u);
  StoredDocument d;
  ASSERT_TRUE(again->get("web", &d).ok());
  EXPECT_EQ(d.version, 2u);  // the document itself did not change
}

TEST_F(DesiredStateTest, RestartWithoutGroupsNeverBumpsOnInventory) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("edge", "rules:\n  - action: allow\n    dst: 198.18.1.0/24\n", false, &errors, &r).ok());
  s.reset();
  auto again = open_ok();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->version(), 2u);
  bool bumped = true;
  ASSERT_TRUE(again->set_workloads(1, {workload("198.18.1.10", {{"app", "web"}})}, &bumped).ok());
  EXPECT_FALSE(bumped);
  EXPECT_EQ(again->version(), 2u);
}

// Version 3: kGroups applied (2), then `web` joined the group (3); the
// controller then stops.
void run_until_stopped(DesiredStateTest& t, const cp::LabeledAddress& web) {
  auto s = t.open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("web", kGroups, false, &errors, &r).ok());
  bool bumped = false;
  ASSERT_TRUE(s->set_workloads(1, {web}, &bumped).ok());
  ASSERT_TRUE(bumped);
  ASSERT_EQ(s->version(), 3u);
}

TEST_F(DesiredStateTest, RestartThenTheInventoryComesBack) {
  const auto web = workload("198.18.1.10", {{"app", "web"}});
  run_until_stopped(*this, web);
  auto s = open_ok();  // no inventory yet: same version, empty group
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version(), 3u);
  EXPECT_TRUE(s->snapshot()->policy.rules.empty());
  bool bumped = false;
  // The same workloads again: the members match what version 3 was made
  // with, but the published snapshot had none, so appliances restarted in
  // between may run an empty group: a new version.
  ASSERT_TRUE(s->set_workloads(1, {web}, &bumped).ok());
  EXPECT_TRUE(bumped);
  EXPECT_EQ(s->version(), 4u);
  EXPECT_EQ(s->snapshot()->policy.rules.size(), 1u);
  ASSERT_TRUE(s->set_workloads(2, {web}, &bumped).ok());
  EXPECT_FALSE(bumped);
}

TEST_F(DesiredStateTest, RestartThenAnInventoryWithoutMembers) {
  run_until_stopped(*this, workload("198.18.1.10", {{"app", "web"}}));
  auto s = open_ok();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version(), 3u);
  bool bumped = false;
  // Nothing matches now, like the snapshot at start, but version 3 had a
  // member (the persisted digest says so): the appliances must drop it.
  ASSERT_TRUE(s->set_workloads(1, {workload("198.18.1.11", {{"app", "db"}})}, &bumped).ok());
  EXPECT_TRUE(bumped);
  EXPECT_EQ(s->version(), 4u);
}

// The controller as main() starts it: the persisted inventory first, then
// the desired state resolved against it.
std::unique_ptr<DesiredState> open_with(DesiredStateTest& t, Inventory& inventory) {
  auto had = inventory.load(t.dir_);
  EXPECT_TRUE(had.ok()) << (had.ok() ? "" : had.error().message);
  DesiredState::OpenOptions opt;
  opt.workloads_persisted = had.ok() && *had;
  opt.workloads = inventory.labeled_addresses(&opt.workloads_generation);
  std::vector<std::string> errors;
  auto s = DesiredState::open(t.dir_, &errors, std::move(opt));
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? std::move(*s) : nullptr;
}

WorkloadChange upsert_of(const std::string& ip, const std::string& name, std::map<std::string, std::string> labels) {
  WorkloadChange change;
  change.upsert.push_back(Workload{ip, name, std::move(labels)});
  return change;
}

// What InventoryService::UpsertWorkloads does.
Outcome upsert(Inventory& inventory, DesiredState& s, const WorkloadChange& req, bool* bumped) {
  uint64_t count = 0;
  const Outcome o = inventory.upsert(req, &count);
  if (!o.ok()) return o;
  uint64_t generation = 0;
  auto workloads = inventory.labeled_addresses(&generation);
  return s.set_workloads(generation, std::move(workloads), bumped);
}

TEST_F(DesiredStateTest, RestartWithThePersistedInventoryKeepsVersionAndMembers) {
  {
    Inventory inventory;
    auto s = open_with(*this, inventory);
    ASSERT_TRUE(s);
    std::vector<std::string> errors;
    DesiredState::ApplyResult r;
    ASSERT_TRUE(s->apply("web", kGroups, false, &errors, &r).ok());
    bool bumped = false;
    ASSERT_TRUE(upsert(inventory, *s, upsert_of("198.18.1.10", "docker:web-1", {{"app", "web"}}), &bumped).ok());
    ASSERT_TRUE(bumped);
    ASSERT_EQ(s->version(), 3u);
    ASSERT_TRUE(fs::exists(dir_ + "/.rampart-inventory"));
  }
  Inventory inventory;
  auto s = open_with(*this, inventory);  // restarted: nothing re-sent yet
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version(), 3u);
  const auto snap = s->snapshot();
  EXPECT_EQ(snap->version, 3u);
  ASSERT_EQ(snap->policy.rules.size(), 1u);  // the group is not empty
  ASSERT_EQ(snap->policy.rules[0].dst.size(), 1u);
  EXPECT_EQ(cp::format_cidr(snap->policy.rules[0].dst[0]), "198.18.1.10/32");
  EXPECT_TRUE(snap->warnings.empty());
  ASSERT_EQ(inventory.list().size(), 1u);
  EXPECT_EQ(inventory.list()[0].name, "docker:web-1");
  EXPECT_EQ(inventory.list()[0].labels.at("app"), "web");
  // The orchestrator re-sends the same workloads: nothing moves.
  bool bumped = true;
  ASSERT_TRUE(upsert(inventory, *s, upsert_of("198.18.1.10", "docker:web-1", {{"app", "web"}}), &bumped).ok());
  EXPECT_FALSE(bumped);
  EXPECT_EQ(s->version(), 3u);
  // A document change keeps the members too.
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("base", "default_action: deny\n", false, &errors, &r).ok());
  EXPECT_EQ(r.version, 4u);
  EXPECT_EQ(r.rules, 1u);
}

TEST_F(DesiredStateTest, PersistedMembersOtherThanTheStoredVersionsAreANewVersion) {
  // Version 3 was made with .10; the inventory file says .11 (a crash
  // between the inventory write and the version write).
  run_until_stopped(*this, workload("198.18.1.10", {{"app", "web"}}));
  write(".rampart-inventory",
        R"({"format": 1, "workloads": [{"ip": "198.18.1.11", "workload": "w", "labels": {"app": "web"}}]})");
  {
    Inventory inventory;
    auto s = open_with(*this, inventory);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->version(), 4u);
    ASSERT_EQ(s->snapshot()->policy.rules.size(), 1u);
    EXPECT_EQ(cp::format_cidr(s->snapshot()->policy.rules[0].dst[0]), "198.18.1.11/32");
  }
  Inventory inventory;
  auto s = open_with(*this, inventory);  // and that is persisted
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version(), 4u);
}

TEST_F(DesiredStateTest, RemovedWorkloadsArePersistedForApplianceCatchUp) {
  {
    Inventory inventory;
    ASSERT_TRUE(inventory.load(dir_).ok());
    uint64_t count = 0;
    ASSERT_TRUE(inventory.upsert(upsert_of("198.18.1.10", "a", {}), &count).ok());
    ASSERT_TRUE(inventory.upsert(upsert_of("2001:db8::1", "b", {{"k", "v"}}), &count).ok());
    WorkloadChange gone;
    gone.remove_ips.push_back("198.18.1.10");
    ASSERT_TRUE(inventory.upsert(gone, &count).ok());
    EXPECT_EQ(count, 1u);
  }
  Inventory inventory;
  auto had = inventory.load(dir_);
  ASSERT_TRUE(had.ok());
  EXPECT_TRUE(*had);
  const auto full = inventory.full_update();
  ASSERT_EQ(full.bindings.size(), 1u);
  EXPECT_EQ(full.bindings[0].ip, "2001:db8::1");
  EXPECT_EQ(full.bindings[0].labels.at("k"), "v");
  ASSERT_EQ(full.removed.size(), 1u);
  EXPECT_EQ(full.removed[0], "198.18.1.10");
}

TEST_F(DesiredStateTest, CorruptInventoryFileIsAnError) {
  Inventory fresh;
  auto none = fresh.load(dir_);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);  // missing: empty
  for (const char* text : {"{\"format\": 1, \"workloads\": [", "[]",
                           R"({"format": 1, "workloads": [{"ip": "198.18.1.300", "workload": "w"}]})",
                           R"({"format": 1, "workloads": [{"ip": "198.18.1.3", "workload": ""}]})",
                           R"({"format": 2, "workloads": []})"}) {
    write(".rampart-inventory", text);
    Inventory inventory;
    auto r = inventory.load(dir_);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().message.rfind(dir_ + "/.rampart-inventory: not a valid workload inventory: ", 0), 0u)
        << r.error().message;
  }
}

TEST_F(DesiredStateTest, InventoryWriteFailureIsUnavailableAndChangesNothing) {
  Inventory inventory;
  ASSERT_TRUE(inventory.load(dir_ + "/missing").ok());  // a directory that cannot be written to
  uint64_t count = 0;
  const Outcome o = inventory.upsert(upsert_of("198.18.1.10", "a", {}), &count);
  EXPECT_EQ(o.code, Outcome::Code::kUnavailable);
  EXPECT_NE(o.message.find(".rampart-inventory"), std::string::npos) << o.message;
  EXPECT_TRUE(inventory.list().empty());
  EXPECT_EQ(inventory.generation(), 0u);
}

TEST_F(DesiredStateTest, SignatureCacheDirectoryIsNotADocument) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  const std::string doc = "signature_sets:\n  - name: s\n    rules: |\n"
                          "      alert http any any -> any any (msg:\"x\"; http.uri; content:\"evil\"; sid:7;)\n";
  ASSERT_TRUE(s->apply("sigs", doc, false, &errors, &r).ok()) << (errors.empty() ? "" : errors[0]);
  EXPECT_TRUE(fs::is_directory(dir_ + "/.hs-cache"));
  // Refused by the compiler, not the parser: refused by apply.
  const Outcome o = s->apply(
      "sigs", "signature_sets:\n  - name: s\n    rules: |\n"
              "      alert icmp any any -> any any (msg:\"p\"; content:\"abcd\"; sid:2;)\n",
      false, &errors, &r);
  EXPECT_EQ(o.code, Outcome::Code::kInvalidArgument);
  EXPECT_EQ(o.message, "sigs.yaml:4: error: s:1: unsupported: content on ICMP payloads is not inspected (sid 2)");
  EXPECT_EQ(s->version(), 2u);
  s.reset();
  auto again = open_ok();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->version(), 2u);
}

TEST_F(DesiredStateTest, RemovingTheDocumentThatDefinesAReferencedGroupIsRefused) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("groups", "groups:\n  - name: web\n    cidrs: 198.18.1.0/24\n", false, &errors, &r).ok());
  ASSERT_TRUE(s->apply("rules", "rules:\n  - name: r\n    action: deny\n    src: group:web\n", false, &errors, &r)
                  .ok());
  ASSERT_EQ(s->snapshot()->policy.rules.size(), 1u);
  EXPECT_EQ(cp::format_cidr(s->snapshot()->policy.rules[0].src[0]), "198.18.1.0/24");
  uint64_t v = 0;
  const Outcome o = s->remove("groups", &v);
  EXPECT_EQ(o.code, Outcome::Code::kInvalidArgument);
  EXPECT_NE(o.message.find("rules.yaml:4:10: error: rule 'r' refers to group 'web', which is not defined"),
            std::string::npos)
      << o.message;
  EXPECT_EQ(s->version(), 3u);
}

}  // namespace
}  // namespace rampart::controller

namespace rampart::controller {
namespace {

// Issue 9 part 4, defect 5: a change that cannot be written in full changes
// nothing (it used to leave the new document in place, in memory and on
// the appliances, while the version file write failed). Failures are
// injected by putting a directory where a file must go; the full-disk
// case itself runs in tests/e2e/controller_full_disk_test.sh.
class FailedCommitTest : public DesiredStateTest {
 public:
  // Every name in the directory but the given ones.
  std::set<std::string> names() {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.insert(e.path().filename().string());
    return out;
  }
  void block(const std::string& name) {
    fs::remove(dir_ + "/" + name);
    fs::create_directories(dir_ + "/" + name + "/x");
  }
  void unblock(const std::string& name) { fs::remove_all(dir_ + "/" + name); }
};

TEST_F(FailedCommitTest, VersionFileThatCannotBeReplacedUndoesTheDocument) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("web", "default_action: deny\n", false, &errors, &r).ok());
  const std::string version_file = read(".rampart-version");
  const std::string origin = s->snapshot()->policy.origin;
  block(".rampart-version");  // staged fine, but the rename over it fails
  const auto before = names();
  // A replaced document comes back, a new one goes, a removed one stays.
  Outcome o = s->apply("web", "default_action: allow\n", false, &errors, &r);
  EXPECT_EQ(o.code, Outcome::Code::kUnavailable);
  EXPECT_NE(o.message.find("nothing changed"), std::string::npos) << o.message;
  EXPECT_EQ(read("web.yaml"), "default_action: deny\n");
  EXPECT_EQ(s->apply("db", "rules: []\n", false, &errors, &r).code, Outcome::Code::kUnavailable);
  EXPECT_FALSE(fs::exists(dir_ + "/db.yaml"));
  uint64_t v = 0;
  EXPECT_EQ(s->remove("web", &v).code, Outcome::Code::kUnavailable);
  EXPECT_EQ(read("web.yaml"), "default_action: deny\n");
  EXPECT_EQ(names(), before);  // nothing staged is left behind
  EXPECT_EQ(s->version(), 2u);
  EXPECT_EQ(s->snapshot()->policy.origin, origin);
  EXPECT_EQ(s->snapshot()->policy.default_action, policy::Action::kDeny);
  StoredDocument d;
  EXPECT_EQ(s->get("db", &d).code, Outcome::Code::kNotFound);
  unblock(".rampart-version");
  write(".rampart-version", version_file);
  // Space (here: the name) back: the same change goes through.
  ASSERT_TRUE(s->apply("web", "default_action: allow\n", false, &errors, &r).ok());
  EXPECT_EQ(r.version, 3u);
  EXPECT_EQ(read("web.yaml"), "default_action: allow\n");
}

TEST_F(FailedCommitTest, DocumentThatCannotBeStagedChangesNothing) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  const std::string version_file = read(".rampart-version");
  block(staging_name(dir_ + "/web.yaml", "tmp").substr(dir_.size() + 1));
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  const Outcome o = s->apply("web", "default_action: deny\n", false, &errors, &r);
  EXPECT_EQ(o.code, Outcome::Code::kUnavailable);
  EXPECT_NE(o.message.find("cannot write"), std::string::npos) << o.message;
  EXPECT_FALSE(fs::exists(dir_ + "/web.yaml"));
  EXPECT_EQ(read(".rampart-version"), version_file);
  EXPECT_EQ(s->version(), 1u);
}

TEST_F(FailedCommitTest, VersionFileThatCannotBeWrittenChangesNoMembers) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<std::string> errors;
  DesiredState::ApplyResult r;
  ASSERT_TRUE(s->apply("web", kGroups, false, &errors, &r).ok());
  const std::string origin = s->snapshot()->policy.origin;
  block(staging_name(dir_ + "/.rampart-version", "tmp").substr(dir_.size() + 1));
  bool bumped = true;
  const Outcome o = s->set_workloads(1, {workload("198.18.1.10", {{"app", "web"}})}, &bumped);
  EXPECT_EQ(o.code, Outcome::Code::kUnavailable);
  EXPECT_FALSE(bumped);
  EXPECT_EQ(s->snapshot()->policy.origin, origin);
  EXPECT_TRUE(s->snapshot()->policy.rules.empty());  // still no member
  uint64_t desired = 0;
  EXPECT_EQ(s->advance_past(9, &desired).code, Outcome::Code::kUnavailable);
  EXPECT_EQ(desired, 2u);
  EXPECT_EQ(s->version(), 2u);
  unblock(staging_name(dir_ + "/.rampart-version", "tmp").substr(dir_.size() + 1));
  // The same workloads again (same generation: an orchestrator's retry).
  ASSERT_TRUE(s->set_workloads(1, {workload("198.18.1.10", {{"app", "web"}})}, &bumped).ok());
  EXPECT_TRUE(bumped);
  EXPECT_EQ(s->snapshot()->policy.rules.size(), 1u);
}

TEST_F(FailedCommitTest, LeftoversOfACrashAreRemovedAtStart) {
  write("web.yaml", "default_action: deny\n");
  write(".web.yaml.tmp4242", "default_action: allow\n");
  write(".web.yaml.old77", "default_action: allow\n");
  write(".rampart-version.tmp5", "9\n");
  write(".notes.tmp", "kept: not ours\n");
  auto s = open_ok();
  ASSERT_TRUE(s);
  EXPECT_EQ(names(), (std::set<std::string>{".notes.tmp", ".rampart-version", "web.yaml"}));
  EXPECT_EQ(s->snapshot()->policy.default_action, policy::Action::kDeny);
}

TEST(StagedFile, LeftoverNames) {
  EXPECT_TRUE(is_staging_leftover(".web.yaml.tmp123"));
  EXPECT_TRUE(is_staging_leftover(".rampart-version.old9"));
  EXPECT_TRUE(is_staging_leftover(staging_name("/d/x.yaml", "tmp").substr(3)));
  EXPECT_FALSE(is_staging_leftover("web.yaml.tmp123"));  // not hidden: a document's name
  EXPECT_FALSE(is_staging_leftover(".web.yaml.tmp"));
  EXPECT_FALSE(is_staging_leftover(".tmp12"));
  EXPECT_FALSE(is_staging_leftover(".hs-cache"));
  EXPECT_FALSE(is_staging_leftover(".rampart-inventory"));
}

}  // namespace
}  // namespace rampart::controller

namespace rampart::controller {
namespace {

// Issue 9 part 4, defect 11: documents are read only if they are regular
// files within --max-document-bytes (a symlink to /dev/zero grew the
// controller's memory without end); so are the version and inventory
// files. Every refusal names the file.
TEST_F(DesiredStateTest, DocumentsThatAreNotRegularFilesOrTooLargeAreRefused) {
  write("ok.yaml", "default_action: deny\n");
  fs::create_symlink("/dev/zero", dir_ + "/zero.yaml");
  ASSERT_EQ(mkfifo((dir_ + "/fifo.yaml").c_str(), 0600), 0);
  write("big.yaml", "# " + std::string(2000, 'x') + "\n");
  std::vector<std::string> errors;
  DesiredState::OpenOptions opt;
  opt.max_document_bytes = 1024;
  auto s = DesiredState::open(dir_, &errors, opt);
  ASSERT_FALSE(s.ok());
  std::sort(errors.begin(), errors.end());
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], dir_ + "/big.yaml: error: 2003 bytes, more than the 1024 bytes allowed for a policy "
                                "document (--max-document-bytes)");
  EXPECT_EQ(errors[1], dir_ + "/fifo.yaml: error: a FIFO, not a regular file: refusing to read it as a policy "
                                "document");
  EXPECT_EQ(errors[2], dir_ + "/zero.yaml: error: a character device, not a regular file: refusing to read it as a "
                                "policy document");
}

TEST_F(DesiredStateTest, ApplyRefusesADocumentOverTheLimit) {
  std::vector<std::string> errors;
  DesiredState::OpenOptions opt;
  opt.max_document_bytes = 1024;
  auto s = DesiredState::open(dir_, &errors, opt);
  ASSERT_TRUE(s.ok());
  DesiredState::ApplyResult r;
  const Outcome o = (*s)->apply("big", "# " + std::string(2000, 'x') + "\n", false, &errors, &r);
  EXPECT_EQ(o.code, Outcome::Code::kInvalidArgument);
  EXPECT_EQ(o.message, "document.yaml: 2003 bytes, at most 1024 (--max-document-bytes)");
  EXPECT_FALSE(fs::exists(dir_ + "/big.yaml"));
}

TEST_F(DesiredStateTest, StateFilesThatAreNotRegularFilesAreRefused) {
  fs::create_symlink("/dev/zero", dir_ + "/.rampart-version");
  std::vector<std::string> errors;
  auto s = DesiredState::open(dir_, &errors);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(".rampart-version: a character device, not a regular file"), std::string::npos)
      << s.error().message;
  ASSERT_EQ(mkfifo((dir_ + "/" + kInventoryFile).c_str(), 0600), 0);
  Inventory inventory;
  auto loaded = inventory.load(dir_);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find(".rampart-inventory: a FIFO, not a regular file"), std::string::npos)
      << loaded.error().message;
}

}  // namespace
}  // namespace rampart::controller
