// rampartctl: the command-line client of rampart-controller (and, with
// --appliance, of one rampartd). See docs/rampartctl.md.

#include <cstdio>

#include <fmt/format.h>

#include "controlplane/api/grpc_transport.h"
#include "controlplane/ctl/appliance_commands.h"
#include "controlplane/ctl/args.h"
#include "controlplane/ctl/client.h"
#include "controlplane/ctl/controller_commands.h"

int main(int argc, char** argv) {
  using namespace rampart::ctl;  // NOLINT
  auto args = parse_args(argc, argv);
  if (!args) {
    complain(args.error().message);
    fmt::print(stderr, "(rampartctl --help for usage)\n");
    return kExitUsage;
  }
  if (args->help) {
    fmt::print("{}", usage());
    return kExitOk;
  }
  const bool direct = !args->direct_appliance.empty();
  const std::string address = direct ? args->direct_appliance : args->server;
  auto channel = rampart::api::connect(address, args->tls);
  if (!channel) {
    complain(channel.error().message);
    return kExitUsage;
  }
  const Client client{*args, address, *channel};
  return direct ? run_appliance_command(client) : run_controller_command(client);
}
