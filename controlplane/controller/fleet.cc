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
  feeds_.push_back(std::make_unique<ApplianceEventFeed>(*links_.back()));
  return Ok{};
}

void Fleet::start() {
  for (auto& l : links_) l->start();
  for (auto& f : feeds_) f->start();
}

void Fleet::stop() {
  for (auto& f : feeds_) f->stop();
  for (auto& l : links_) l->stop();
}

void Fleet::wake_all() {
  for (auto& l : links_) l->wake();
}

namespace {

bool selected(const ApplianceLink& l, const std::string& selector) {
  return selector.empty() || l.address() == selector || l.appliance_id() == selector;
}

}  // namespace

std::vector<ApplianceLink*> Fleet::select(const std::string& selector) const {
  std::vector<ApplianceLink*> out;
  for (const auto& l : links_) {
    if (selected(*l, selector)) out.push_back(l.get());
  }
  return out;
}

std::vector<ApplianceEventFeed*> Fleet::select_feeds(const std::string& selector) const {
  std::vector<ApplianceEventFeed*> out;
  for (const auto& f : feeds_) {
    if (selected(f->link(), selector)) out.push_back(f.get());
  }
  return out;
}

}  // namespace rampart::controller
