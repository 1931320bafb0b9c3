#include "dataplane/rampartd/options.h"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace rampart::dp {
namespace {

template <typename T>
bool parse_number(const std::string& s, T* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

bool parse_seconds(const std::string& s, double* out) {
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end != s.c_str() && *end == '\0' && *out >= 0;
}

}  // namespace

const char* usage() {
  return "usage: rampartd [EAL options] -- [options]\n"
         "       rampartd --pcap IN.pcap [--pcap-out OUT.pcap] [options]\n"
         "options:\n"
         "  --policy FILE             policy v0 YAML (default: embedded allow-and-record)\n"
         "  --validate                check the policy (and --rules) and exit\n"
         "  --rules-drop FILE_OR_DIR  signatures whose 'alert' action is enforced as 'drop' (repeatable)\n"
         "  --hs-cache DIR            compiled Hyperscan databases cache (/var/cache/rampart/hyperscan)\n"
         "  --rules FILE_OR_DIR       signature file or directory of *.rules (repeatable); offline mode\n"
         "                            loads the bundled set (rules/rampart-web.rules) when none is given\n"
         "  --no-rules                offline mode: no signatures (L3/L4 only)\n"
         "  --l7                      inspect L7 even with no --rules: signature sets come with a policy\n"
         "                            through the API (rampart-controller)\n"
         "  --grpc-socket PATH        appliance API on a unix socket (/run/rampart/rampartd.sock;\n"
         "                            '' for none; offline mode: none unless given)\n"
         "  --grpc-listen HOST:PORT   appliance API over TCP with TLS (needs --grpc-tls-cert/-key)\n"
         "  --grpc-tls-cert FILE, --grpc-tls-key FILE   this appliance's certificate and key (PEM)\n"
         "  --grpc-tls-client-ca FILE mutual TLS: clients need a certificate from this CA\n"
         "  --appliance-id NAME       this appliance's name in the API (default: hostname)\n"
         "  --eve FILE                write EVE JSON flow and drop events\n"
         "  --pcap FILE               offline mode: process a capture file and exit\n"
         "  --pcap-out FILE           offline mode: write forwarded packets here\n"
         "  --flows N                 flow table capacity per worker (65536)\n"
         "  --flow-table-full drop|bypass   (drop)\n"
         "  --tcp-midstream allow|drop      (allow)\n"
         "  --checksum-validation yes|no|auto   drop IPv4 headers with a bad checksum, and TCP/UDP\n"
         "                            packets with one whose payload is inspected (yes; offline: auto,\n"
         "                            which turns the check off for a capture taken before checksum\n"
         "                            offload filled them in)\n"
         "  --l7-flows N              flows inspected at once per worker (1024)\n"
         "  --l7-on-exhausted drop|bypass   payload of a flow that finds no inspection slot (drop)\n"
         "  --l7-evict-idle SECONDS   a slot idle this long may be taken for a new flow (10)\n"
         "  --frag-memcap BYTES       fragment memory per worker (8388608)\n"
         "  --frag-on-memcap drop|forward   (drop)\n"
         "  --mtu N                   port MTU (1500)\n"
         "  --mbufs N                 mbuf pool size (computed)\n"
         "  --stats-interval SECONDS  print a JSON stats line on stderr\n"
         "  --duration SECONDS        stop after this long\n"
         "  --summary                 print the JSON summary on exit (always in offline mode)\n"
         "see docs/rampartd.md\n";
}

Result<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine cl;
  int split = -1;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      split = i;
      break;
    }
  }
  cl.eal_args.emplace_back(argv[0]);
  int first_opt = 1;
  if (split >= 0) {
    for (int i = 1; i < split; ++i) cl.eal_args.emplace_back(argv[i]);
    first_opt = split + 1;
  }
  Options& o = cl.opts;
  for (int i = first_opt; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string* out) -> bool {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    auto bad = [&](const char* what) { return Error{fmt::format("{}: {} (got '{}')", a, what, v)}; };
    if (a == "-h" || a == "--help") {
      cl.help = true;
    } else if (a == "--validate") {
      o.validate_only = true;
    } else if (a == "--summary") {
      o.summary = true;
    } else if (a == "--no-rules") {
      o.no_rules = true;
    } else if (a == "--l7") {
      o.l7 = true;
    } else if (a == "--hs-cache") {
      if (!value(&v)) return Error{"--hs-cache needs a directory ('' for none)"};
      o.hs_cache_dir = v;
    } else if (a == "--grpc-socket" || a == "--grpc-listen" || a == "--grpc-tls-cert" || a == "--grpc-tls-key" ||
               a == "--grpc-tls-client-ca" || a == "--appliance-id") {
      if (!value(&v)) return Error{fmt::format("{} needs a value", a)};
      if (a == "--grpc-socket") {
        o.grpc_socket = v;
        o.grpc_socket_set = true;
      } else if (a == "--grpc-listen") {
        o.grpc_listen = v;
      } else if (a == "--grpc-tls-cert") {
        o.grpc_tls_cert = v;
      } else if (a == "--grpc-tls-key") {
        o.grpc_tls_key = v;
      } else if (a == "--grpc-tls-client-ca") {
        o.grpc_tls_client_ca = v;
      } else {
        o.appliance_id = v;
      }
    } else if (a == "--rules" || a == "--rules-drop") {
      if (!value(&v)) return Error{fmt::format("{} needs a file or directory", a)};
      (a == "--rules" ? o.rules : o.rules_drop).push_back(v);
    } else if (a == "--policy" || a == "--eve" || a == "--pcap" || a == "--pcap-out" || a == "--flows" ||
               a == "--flow-table-full" || a == "--tcp-midstream" || a == "--checksum-validation" ||
               a == "--frag-memcap" || a == "--l7-flows" || a == "--l7-on-exhausted" || a == "--l7-evict-idle" ||
               a == "--frag-on-memcap" || a == "--mtu" || a == "--mbufs" || a == "--stats-interval" ||
               a == "--duration") {
      if (!value(&v)) return Error{fmt::format("{} needs a value", a)};
      if (a == "--policy") {
        o.policy_file = v;
      } else if (a == "--eve") {
        o.eve_file = v;
      } else if (a == "--pcap") {
        o.pcap_in = v;
      } else if (a == "--pcap-out") {
        o.pcap_out = v;
      } else if (a == "--flows") {
        if (!parse_number(v, &o.flows) || o.flows < 8) return bad("needs a number of flows, at least 8");
      } else if (a == "--flow-table-full") {
        if (v != "drop" && v != "bypass") return bad("must be drop or bypass");
        o.flow_table_full_bypass = v == "bypass";
      } else if (a == "--checksum-validation") {
        if (v != "yes" && v != "no" && v != "auto") return bad("must be yes, no or auto");
        o.checksums = v == "yes" ? Options::Checksums::kYes : v == "no" ? Options::Checksums::kNo
                                                                          : Options::Checksums::kAuto;
        o.checksums_set = true;
      } else if (a == "--l7-flows") {
        if (!parse_number(v, &o.l7_flows) || o.l7_flows < 1 || o.l7_flows > 1'000'000) {
          return bad("needs a number of flows between 1 and 1000000");
        }
      } else if (a == "--l7-on-exhausted") {
        if (v != "drop" && v != "bypass") return bad("must be drop or bypass");
        o.l7_exhausted_bypass = v == "bypass";
      } else if (a == "--l7-evict-idle") {
        if (!parse_seconds(v, &o.l7_evict_idle)) return bad("needs seconds");
      } else if (a == "--tcp-midstream") {
        if (v != "allow" && v != "drop") return bad("must be allow or drop");
        o.tcp_midstream_allow = v == "allow";
      } else if (a == "--frag-memcap") {
        if (!parse_number(v, &o.frag_memcap)) return bad("needs a number of bytes");
      } else if (a == "--frag-on-memcap") {
        if (v != "drop" && v != "forward") return bad("must be drop or forward");
        o.frag_forward_on_memcap = v == "forward";
      } else if (a == "--mtu") {
        if (!parse_number(v, &o.mtu) || o.mtu < 68 || o.mtu > 16000) return bad("needs an MTU between 68 and 16000");
      } else if (a == "--mbufs") {
        if (!parse_number(v, &o.mbufs) || o.mbufs < 1024) return bad("needs a number of mbufs, at least 1024");
      } else if (a == "--stats-interval") {
        if (!parse_seconds(v, &o.stats_interval)) return bad("needs seconds");
      } else if (a == "--duration") {
        if (!parse_seconds(v, &o.duration)) return bad("needs seconds");
      }
    } else if (split < 0) {
      return Error{fmt::format("unknown option '{}'; EAL options go before '--' (try --help)", a)};
    } else {
      return Error{fmt::format("unknown option '{}' (try --help)", a)};
    }
  }
  if (!o.pcap_out.empty() && o.pcap_in.empty()) return Error{"--pcap-out needs --pcap"};
  if (!o.pcap_in.empty() && !o.grpc_socket_set) o.grpc_socket.clear();  // offline: no API unless asked
  if (!o.pcap_in.empty() && !o.checksums_set) o.checksums = Options::Checksums::kAuto;
  if (o.pcap_in.empty() && o.checksums == Options::Checksums::kAuto) {
    return Error{"--checksum-validation auto is for offline mode (--pcap)"};
  }
  if (!o.grpc_listen.empty() && (o.grpc_tls_cert.empty() || o.grpc_tls_key.empty())) {
    return Error{"--grpc-listen needs --grpc-tls-cert and --grpc-tls-key (plaintext TCP is not offered)"};
  }
  if (o.grpc_listen.empty() && (!o.grpc_tls_cert.empty() || !o.grpc_tls_key.empty() || !o.grpc_tls_client_ca.empty())) {
    return Error{"--grpc-tls-* need --grpc-listen"};
  }
  if (o.no_rules && o.l7) return Error{"--no-rules contradicts --l7"};
  if (o.no_rules && (!o.rules.empty() || !o.rules_drop.empty())) {
    return Error{"--no-rules contradicts --rules/--rules-drop"};
  }
  return cl;
}

}  // namespace rampart::dp
