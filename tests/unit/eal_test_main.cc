// GoogleTest main for units that need DPDK memory (rte_hash, rte_acl,
// mempools): starts the real EAL without hugepages, no PCI, a unique file
// prefix so parallel test binaries do not collide.

#include <rte_eal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::string prefix = "rampart-unit-" + std::to_string(getpid());
  std::vector<std::string> args = {"unit", "--no-huge", "-m", "256", "--no-pci", "-l", "0", "--file-prefix", prefix,
                                   "--log-level", "lib.eal:error", "--no-telemetry"};
  std::vector<char*> eal;
  for (auto& a : args) eal.push_back(a.data());
  if (rte_eal_init(static_cast<int>(eal.size()), eal.data()) < 0) {
    fprintf(stderr, "EAL init failed\n");
    return 1;
  }
  const int rc = RUN_ALL_TESTS();
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  std::error_code ec;
  std::filesystem::remove_all(runtime_dir, ec);
  return rc;
}
