#include "controlplane/controller/event_fanout.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace rampart::controller {
namespace {

// The fields a selector looks at, read once per event.
struct EventAddresses {
  std::string src_ip;
  std::string dst_ip;
  uint32_t dst_port = 0;
};

EventAddresses addresses_of(const std::string& eve_json) {
  EventAddresses a;
  const auto j = nlohmann::json::parse(eve_json, nullptr, false);
  if (!j.is_object()) return a;
  if (auto it = j.find("src_ip"); it != j.end() && it->is_string()) a.src_ip = it->get<std::string>();
  if (auto it = j.find("dest_ip"); it != j.end() && it->is_string()) a.dst_ip = it->get<std::string>();
  if (auto it = j.find("dest_port"); it != j.end() && it->is_number_unsigned()) a.dst_port = it->get<uint32_t>();
  return a;
}

bool needs_addresses(const EventSelector& s) { return !s.src_ip.empty() || !s.dst_ip.empty() || s.dst_port != 0; }

bool takes(const EventSelector& s, int type, const EventAddresses& a) {
  if (s.types != 0 && (type < 0 || type >= 32 || (s.types & (1u << type)) == 0)) return false;
  if (!s.src_ip.empty() && s.src_ip != a.src_ip) return false;
  if (!s.dst_ip.empty() && s.dst_ip != a.dst_ip) return false;
  return s.dst_port == 0 || s.dst_port == a.dst_port;
}

}  // namespace

void EventFanout::subscribe(std::shared_ptr<EventSubscriber> s) {
  std::lock_guard<std::mutex> lock(mu_);
  subs_.push_back(std::move(s));
}

void EventFanout::unsubscribe(const EventSubscriber* s) {
  std::lock_guard<std::mutex> lock(mu_);
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(), [s](const auto& p) { return p.get() == s; }), subs_.end());
}

std::size_t EventFanout::subscribers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subs_.size();
}

void EventFanout::set_appliance_id(std::string id) {
  std::lock_guard<std::mutex> lock(mu_);
  appliance_id_ = std::move(id);
}

void EventFanout::dispatch(rampart::dataplane::v1::Event e) {
  std::lock_guard<std::mutex> lock(mu_);
  if (subs_.empty()) return;
  const bool addresses = std::any_of(subs_.begin(), subs_.end(), [](const auto& s) { return needs_addresses(s->selector); });
  const EventAddresses a = addresses ? addresses_of(e.eve_json()) : EventAddresses{};
  auto ev = std::make_shared<rampart::v1::Event>();
  ev->set_appliance_id(appliance_id_);
  ev->set_type(static_cast<rampart::v1::EventType>(e.type()));
  ev->set_timestamp_ns(e.timestamp_ns());
  ev->set_eve_json(std::move(*e.mutable_eve_json()));
  const SharedEvent shared = std::move(ev);
  for (const auto& s : subs_) {
    if (takes(s->selector, e.type(), a)) {
      s->queue->push(shared, e.lost_before());
    } else if (e.lost_before() != 0) {
      s->queue->add_lost(e.lost_before());
    }
  }
}

}  // namespace rampart::controller
