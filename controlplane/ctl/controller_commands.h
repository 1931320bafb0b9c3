#pragma once
// rampartctl's commands against rampart-controller's public API
// (proto/rampart/v1/controller.proto). Each returns the exit code.
// Cold; one thread.

#include "controlplane/ctl/client.h"

namespace rampart::ctl {

int run_controller_command(const Client& c);

}  // namespace rampart::ctl
