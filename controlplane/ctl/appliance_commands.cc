#include "controlplane/ctl/appliance_commands.h"

#include <chrono>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "appliance.grpc.pb.h"
#include "controlplane/api/policy_proto.h"
#include "controlplane/api/policy_version.h"
#include "controlplane/compiler/bounded_file.h"
#include "controlplane/compiler/group_resolution.h"
#include "controlplane/compiler/policy_compiler.h"
#include "controlplane/ctl/event_format.h"

namespace rampart::ctl {
namespace {

namespace dv1 = rampart::dataplane::v1;
using nlohmann::ordered_json;

constexpr auto kSnapshotWindow = std::chrono::seconds(1);  // events without --follow

const char* health_name(dv1::Health h) {
  switch (h) {
    case dv1::HEALTH_SERVING: return "serving";
    case dv1::HEALTH_STARTING: return "starting";
    case dv1::HEALTH_STOPPING: return "stopping";
    default: return "unknown";
  }
}

const char* type_name(dv1::EventType t) {
  switch (t) {
    case dv1::EVENT_TYPE_ALERT: return "alert";
    case dv1::EVENT_TYPE_DROP: return "drop";
    case dv1::EVENT_TYPE_FLOW: return "flow";
    case dv1::EVENT_TYPE_ANOMALY: return "anomaly";
    default: return "";
  }
}

int status(const Client& c, dv1::Appliance::Stub& stub) {
  dv1::GetStatusResponse st;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = stub.GetStatus(&ctx, dv1::GetStatusRequest(), &st);
  if (!s.ok()) return c.fail(s);
  ordered_json j{{"address", c.address},
                 {"health", health_name(st.health())},
                 {"appliance_id", st.appliance_id()},
                 {"boot_id", st.boot_id()},
                 {"software_version", st.software_version()},
                 {"applied_version", st.applied_version()},
                 {"applying_version", st.applying_version()},
                 {"generation", st.generation()},
                 {"policy_origin", st.policy_origin()},
                 {"workers", st.workers()},
                 {"uptime_seconds", st.uptime_seconds()},
                 {"l7_inspection", st.l7_inspection()},
                 {"signatures", st.signatures()},
                 {"signature_generation", st.signature_generation()}};
  if (c.args.json) {
    fmt::print("{}\n", j.dump(2));
  } else {
    for (auto it = j.begin(); it != j.end(); ++it) {
      fmt::print("{:<18}{}\n", it.key() + ":", it.value().is_string() ? it.value().get<std::string>()
                                                                       : it.value().dump());
    }
  }
  return kExitOk;
}

int counters(const Client& c, dv1::Appliance::Stub& stub) {
  dv1::GetCountersResponse resp;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = stub.GetCounters(&ctx, dv1::GetCountersRequest(), &resp);
  if (!s.ok()) return c.fail(s);
  ordered_json j = ordered_json::object();
  Table t({"COUNTER", "VALUE"});
  for (const auto& x : resp.counters()) {
    if (!c.args.filter.empty() && x.name().find(c.args.filter) == std::string::npos) continue;
    j[x.name()] = x.value();
    t.add({x.name(), std::to_string(x.value())});
  }
  if (c.args.json) {
    fmt::print("{}\n", ordered_json{{"applied_version", resp.applied_version()}, {"counters", j}}.dump(2));
  } else {
    t.print();
  }
  return kExitOk;
}

int events(const Client& c, dv1::Appliance::Stub& stub) {
  dv1::StreamEventsRequest req;
  for (const auto& t : c.args.types) {
    req.add_types(t == "alert" ? dv1::EVENT_TYPE_ALERT
                  : t == "drop" ? dv1::EVENT_TYPE_DROP
                  : t == "flow" ? dv1::EVENT_TYPE_FLOW
                                : dv1::EVENT_TYPE_ANOMALY);
  }
  req.set_src_ip(c.args.src_ip);
  req.set_dst_ip(c.args.dst_ip);
  req.set_dst_port(c.args.dst_port);
  grpc::ClientContext ctx;
  // The appliance stream never ends by itself: without --follow read
  // what arrives within a second, like the controller does.
  if (!c.args.follow) ctx.set_deadline(std::chrono::system_clock::now() + kSnapshotWindow);
  auto reader = stub.StreamEvents(&ctx, req);
  dv1::Event e;
  while (reader->Read(&e)) {
    print_event({"", type_name(e.type()), e.timestamp_ns(), e.eve_json(), e.lost_before()}, c.args.json);
    std::fflush(stdout);
  }
  const auto s = reader->Finish();
  if (s.ok() || (!c.args.follow && s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
                 c.channel->GetState(false) == GRPC_CHANNEL_READY)) {
    return kExitOk;
  }
  return c.fail(s);
}

int apply(const Client& c, dv1::Appliance::Stub& stub) {
  auto text = cp::read_bounded_file(c.args.file, cp::kMaxPolicyFileBytes, "a policy document");
  if (!text) {
    complain(text.error().message);
    return kExitRequest;
  }
  std::vector<std::string> errors;
  // As rampartd --policy would: static groups resolved, selector groups
  // refused (they need the controller's inventory).
  auto policy = cp::compile_policy_yaml(*text, c.args.file, &errors);
  if (policy) {
    if (auto r = cp::resolve_static_groups(*policy, &errors); !r) policy = r.error();
  }
  if (!policy) {
    for (const auto& e : errors) fmt::print(stderr, "{}\n", e);
    return kExitRequest;
  }
  uint64_t version = c.args.version;
  if (version == 0) {  // next after the applied one
    dv1::GetStatusResponse st;
    grpc::ClientContext ctx;
    c.prepare(&ctx);
    const auto s = stub.GetStatus(&ctx, dv1::GetStatusRequest(), &st);
    if (!s.ok()) return c.fail(s);
    auto next = api::next_policy_version(st.applied_version());
    if (!next) {
      complain(fmt::format("{}: {}; restart the appliance to return it to its startup policy (version 0)",
                           c.address, next.error().message));
      return kExitRequest;
    }
    version = *next;
  }
  dv1::ApplyPolicyRequest req;
  if (auto sent = api::policy_to_proto(*policy, version, req.mutable_policy()); !sent) {
    fmt::print(stderr, "rampartctl: {}\n", sent.error().message);
    return 1;
  }
  req.mutable_policy()->set_origin(fmt::format("rampartctl:{}@{}", c.args.file, version));
  dv1::ApplyPolicyResponse resp;
  grpc::ClientContext ctx;
  c.prepare(&ctx);
  const auto s = stub.ApplyPolicy(&ctx, req, &resp);
  if (!s.ok()) return c.fail(s);
  if (c.args.json) {
    fmt::print("{}\n", ordered_json{{"applied_version", resp.applied_version()},
                                    {"generation", resp.generation()},
                                    {"rules", policy->rules.size()},
                                    {"build_seconds", resp.build_seconds()},
                                    {"publish_seconds", resp.publish_seconds()}}
                           .dump(2));
  } else {
    fmt::print("{}: applied version {} to {} ({} rules, generation {}, build {:.3f} s, publish {:.3f} s)\n",
               c.args.file, resp.applied_version(), c.address, policy->rules.size(), resp.generation(),
               resp.build_seconds(), resp.publish_seconds());
  }
  return kExitOk;
}

}  // namespace

int run_appliance_command(const Client& c) {
  auto stub = dv1::Appliance::NewStub(c.channel);
  const std::string& cmd = c.args.command;
  if (cmd == "status") return status(c, *stub);
  if (cmd == "counters") return counters(c, *stub);
  if (cmd == "events") return events(c, *stub);
  return apply(c, *stub);
}

}  // namespace rampart::ctl
