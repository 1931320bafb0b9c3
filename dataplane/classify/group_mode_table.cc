#include "dataplane/classify/group_mode_table.h"

#include <algorithm>
#include <limits>

namespace rampart::dp {
namespace {

using Addr128 = GroupModeTable::Addr128;

// Above every mode: the address is in no group and does not vote.
constexpr uint8_t kNoGroup = 3;

uint8_t rank_of(policy::GroupMode m) { return static_cast<uint8_t>(m); }

policy::GroupMode flow_mode(uint8_t src_rank, uint8_t dst_rank) {
  const uint8_t r = std::min(src_rank, dst_rank);
  return r == kNoGroup ? policy::GroupMode::kProtect : static_cast<policy::GroupMode>(r);
}

uint64_t load_be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

uint32_t load_v4(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

Addr128 load_v6(const uint8_t* p) { return Addr128{load_be64(p), load_be64(p + 8)}; }

// Host bits of a prefix of `len` bits in a `width`-bit word (len <= width).
uint64_t host_mask(int len, int width) {
  const int host = width - len;
  if (host <= 0) return 0;
  return host >= 64 ? ~uint64_t{0} : (uint64_t{1} << host) - 1;
}

template <typename A>
struct Span {
  A lo;
  A hi;
  uint8_t rank;
};

template <typename A>
struct AddrOps;

template <>
struct AddrOps<uint32_t> {
  static constexpr uint32_t max() { return std::numeric_limits<uint32_t>::max(); }
  static uint32_t next(uint32_t a) { return a + 1; }
  static Span<uint32_t> span(const policy::Cidr& c, uint8_t rank) {
    const auto host = static_cast<uint32_t>(host_mask(c.prefix_len, 32));
    const uint32_t lo = load_v4(c.addr.data()) & ~host;
    return {lo, lo | host, rank};
  }
};

template <>
struct AddrOps<Addr128> {
  static constexpr Addr128 max() { return {~uint64_t{0}, ~uint64_t{0}}; }
  static Addr128 next(Addr128 a) { return a.lo == ~uint64_t{0} ? Addr128{a.hi + 1, 0} : Addr128{a.hi, a.lo + 1}; }
  static Span<Addr128> span(const policy::Cidr& c, uint8_t rank) {
    const int len = c.prefix_len;
    const uint64_t host_hi = host_mask(std::min(len, 64), 64);
    const uint64_t host_lo = host_mask(std::max(len - 64, 0), 64);
    const Addr128 a = load_v6(c.addr.data());
    const Addr128 lo{a.hi & ~host_hi, a.lo & ~host_lo};
    return {lo, Addr128{lo.hi | host_hi, lo.lo | host_lo}, rank};
  }
};

// Turns possibly nested prefixes into disjoint ranges with the strictest
// rank covering each. Prefixes either nest or are disjoint, so after a
// sort by start (outer prefixes first) one pass with a stack of the open
// prefixes sees every range exactly when it ends. False when cancelled.
template <typename A>
bool sweep(std::vector<Span<A>>& spans, std::vector<A>* starts, std::vector<uint8_t>* ranks,
           const CancelCheck& cancelled) {
  using Ops = AddrOps<A>;
  std::sort(spans.begin(), spans.end(), [](const Span<A>& a, const Span<A>& b) {
    if (a.lo != b.lo) return a.lo < b.lo;
    if (a.hi != b.hi) return a.hi > b.hi;
    return a.rank < b.rank;
  });
  if (cancel_requested(cancelled)) return false;
  struct Open {
    A hi;
    uint8_t rank;  // the strictest of this prefix and those around it
  };
  std::vector<Open> open;
  A cur{};             // first address whose range is not written yet
  bool at_end = false;  // every address is written
  auto emit = [&](uint8_t rank) {
    if (!ranks->empty() && ranks->back() == rank) return;  // continues the previous range
    starts->push_back(cur);
    ranks->push_back(rank);
  };
  auto close_innermost = [&] {
    const Open o = open.back();
    open.pop_back();
    if (at_end || o.hi < cur) return;  // a nested prefix ended at the same address
    emit(o.rank);
    if (o.hi == Ops::max()) {
      at_end = true;
    } else {
      cur = Ops::next(o.hi);
    }
  };
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i % kCancelCheckStride == kCancelCheckStride - 1 && cancel_requested(cancelled)) return false;
    const Span<A>& s = spans[i];
    while (!open.empty() && open.back().hi < s.lo) close_innermost();
    if (cur < s.lo) {
      emit(open.empty() ? kNoGroup : open.back().rank);
      cur = s.lo;
    }
    open.push_back({s.hi, std::min(s.rank, open.empty() ? kNoGroup : open.back().rank)});
  }
  while (!open.empty()) close_innermost();
  if (!at_end) emit(kNoGroup);
  return true;
}

template <typename A>
uint8_t rank_at(const std::vector<A>& starts, const std::vector<uint8_t>& ranks, A addr) {
  // starts[0] is the lowest address, so there is always a range at or
  // below addr.
  const auto it = std::upper_bound(starts.begin(), starts.end(), addr);
  return ranks[static_cast<std::size_t>(it - starts.begin()) - 1];
}

}  // namespace

Result<GroupModeTable> GroupModeTable::build(const std::vector<policy::GroupScope>& groups, const CancelCheck& cancelled) {
  std::vector<Span<uint32_t>> v4;
  std::vector<Span<Addr128>> v6;
  std::size_t seen = 0;
  for (const auto& g : groups) {
    for (const auto& c : g.members) {
      if (++seen % kCancelCheckStride == 0 && cancel_requested(cancelled)) return cancelled_error();
      if (c.family == 4) {
        v4.push_back(AddrOps<uint32_t>::span(c, rank_of(g.mode)));
      } else {
        v6.push_back(AddrOps<Addr128>::span(c, rank_of(g.mode)));
      }
    }
  }
  GroupModeTable t;
  if (!sweep(v4, &t.v4_starts_, &t.v4_ranks_, cancelled) || !sweep(v6, &t.v6_starts_, &t.v6_ranks_, cancelled)) {
    return cancelled_error();
  }
  return t;
}

policy::GroupMode GroupModeTable::mode_of_v4(const uint8_t* src, const uint8_t* dst) const {
  return flow_mode(rank_at(v4_starts_, v4_ranks_, load_v4(src)), rank_at(v4_starts_, v4_ranks_, load_v4(dst)));
}

policy::GroupMode GroupModeTable::mode_of_v6(const uint8_t* src, const uint8_t* dst) const {
  return flow_mode(rank_at(v6_starts_, v6_ranks_, load_v6(src)), rank_at(v6_starts_, v6_ranks_, load_v6(dst)));
}

}  // namespace rampart::dp
