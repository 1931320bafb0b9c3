#pragma once
// How rampartd is asked to stop: SIGINT, SIGTERM and SIGHUP set a flag that
// the packet loop and the workers poll (docs/rampartd.md); SIGPIPE is
// ignored, so a closed stdout is a write error rampartd reports instead of
// a death that leaves its EAL runtime directory behind. Any thread.

#include <atomic>

namespace rampart::dp {

// Installs the handlers (again after rte_eal_init, which may set its own).
void install_stop_handlers();
// The flag the handlers set; workers loop until it is true.
const std::atomic<bool>& stop_flag();
bool stop_requested();
// The signal that asked, or 0 (a stop rampartd decided itself).
int stop_signal();
// Stops the packet loop from inside rampartd (end of --duration).
void request_stop();

}  // namespace rampart::dp
