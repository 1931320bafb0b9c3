#pragma once
// How rampartctl prints events. json: the EVE record as the appliance
// wrote it plus "appliance_id", one per line; table: one line per event
// (time, appliance, type, src -> dst, summary). Lost events are a marker
// line in both: "-- N events lost --" / {"event_type":"lost","lost":N}.
// Cold; one thread.

#include <cstdint>
#include <string>

namespace rampart::ctl {

struct EventView {
  std::string appliance_id;
  std::string type;  // alert, drop, flow, anomaly ("" when only a lost marker)
  uint64_t timestamp_ns = 0;
  std::string eve_json;
  uint64_t lost_before = 0;
};

void print_event(const EventView& e, bool json);

}  // namespace rampart::ctl
