#include "controlplane/controller/fleet.h"

#include <fmt/format.h>

namespace rampart::controller {

Result<Ok> Fleet::add(const std::string& address, const api::TlsFiles& tls, DesiredState& state,
                      Inventory& inventory) {
  for (const auto& l : links_) {
    if (l->address() == address) return Error{fmt::format("--appliance {} given twice", address)};
  }
  auto ch = api::connect(address, tls);
  if (!ch) return Error{fmt::format("--appliance {}: {}", address, ch.error().message)};
  links_.push_back(std::make_unique<ApplianceLink>(address, *ch, state, inventory));
  return Ok{};
}

void Fleet::start() {
  for (auto& l : links_) l->start();
}

void Fleet::stop() {
  for (auto& l : links_) l->stop();
}

void Fleet::wake_all() {
  for (auto& l : links_) l->wake();
}

std::vector<ApplianceLink*> Fleet::select(const std::string& selector) const {
  std::vector<ApplianceLink*> out;
  for (const auto& l : links_) {
    if (selector.empty() || l->address() == selector || l->appliance_id() == selector) out.push_back(l.get());
  }
  return out;
}

}  // namespace rampart::controller
