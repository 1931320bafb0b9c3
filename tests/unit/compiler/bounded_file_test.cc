// read_bounded_file (issue 9 part 4, defect 11): a file someone else sizes
// is read only if it is a regular file and within its limit; FIFOs,
// devices (also behind a symlink) and directories are refused without
// reading or blocking, and every error names the file.

#include "controlplane/compiler/bounded_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace rampart::cp {
namespace {

namespace fs = std::filesystem;

class BoundedFileTest : public ::testing::Test {
 public:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart-bounded-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const char* name) const { return dir_ + "/" + name; }
  std::string dir_;
};

TEST_F(BoundedFileTest, RegularFileWithinTheLimit) {
  std::ofstream(path("a.yaml")) << "default_action: deny\n";
  auto t = read_bounded_file(path("a.yaml"), 21, "a policy document");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(*t, "default_action: deny\n");
  fs::create_symlink(path("a.yaml"), path("link.yaml"));  // a symlink to a regular file is fine
  EXPECT_TRUE(read_bounded_file(path("link.yaml"), 21, "a policy document").ok());
  std::ofstream(path("empty.yaml")).flush();
  EXPECT_EQ(*read_bounded_file(path("empty.yaml"), 21, "a policy document"), "");
}

TEST_F(BoundedFileTest, LargerThanTheLimit) {
  std::ofstream(path("a.yaml")) << "default_action: deny\n";
  auto t = read_bounded_file(path("a.yaml"), 20, "a policy document", "--max-document-bytes");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message, path("a.yaml") + ": 21 bytes, more than the 20 bytes allowed for a policy document "
                                                "(--max-document-bytes)");
}

TEST_F(BoundedFileTest, DevicesFifosAndDirectoriesAreRefusedUnread) {
  fs::create_symlink("/dev/zero", path("zero.yaml"));
  auto z = read_bounded_file(path("zero.yaml"), 1 << 20, "a policy document");
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.error().message,
            path("zero.yaml") + ": a character device, not a regular file: refusing to read it as a policy document");
  // Nobody writes to this FIFO: an ordinary open would block forever.
  ASSERT_EQ(mkfifo(path("fifo.yaml").c_str(), 0600), 0);
  auto f = read_bounded_file(path("fifo.yaml"), 1 << 20, "a policy document");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find(path("fifo.yaml") + ": a FIFO, not a regular file"), std::string::npos);
  fs::create_directory(path("dir.yaml"));
  auto d = read_bounded_file(path("dir.yaml"), 1 << 20, "a policy document");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("a directory, not a regular file"), std::string::npos);
  auto m = read_bounded_file(path("missing.yaml"), 1 << 20, "a policy document");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message, path("missing.yaml") + ": No such file or directory");
}

}  // namespace
}  // namespace rampart::cp
