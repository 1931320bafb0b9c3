#pragma once
// GroupModeTable: the group mode of a flow from its two addresses: the
// strictest mode (protect > monitor > discover) among the groups whose
// members contain either address; an address in no group does not vote,
// and a flow no group votes on is protect (docs/policy.md, "Groups and
// modes").
// Built (cold) from the groups' member prefixes into one sorted table of
// disjoint address ranges per family, each with the strictest mode of the
// prefixes covering it: a sort plus one sweep, O(n log n) in the number
// of members and cancellable inside both. (An rte_acl context with a
// source rule and a destination rule per group, used before, replicated
// destination rules under source rules: quadratic, 25 s for 10,000
// groups.) Lookup (hot): two binary searches, read only, callable
// concurrently from any number of workers.

#include <array>
#include <cstdint>
#include <vector>

#include "common/policy/compiled_policy.h"
#include "common/cancel_check.h"
#include "common/result.h"

namespace rampart::dp {

class GroupModeTable {
 public:
  // Every member of every group (a group without members adds nothing).
  // Fails only when `cancelled` says so.
  static Result<GroupModeTable> build(const std::vector<policy::GroupScope>& groups, const CancelCheck& cancelled);

  // Addresses in network byte order (4 or 16 bytes).
  policy::GroupMode mode_of_v4(const uint8_t* src, const uint8_t* dst) const;
  policy::GroupMode mode_of_v6(const uint8_t* src, const uint8_t* dst) const;

  struct Addr128 {  // an IPv6 address as a number
    uint64_t hi = 0;
    uint64_t lo = 0;
    auto operator<=>(const Addr128&) const = default;
  };

 private:
  // ranks_[i] applies from starts_[i] up to starts_[i + 1] - 1 (the last
  // to the end of the address space); starts_[0] is 0. A rank is the
  // strictness of a mode (policy::GroupMode's value) or kNoGroup.
  std::vector<uint32_t> v4_starts_;
  std::vector<uint8_t> v4_ranks_;
  std::vector<Addr128> v6_starts_;
  std::vector<uint8_t> v6_ranks_;
};

}  // namespace rampart::dp
