// The controller's desired state: documents on disk, the persisted version.

#include "controlplane/controller/desired_state.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace rampart::controller {
namespace {

namespace fs = std::filesystem;

class DesiredStateTest : public ::testing::Test {
 protected:
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
  EXPECT_EQ(s->snapshot()->policy.origin, "controller:1");
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
  EXPECT_EQ(s->snapshot()->policy.origin, "controller:2");
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
  EXPECT_EQ(again->snapshot()->policy.default_action, cp::Action::kDeny);
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
  EXPECT_EQ(s->snapshot()->policy.default_action, cp::Action::kAllow);
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
  EXPECT_EQ(s->advance_past(0), 1u);
  EXPECT_EQ(s->advance_past(7), 8u);
  EXPECT_EQ(s->snapshot()->version, 8u);
  EXPECT_EQ(s->snapshot()->policy.origin, "controller:8");
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

}  // namespace
}  // namespace rampart::controller
