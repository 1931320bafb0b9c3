#include <algorithm>
#include <set>
#include <string>

#include "common/policy/compiled_policy.h"
#include "common/policy/signature.h"

namespace rampart::policy {

const char* action_name(Action a) {
  switch (a) {
    case Action::kAllow: return "allow";
    case Action::kDeny: return "deny";
    case Action::kReject: return "reject";
  }
  return "unknown";
}

const char* group_mode_name(GroupMode m) {
  switch (m) {
    case GroupMode::kProtect: return "protect";
    case GroupMode::kMonitor: return "monitor";
    case GroupMode::kDiscover: return "discover";
  }
  return "unknown";
}

CompiledPolicy embedded_default_policy() {
  CompiledPolicy p;
  p.default_action = Action::kAllow;
  p.non_ip_allow = true;
  p.origin = "embedded default";
  return p;
}

const char* sig_buffer_name(SigBuffer b) {
  switch (b) {
    case SigBuffer::kStream: return "stream";
    case SigBuffer::kHttpUri: return "http.uri";
    case SigBuffer::kHttpUriRaw: return "http.uri.raw";
    case SigBuffer::kHttpMethod: return "http.method";
    case SigBuffer::kHttpHeader: return "http.header";
    case SigBuffer::kHttpHost: return "http.host";
    case SigBuffer::kHttpUserAgent: return "http.user_agent";
    case SigBuffer::kHttpCookie: return "http.cookie";
    case SigBuffer::kHttpRequestBody: return "http.request_body";
    case SigBuffer::kTlsSni: return "tls.sni";
    case SigBuffer::kDnsQuery: return "dns.query";
  }
  return "unknown";
}

bool fully_resolved(const CompiledPolicy& policy) {
  for (const auto& r : policy.rules) {
    if (!r.src_groups.empty() || !r.dst_groups.empty()) return false;
  }
  std::set<std::string> scoped;
  for (const auto& g : policy.groups) scoped.insert(g.name);
  return std::all_of(policy.group_definitions.begin(), policy.group_definitions.end(),
                     [&](const GroupDefinition& g) { return scoped.count(g.name) != 0; });
}

}  // namespace rampart::policy
