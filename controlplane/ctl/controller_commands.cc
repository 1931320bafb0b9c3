#include "controlplane/ctl/controller_commands.h"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "controller.grpc.pb.h"
#include "controlplane/compiler/bounded_file.h"
#include "controlplane/compiler/policy_compiler.h"
#include "controlplane/ctl/event_format.h"

namespace rampart::ctl {
namespace {

namespace v1 = rampart::v1;

const char* mode_name(v1::GroupMode m) {
  switch (m) {
    case v1::GROUP_MODE_PROTECT: return "protect";
    case v1::GROUP_MODE_MONITOR: return "monitor";
    case v1::GROUP_MODE_DISCOVER: return "discover";
    default: return "unspecified";
  }
}
using nlohmann::ordered_json;

void print_json(const ordered_json& j) { fmt::print("{}\n", j.dump(2)); }

const char* health_name(v1::ApplianceHealth h) {
  switch (h) {
    case v1::APPLIANCE_HEALTH_SERVING: return "serving";
    case v1::APPLIANCE_HEALTH_UNREACHABLE: return "unreachable";
    case v1::APPLIANCE_HEALTH_REJECTED: return "rejected";
    case v1::APPLIANCE_HEALTH_CONFLICT: return "conflict";
    default: return "unknown";
  }
}

const char* type_name(v1::EventType t) {
  switch (t) {
    case v1::EVENT_TYPE_ALERT: return "alert";
    case v1::EVENT_TYPE_DROP: return "drop";
    case v1::EVENT_TYPE_FLOW: return "flow";
    case v1::EVENT_TYPE_ANOMALY: return "anomaly";
    default: return "";
  }
}

v1::EventType type_from_name(const std::string& s) {
  if (s == "alert") return v1::EVENT_TYPE_ALERT;
  if (s == "drop") return v1::EVENT_TYPE_DROP;
  if (s == "flow") return v1::EVENT_TYPE_FLOW;
  return v1::EVENT_TYPE_ANOMALY;
}

int apply(const Client& c) {
  auto text = cp::read_bounded_file(c.args.file, cp::kMaxPolicyFileBytes, "a policy document");
  if (!text) {
    complain(text.error().message);
    return kExitRequest;
  }
  const std::string name = c.args.name.empty() ? std::filesystem::path(c.args.file).stem().string() : c.args.name;
  v1::ApplyPolicyRequest req;
  req.mutable_document()->set_name(name);
  req.mutable_document()->set_yaml(*text);
  req.set_dry_run(c.args.dry_run);
  v1::ApplyPolicyResponse resp;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = v1::PolicyService::NewStub(c.channel)->ApplyPolicy(&ctx, req, &resp);
  if (!s.ok()) return c.fail(s);
  if (c.args.json) {
    ordered_json j{{"name", name}, {"dry_run", c.args.dry_run}, {"valid", resp.errors().empty()},
                   {"version", resp.version()}, {"rules", resp.rules()}};
    j["errors"] = ordered_json::array();
    for (const auto& e : resp.errors()) j["errors"].push_back(e);
    j["warnings"] = ordered_json::array();
    for (const auto& w : resp.warnings()) j["warnings"].push_back(w);
    print_json(j);
    return resp.errors().empty() ? kExitOk : kExitRequest;
  }
  // Raw, one per line, like compiler errors (editors and CI annotate them).
  for (const auto& w : resp.warnings()) fmt::print(stderr, "{}\n", w);
  if (!resp.errors().empty()) {
    for (const auto& e : resp.errors()) fmt::print(stderr, "{}\n", e);
  } else if (c.args.dry_run) {
    fmt::print("{}: valid; the composed policy would have {} rule{} (policy version {} unchanged)\n", name,
               resp.rules(), resp.rules() == 1 ? "" : "s", resp.version());
  } else {
    fmt::print("{}: applied; policy version {}, {} rule{} in the composed policy\n", name, resp.version(),
               resp.rules(), resp.rules() == 1 ? "" : "s");
  }
  return resp.errors().empty() ? kExitOk : kExitRequest;
}

int get(const Client& c) {
  v1::GetPolicyRequest req;
  req.set_name(c.args.positional[0]);
  v1::PolicyDocument d;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = v1::PolicyService::NewStub(c.channel)->GetPolicy(&ctx, req, &d);
  if (!s.ok()) return c.fail(s);
  if (c.args.json) {
    print_json(ordered_json{{"name", d.name()}, {"version", d.version()}, {"yaml", d.yaml()}});
  } else {
    fmt::print("{}{}", d.yaml(), !d.yaml().empty() && d.yaml().back() == '\n' ? "" : "\n");
  }
  return kExitOk;
}

int remove(const Client& c) {
  v1::DeletePolicyRequest req;
  req.set_name(c.args.positional[0]);
  v1::DeletePolicyResponse resp;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = v1::PolicyService::NewStub(c.channel)->DeletePolicy(&ctx, req, &resp);
  if (!s.ok()) return c.fail(s);
  if (c.args.json) {
    print_json(ordered_json{{"name", req.name()}, {"deleted", true}, {"version", resp.version()}});
  } else {
    fmt::print("{}: deleted; policy version {}\n", req.name(), resp.version());
  }
  return kExitOk;
}

int list(const Client& c) {
  v1::ListPoliciesResponse resp;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = v1::PolicyService::NewStub(c.channel)->ListPolicies(&ctx, v1::ListPoliciesRequest(), &resp);
  if (!s.ok()) return c.fail(s);
  if (c.args.json) {
    ordered_json j{{"version", resp.version()}, {"documents", ordered_json::array()}};
    for (const auto& d : resp.documents()) {
      j["documents"].push_back({{"name", d.name()}, {"version", d.version()}, {"yaml", d.yaml()}});
    }
    print_json(j);
    return kExitOk;
  }
  Table t({"NAME", "VERSION", "LINES"});
  for (const auto& d : resp.documents()) {
    const auto lines = std::count(d.yaml().begin(), d.yaml().end(), '\n');
    t.add({d.name(), std::to_string(d.version()), std::to_string(lines)});
  }
  t.print();
  fmt::print("policy version {}\n", resp.version());
  return kExitOk;
}

int status(const Client& c) {
  v1::PolicyStatus st;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = v1::PolicyService::NewStub(c.channel)->GetPolicyStatus(&ctx, v1::GetPolicyStatusRequest(), &st);
  if (!s.ok()) return c.fail(s);
  if (c.args.json) {
    ordered_json j{{"desired_version", st.desired_version()},
                   {"appliances", st.appliances()},
                   {"appliances_in_sync", st.appliances_in_sync()},
                   {"groups", ordered_json::array()},
                   {"warnings", ordered_json::array()}};
    for (const auto& g : st.groups()) {
      ordered_json selector = ordered_json::object();
      for (const auto& [k, v] : g.selector()) selector[k] = v;
      j["groups"].push_back({{"name", g.name()},
                             {"mode", mode_name(g.mode())},
                             {"selector", selector},
                             {"members", std::vector<std::string>(g.members().begin(), g.members().end())},
                             {"source", g.source()}});
    }
    for (const auto& w : st.warnings()) j["warnings"].push_back(w);
    print_json(j);
  } else {
    fmt::print("desired version:  {}\nappliances:       {}\nin sync:          {}\n", st.desired_version(),
               st.appliances(), st.appliances_in_sync());
    for (const auto& g : st.groups()) {
      std::string members;
      for (const auto& m : g.members()) members += (members.empty() ? "" : " ") + m;
      fmt::print("group {} ({}, {}): {}\n", g.name(), mode_name(g.mode()), g.source(), members.empty() ? "no members" : members);
    }
    for (const auto& w : st.warnings()) fmt::print("{}\n", w);
  }
  return kExitOk;
}

int appliances(const Client& c) {
  v1::ListAppliancesResponse resp;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s =
      v1::ApplianceService::NewStub(c.channel)->ListAppliances(&ctx, v1::ListAppliancesRequest(), &resp);
  if (!s.ok()) return c.fail(s);
  if (c.args.json) {
    ordered_json j{{"desired_version", resp.desired_version()}, {"appliances", ordered_json::array()}};
    for (const auto& a : resp.appliances()) {
      j["appliances"].push_back({{"address", a.address()},
                                 {"appliance_id", a.appliance_id()},
                                 {"boot_id", a.boot_id()},
                                 {"health", health_name(a.health())},
                                 {"applied_version", a.applied_version()},
                                 {"policy_origin", a.policy_origin()},
                                 {"in_sync", a.in_sync()},
                                 {"last_seen_unix_ms", a.last_seen_unix_ms()},
                                 {"pushes", a.pushes()},
                                 {"last_error", a.last_error()}});
    }
    print_json(j);
    return kExitOk;
  }
  Table t({"ADDRESS", "ID", "HEALTH", "APPLIED", "IN-SYNC", "PUSHES", "LAST-ERROR"});
  for (const auto& a : resp.appliances()) {
    t.add({a.address(), a.appliance_id().empty() ? "-" : a.appliance_id(), health_name(a.health()),
           std::to_string(a.applied_version()), a.in_sync() ? "yes" : "no", std::to_string(a.pushes()),
           a.last_error().empty() ? "-" : a.last_error()});
  }
  t.print();
  fmt::print("desired version {}\n", resp.desired_version());
  return kExitOk;
}

int counters(const Client& c) {
  v1::GetCountersRequest req;
  req.set_appliance(c.args.appliance);
  v1::GetCountersResponse resp;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = v1::TelemetryService::NewStub(c.channel)->GetCounters(&ctx, req, &resp);
  if (!s.ok()) return c.fail(s);
  int rc = kExitOk;
  ordered_json j = ordered_json::array();
  Table t({"APPLIANCE", "COUNTER", "VALUE"});
  for (const auto& a : resp.appliances()) {
    if (!a.error().empty()) {
      complain(a.error());
      rc = kExitRequest;
    }
    std::map<std::string, uint64_t> sorted(a.counters().begin(), a.counters().end());
    ordered_json cj = ordered_json::object();
    const std::string who = a.appliance_id().empty() ? a.address() : a.appliance_id();
    for (const auto& [name, value] : sorted) {
      if (!c.args.filter.empty() && name.find(c.args.filter) == std::string::npos) continue;
      cj[name] = value;
      t.add({who, name, std::to_string(value)});
    }
    j.push_back({{"address", a.address()}, {"appliance_id", a.appliance_id()}, {"counters", cj},
                 {"error", a.error()}});
  }
  if (c.args.json) {
    print_json(j);
  } else {
    t.print();
  }
  return rc;
}

int events(const Client& c) {
  v1::StreamEventsRequest req;
  for (const auto& t : c.args.types) req.add_types(type_from_name(t));
  req.set_appliance(c.args.appliance);
  req.set_src_ip(c.args.src_ip);
  req.set_dst_ip(c.args.dst_ip);
  req.set_dst_port(c.args.dst_port);
  req.set_follow(c.args.follow);
  grpc::ClientContext ctx;
  if (!c.args.follow) c.prepare(&ctx);
  auto reader = v1::TelemetryService::NewStub(c.channel)->StreamEvents(&ctx, req);
  v1::Event e;
  while (reader->Read(&e)) {
    print_event({e.appliance_id(), type_name(e.type()), e.timestamp_ns(), e.eve_json(), e.lost_before()},
                c.args.json);
    std::fflush(stdout);
  }
  const auto s = reader->Finish();
  return s.ok() ? kExitOk : c.fail(s);
}

int workloads(const Client& c) {
  v1::ListWorkloadsResponse resp;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = v1::InventoryService::NewStub(c.channel)->ListWorkloads(&ctx, v1::ListWorkloadsRequest(), &resp);
  if (!s.ok()) return c.fail(s);
  ordered_json j = ordered_json::array();
  Table t({"IP", "WORKLOAD", "LABELS"});
  for (const auto& w : resp.workloads()) {
    std::map<std::string, std::string> labels(w.labels().begin(), w.labels().end());
    std::string ls;
    for (const auto& [k, v] : labels) ls += fmt::format("{}{}={}", ls.empty() ? "" : ",", k, v);
    t.add({w.ip(), w.workload(), ls.empty() ? "-" : ls});
    j.push_back({{"ip", w.ip()}, {"workload", w.workload()}, {"labels", labels}});
  }
  if (c.args.json) {
    print_json(j);
  } else {
    t.print();
  }
  return kExitOk;
}

int workload_change(const Client& c) {
  v1::UpsertWorkloadsRequest req;
  const auto& p = c.args.positional;
  if (c.args.command == "workload-rm") {
    req.add_remove_ips(p[0]);
  } else {
    auto* w = req.add_workloads();
    w->set_ip(p[0]);
    w->set_workload(p[1]);
    for (std::size_t i = 2; i < p.size(); ++i) {
      const auto eq = p[i].find('=');
      (*w->mutable_labels())[p[i].substr(0, eq)] = p[i].substr(eq + 1);
    }
  }
  v1::UpsertWorkloadsResponse resp;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = v1::InventoryService::NewStub(c.channel)->UpsertWorkloads(&ctx, req, &resp);
  if (!s.ok()) return c.fail(s);
  if (c.args.json) {
    print_json(ordered_json{{"workloads", resp.workloads()}});
  } else {
    fmt::print("{} {}; {} workload binding{}\n", p[0], c.args.command == "workload-rm" ? "removed" : "bound",
               resp.workloads(), resp.workloads() == 1 ? "" : "s");
  }
  return kExitOk;
}

}  // namespace

int run_controller_command(const Client& c) {
  const std::string& cmd = c.args.command;
  if (cmd == "apply" || cmd == "validate") return apply(c);
  if (cmd == "get") return get(c);
  if (cmd == "delete") return remove(c);
  if (cmd == "list") return list(c);
  if (cmd == "status") return status(c);
  if (cmd == "appliances") return appliances(c);
  if (cmd == "counters") return counters(c);
  if (cmd == "events") return events(c);
  if (cmd == "workloads") return workloads(c);
  return workload_change(c);
}

}  // namespace rampart::ctl
