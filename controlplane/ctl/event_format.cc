#include "controlplane/ctl/event_format.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace rampart::ctl {
namespace {

std::string utc_time(uint64_t ns) {
  const std::time_t s = static_cast<std::time_t>(ns / 1000000000ull);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, (ns / 1000000ull) % 1000);
}

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const auto& v = j[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string endpoint(const nlohmann::json& j, const char* ip, const char* port) {
  std::string a = str(j, ip);
  if (a.empty()) return "?";
  if (a.find(':') != std::string::npos) a = "[" + a + "]";
  const std::string p = str(j, port);
  return p.empty() ? a : a + ":" + p;
}

std::string summary(const std::string& type, const nlohmann::json& j) {
  const std::string proto = str(j, "proto");
  const nlohmann::json& rp = j.contains("rampart") ? j["rampart"] : nlohmann::json();
  const std::string rule = str(rp, "rule");
  // A group in monitor/discover mode: the verdict was not enforced.
  const bool unenforced = rp.contains("enforced") && rp["enforced"] == false;
  const std::string note = unenforced ? fmt::format("not enforced: {} mode", str(rp, "mode")) : "";
  if (type == "alert" && j.contains("alert")) {
    const auto& a = j["alert"];
    return fmt::format("[{}:{}] {} ({}{})", str(a, "gid").empty() ? "1" : str(a, "gid"), str(a, "signature_id"),
                       str(a, "signature"), str(a, "action"), unenforced ? ", " + note : "");
  }
  if (type == "drop") {
    const nlohmann::json& d = j.contains("drop") ? j["drop"] : nlohmann::json();
    return fmt::format("{} {}{}{}", proto, str(d, "reason"), rule.empty() ? "" : " rule " + rule,
                       unenforced ? " (" + note + ")" : "");
  }
  if (type == "flow" && j.contains("flow")) {
    const auto& f = j["flow"];
    return fmt::format("{} {} {} pkts {}/{} bytes {}/{}{}", proto, str(f, "action"), str(f, "reason"),
                       str(f, "pkts_toserver"), str(f, "pkts_toclient"), str(f, "bytes_toserver"),
                       str(f, "bytes_toclient"), rule.empty() ? "" : " rule " + rule);
  }
  if (j.contains("anomaly")) {
    const auto& a = j["anomaly"];
    return fmt::format("{} {}", str(a, "type"), str(a, "event"));
  }
  return proto;
}

}  // namespace

void print_event(const EventView& e, bool json) {
  if (e.lost_before != 0) {
    if (json) {
      fmt::print("{}\n", nlohmann::json{{"event_type", "lost"}, {"lost", e.lost_before}}.dump());
    } else {
      fmt::print("-- {} events lost --\n", e.lost_before);
    }
  }
  if (e.eve_json.empty()) return;  // a lost marker only
  auto j = nlohmann::ordered_json::parse(e.eve_json, nullptr, false);
  if (json) {
    if (j.is_object() && !e.appliance_id.empty() && !j.contains("appliance_id")) {
      j["appliance_id"] = e.appliance_id;
      fmt::print("{}\n", j.dump());
    } else {
      fmt::print("{}\n", e.eve_json);
    }
    return;
  }
  const nlohmann::json p = nlohmann::json::parse(e.eve_json, nullptr, false);
  const std::string type = e.type.empty() ? str(p, "event_type") : e.type;
  fmt::print("{}  {}  {:<7}  {} -> {}  {}\n", utc_time(e.timestamp_ns), e.appliance_id.empty() ? "-" : e.appliance_id,
             type, endpoint(p, "src_ip", "src_port"), endpoint(p, "dest_ip", "dest_port"), summary(type, p));
}

}  // namespace rampart::ctl
