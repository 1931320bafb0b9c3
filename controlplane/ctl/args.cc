#include "controlplane/ctl/args.h"

#include <charconv>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "controlplane/api/policy_version.h"

namespace rampart::ctl {
namespace {

bool parse_u64(const std::string& s, uint64_t* out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

const std::set<std::string, std::less<>> kCommands = {
    "apply",    "validate", "get",      "delete",    "list",         "status",     "appliances",
    "counters", "events",   "workloads", "workload-add", "workload-rm", "help"};

}  // namespace

const char* usage() {
  return "usage: rampartctl [global options] COMMAND [options]\n"
         "\n"
         "global options:\n"
         "  --server ADDR        controller: unix:PATH or HOST:PORT (default unix:/run/rampart/controller.sock)\n"
         "  --appliance ADDR     (before COMMAND) talk to one rampartd's appliance API instead:\n"
         "                       status, counters, events and apply -f FILE [--version N]\n"
         "  --tls-ca FILE        CA of the server's certificate (TLS to HOST:PORT)\n"
         "  --tls-cert FILE, --tls-key FILE   client certificate for mutual TLS\n"
         "  -o table|json        output format (default table)\n"
         "  --timeout SECONDS    per request (default 10; apply, validate, delete: 120)\n"
         "\n"
         "commands:\n"
         "  apply -f FILE [--name NAME] [--dry-run]   create or replace a policy document (NAME: file stem)\n"
         "  validate -f FILE [--name NAME]            check a document against the others (a dry run)\n"
         "  get NAME                                  print a document's YAML\n"
         "  delete NAME                               remove a document\n"
         "  list                                      policy documents\n"
         "  status                                    desired version, appliances in sync\n"
         "  appliances                                the appliances and their sync state\n"
         "  counters [--appliance X] [--filter SUBSTR]\n"
         "  events [--type alert|drop|flow|anomaly]... [--appliance X] [--src-ip IP] [--dst-ip IP]\n"
         "         [--dst-port N] [--follow]\n"
         "  workloads                                 the workload inventory\n"
         "  workload-add IP NAME [k=v...]             bind an IP to a workload (with labels)\n"
         "  workload-rm IP                            remove a binding\n"
         "\n"
         "exit codes: 0 ok, 1 request failed, 2 usage error, 3 server unreachable\n";
}

Result<Args> parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string opt = argv[i];
    std::string value;
    bool has_inline = false;
    if (opt.rfind("--", 0) == 0 && opt.find('=') != std::string::npos) {
      value = opt.substr(opt.find('=') + 1);
      opt = opt.substr(0, opt.find('='));
      has_inline = true;
    }
    auto take = [&](std::string* out) -> Result<Ok> {
      if (has_inline) {
        *out = value;
        return Ok{};
      }
      if (i + 1 >= argc) return Error{fmt::format("{} needs a value", opt)};
      *out = argv[++i];
      return Ok{};
    };
    auto flag = [&]() -> Result<Ok> {
      if (has_inline) return Error{fmt::format("{} takes no value", opt)};
      return Ok{};
    };
    std::string v;
    Result<Ok> r = Ok{};
    if (opt == "-h" || opt == "--help") {
      a.help = true;
    } else if (opt == "--server") {
      r = take(&a.server);
    } else if (opt == "--tls-ca") {
      r = take(&a.tls.ca);
    } else if (opt == "--tls-cert") {
      r = take(&a.tls.cert);
    } else if (opt == "--tls-key") {
      r = take(&a.tls.key);
    } else if (opt == "-o" || opt == "--output") {
      r = take(&v);
      if (r && v != "table" && v != "json") return Error{fmt::format("-o {}: use table or json", v)};
      a.json = v == "json";
    } else if (opt == "--timeout") {
      r = take(&v);
      uint64_t t = 0;
      if (r && (!parse_u64(v, &t) || t == 0)) return Error{fmt::format("--timeout {}: not a number of seconds", v)};
      a.timeout_seconds = static_cast<double>(t);
    } else if (opt == "--appliance") {
      // Before the command, or with a command that has no selector: direct mode.
      r = take(&v);
      if (a.command == "counters" || a.command == "events") {
        a.appliance = v;
      } else {
        a.direct_appliance = v;
      }
    } else if (opt == "-f" || opt == "--file") {
      r = take(&a.file);
    } else if (opt == "--name") {
      r = take(&a.name);
    } else if (opt == "--dry-run") {
      r = flag();
      a.dry_run = true;
    } else if (opt == "--version") {
      r = take(&v);
      if (r && (!parse_u64(v, &a.version) || !api::valid_policy_version(a.version))) {
        return Error{fmt::format("--version {}: not a policy version (1-{})", v, api::kMaxPolicyVersion)};
      }
    } else if (opt == "--filter") {
      r = take(&a.filter);
    } else if (opt == "--type") {
      r = take(&v);
      if (r && v != "alert" && v != "drop" && v != "flow" && v != "anomaly") {
        return Error{fmt::format("--type {}: use alert, drop, flow or anomaly", v)};
      }
      a.types.push_back(v);
    } else if (opt == "--src-ip") {
      r = take(&a.src_ip);
    } else if (opt == "--dst-ip") {
      r = take(&a.dst_ip);
    } else if (opt == "--dst-port") {
      r = take(&v);
      uint64_t p = 0;
      if (r && (!parse_u64(v, &p) || p == 0 || p > 65535)) return Error{fmt::format("--dst-port {}: not a port", v)};
      a.dst_port = static_cast<uint32_t>(p);
    } else if (opt == "--follow") {
      r = flag();
      a.follow = true;
    } else if (opt.size() > 1 && opt[0] == '-') {
      return Error{fmt::format("unknown option '{}'", opt)};
    } else if (a.command.empty()) {
      if (!kCommands.count(opt)) return Error{fmt::format("unknown command '{}'", opt)};
      a.command = opt;
    } else {
      a.positional.push_back(opt);
    }
    if (!r) return r.error();
  }
  if (a.help || a.command == "help") {
    a.help = true;
    return a;
  }
  if (a.command.empty()) return Error{"no command given"};
  auto positional = [&](std::size_t min, std::size_t max, const char* what) -> Result<Ok> {
    if (a.positional.size() < min || a.positional.size() > max) {
      return Error{fmt::format("{}: usage: rampartctl {}", a.command, what)};
    }
    return Ok{};
  };
  const std::string& c = a.command;
  Result<Ok> r = Ok{};
  if (c == "apply" || c == "validate") {
    if (a.file.empty()) return Error{fmt::format("{}: -f FILE is required", c)};
    r = positional(0, 0, c == "apply" ? "apply -f FILE [--name NAME] [--dry-run]" : "validate -f FILE [--name NAME]");
    if (c == "validate") a.dry_run = true;
  } else if (c == "get" || c == "delete") {
    r = positional(1, 1, c == "get" ? "get NAME" : "delete NAME");
  } else if (c == "workload-add") {
    r = positional(2, 1000, "workload-add IP NAME [k=v...]");
    for (std::size_t i = 2; r && i < a.positional.size(); ++i) {
      if (a.positional[i].find('=') == std::string::npos || a.positional[i][0] == '=') {
        return Error{fmt::format("workload-add: label '{}' is not k=v", a.positional[i])};
      }
    }
  } else if (c == "workload-rm") {
    r = positional(1, 1, "workload-rm IP");
  } else {
    r = positional(0, 0, c.c_str());
  }
  if (!r) return r.error();
  const bool uses_version = c == "apply" && !a.direct_appliance.empty();
  if (a.version != 0 && !uses_version) return Error{"--version is for apply with --appliance (direct mode)"};
  if (!a.direct_appliance.empty()) {
    if (c != "status" && c != "counters" && c != "events" && c != "apply") {
      return Error{fmt::format("{} needs the controller: --appliance (direct mode) serves status, counters, events "
                               "and apply",
                               c)};
    }
    if (c == "apply" && a.dry_run) return Error{"apply --dry-run needs the controller (use rampartd --validate)"};
  }
  // Changes compile signature sets (Hyperscan: seconds, more for a large
  // new set) before they answer.
  if (a.timeout_seconds == 0) a.timeout_seconds = (c == "apply" || c == "validate" || c == "delete") ? 120 : 10;
  return a;
}

}  // namespace rampart::ctl
