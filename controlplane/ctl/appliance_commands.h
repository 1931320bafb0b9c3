#pragma once
// rampartctl's direct appliance mode (--appliance ADDR before the command):
// status, counters, events and apply against one rampartd's appliance API
// (proto/rampart/dataplane/v1/appliance.proto), without a controller.
// apply compiles the YAML here with the compiler library. Cold; one thread.

#include "controlplane/ctl/client.h"

namespace rampart::ctl {

int run_appliance_command(const Client& c);

}  // namespace rampart::ctl
