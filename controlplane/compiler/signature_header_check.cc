#include "controlplane/compiler/signature_header_check.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "controlplane/compiler/cidr.h"

namespace rampart::cp {
namespace {

bool prefix_contains(const Cidr& outer, const Cidr& inner) {
  if (outer.family != inner.family || outer.prefix_len > inner.prefix_len) return false;
  const unsigned full = outer.prefix_len / 8;
  if (!std::equal(outer.addr.begin(), outer.addr.begin() + full, inner.addr.begin())) return false;
  const unsigned rest = outer.prefix_len % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff00u >> rest);
  return (outer.addr[full] & mask) == (inner.addr[full] & mask);
}

// Whether the union of `negatives` covers all of `p`: a negative contains
// it, or both halves of it are covered by the negatives inside it. Each
// level passes on only the negatives inside the half, so the work is
// bounded by negatives x address bits.
bool covered(const Cidr& p, const std::vector<Cidr>& negatives) {
  std::vector<Cidr> inside;
  for (const Cidr& n : negatives) {
    if (prefix_contains(n, p)) return true;
    if (prefix_contains(p, n)) inside.push_back(n);
  }
  if (inside.empty()) return false;
  Cidr low = p;
  low.prefix_len = static_cast<uint8_t>(p.prefix_len + 1);
  Cidr high = low;
  high.addr[p.prefix_len / 8] = static_cast<uint8_t>(high.addr[p.prefix_len / 8] | (0x80u >> (p.prefix_len % 8)));
  return covered(low, inside) && covered(high, inside);
}

}  // namespace

bool port_list_matches_nothing(const SigPortList& list) {
  if (list.any || list.items.empty()) return false;
  std::vector<std::pair<uint32_t, uint32_t>> positives, negatives;
  for (const SigPortRange& r : list.items) (r.negated ? negatives : positives).emplace_back(r.lo, r.hi);
  if (positives.empty()) positives.emplace_back(0, 65535);
  std::sort(negatives.begin(), negatives.end());
  std::vector<std::pair<uint32_t, uint32_t>> merged;  // disjoint, not adjacent, ascending
  for (const auto& n : negatives) {
    if (!merged.empty() && n.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, n.second);
    } else {
      merged.push_back(n);
    }
  }
  return std::all_of(positives.begin(), positives.end(), [&](const auto& p) {
    return std::any_of(merged.begin(), merged.end(),
                       [&](const auto& m) { return m.first <= p.first && p.second <= m.second; });
  });
}

bool address_list_matches_nothing(const SigAddressList& list) {
  if (list.any || list.items.empty()) return false;
  std::vector<Cidr> positives, negatives;
  for (const auto& [negated, c] : list.items) (negated ? negatives : positives).push_back(c);
  if (positives.empty()) {
    Cidr all4, all6;
    all4.family = 4;
    all6.family = 6;
    positives = {all4, all6};
  }
  return std::all_of(positives.begin(), positives.end(), [&](const Cidr& p) { return covered(p, negatives); });
}

}  // namespace rampart::cp
