#include "dataplane/rampartd/offline_input.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace rampart::dp {
namespace {

// The bundled signature set: where the build tree's source checkout has it,
// else beside the binary (<dir>/../rules/, <dir>/../share/rampart/rules/).
Result<std::string> bundled_rules_path(const char* argv0) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> tried{RAMPART_BUNDLED_RULES};
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  const fs::path dir = ec ? fs::path(argv0).parent_path() : exe.parent_path();
  tried.push_back(dir / ".." / "rules" / "rampart-web.rules");
  tried.push_back(dir / ".." / "share" / "rampart" / "rules" / "rampart-web.rules");
  std::string where;
  for (const auto& p : tried) {
    if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
    where += (where.empty() ? "" : ", ") + p.lexically_normal().string();
  }
  return Error{fmt::format("the bundled signature set is not at {}; pass --rules FILE_OR_DIR or --no-rules", where)};
}

}  // namespace

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

Result<std::string> TempDir::create() {
  std::error_code ec;
  std::string tmpl = (std::filesystem::temp_directory_path(ec) / "rampart-offline-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return Error{fmt::format("cannot create a temporary directory {}: {}", tmpl, std::strerror(errno))};
  }
  path_ = tmpl;
  return path_;
}

Result<Ok> prepare_offline_input(App& app, TempDir& temp, const char* argv0) {
  Options& o = app.opts;
  for (const std::string* p : {&o.pcap_in, &o.pcap_out}) {
    if (p->find(',') != std::string::npos) {
      return Error{fmt::format("{}: a path with ',' cannot be passed to the net_pcap device; rename it", *p)};
    }
  }
  auto dir = temp.create();
  if (!dir) return dir.error();
  auto scan = scan_capture(o.pcap_in, *dir);
  if (!scan) return scan.error();
  if (scan->truncated) {
    fmt::print(stderr, "rampartd: {}: warning: only the first {} packets can be read: {}\n", o.pcap_in,
               scan->packets, scan->error);
  }
  if (scan->converted) {
    fmt::print(stderr, "rampartd: {}: link type {} read as Ethernet frames\n", o.pcap_in, scan->link_name);
  }
  app.capture = std::move(*scan);
  if (o.checksums == Options::Checksums::kAuto) {
    app.ipv4_checksums = !CaptureScan::offloaded(app.capture->ipv4_bad, app.capture->ipv4_sampled);
    app.l4_checksums = !CaptureScan::offloaded(app.capture->l4_bad, app.capture->l4_sampled);
  } else {
    settle_live_checksums(app);
  }
  // Offline mode inspects with the bundled signature set unless told
  // otherwise (--rules, --no-rules).
  if (!o.no_rules && o.rules.empty() && o.rules_drop.empty()) {
    auto bundled = bundled_rules_path(argv0);
    if (!bundled) return bundled.error();
    fmt::print(stderr, "rampartd: offline mode with the bundled signature set {} (--no-rules for none)\n", *bundled);
    o.rules.push_back(*bundled);
  }
  return Ok{};
}

void settle_live_checksums(App& app) {
  app.ipv4_checksums = app.opts.checksums == Options::Checksums::kYes;
  app.l4_checksums = app.opts.checksums == Options::Checksums::kYes;
}

std::vector<std::string> offline_eal_args(const char* argv0, const Options& o, const std::string& capture) {
  std::string vdev = fmt::format("net_pcap0,rx_pcap={}", capture);
  if (!o.pcap_out.empty()) vdev += fmt::format(",tx_pcap={}", o.pcap_out);
  return {argv0,     "--no-huge",     "-m", "512", "--no-pci", "-l", "0", "--file-prefix",
          fmt::format("rampart-offline-{}", getpid()), "--log-level", "lib.eal:warning", "--vdev", vdev};
}

}  // namespace rampart::dp
