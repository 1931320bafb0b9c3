#pragma once
// EventFanout: one appliance's event stream, handed to any number of
// subscribers (the controller's StreamEvents clients). Each subscriber has
// an EventSelector (types, addresses, port: the filter of its request,
// applied here because the controller reads the appliance's stream
// unfiltered, once) and its own bounded EventQueue, which it may share
// with the fan-outs of other appliances. dispatch() never waits: an event
// goes to every queue that takes it (one shared copy), a full queue drops
// it for that subscriber only and counts the loss. Losses the appliance
// reports (its lost_before) reach every subscriber: the stream is not
// filtered, so they may include events a subscriber's selector would not
// have taken (the count errs on the side of "lost").
// Thread-safe: dispatch from the feed's reader thread, subscribe and
// unsubscribe from any (gRPC handler threads).

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "appliance.pb.h"
#include "controlplane/controller/event_queue.h"

namespace rampart::controller {

struct EventSelector {
  uint32_t types = 0;       // bit per rampart::v1::EventType; 0: every type
  std::string src_ip = {};  // the record's "src_ip", exactly; empty: any
  std::string dst_ip = {};  // "dest_ip"
  uint32_t dst_port = 0;    // "dest_port"; 0: any
};

struct EventSubscriber {
  EventSelector selector;
  std::shared_ptr<EventQueue> queue;
};

class EventFanout {
 public:
  explicit EventFanout(std::string appliance_id) : appliance_id_(std::move(appliance_id)) {}

  void subscribe(std::shared_ptr<EventSubscriber> s);
  void unsubscribe(const EventSubscriber* s);
  std::size_t subscribers() const;
  // The appliance's name on the events (its id once known).
  void set_appliance_id(std::string id);

  void dispatch(rampart::dataplane::v1::Event e);

 private:
  mutable std::mutex mu_;
  std::string appliance_id_;                               // guarded by mu_
  std::vector<std::shared_ptr<EventSubscriber>> subs_;     // guarded by mu_
};

}  // namespace rampart::controller
