#pragma once
// Whether a signature header's address or port list can match anything,
// under the list semantics the matcher applies (dataplane/l7/match/
// header_filter.cc, as Suricata): a value matches when no negated item
// contains it and, if the list has positive items, one of them does.
// A list that matches nothing (`![0:65535]`, `[80,!80]`,
// `[198.18.0.0/24,!198.18.0.0/25,!198.18.0.128/25]`) makes the rule dead,
// which is always a mistake: the parser reports it as an error. Cold.

#include "controlplane/compiler/model.h"

namespace rampart::cp {

// True when no port 0-65535 passes the list.
bool port_list_matches_nothing(const SigPortList& list);

// True when no IPv4 and no IPv6 address passes the list. Items are
// CIDRs or addresses as the parser accepted them (host bits may be set;
// they are masked, as the matcher does).
bool address_list_matches_nothing(const SigAddressList& list);

}  // namespace rampart::cp
