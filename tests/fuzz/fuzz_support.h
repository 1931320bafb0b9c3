#pragma once
// Helpers shared by the fuzz targets that check an incremental parser fed
// in pieces against the same parser fed the whole input: a digest of what
// the parser reported, and a seeded feeder of random-sized chunks.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rampart::fuzz {

// FNV-1a over everything a parser delivered, in order, plus a count.
struct OutputDigest {
  uint64_t h = 1469598103934665603ull;
  uint64_t count = 0;
  void add(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  void add(std::string_view s) {
    const uint64_t n = s.size();
    add(&n, sizeof(n));
    add(s.data(), s.size());
  }
  void add_u64(uint64_t v) { add(&v, sizeof(v)); }
  bool operator==(const OutputDigest& o) const { return h == o.h && count == o.count; }
};

// Calls feed(pointer, length) over [data, data + size) in chunks of 1 to
// max_chunk bytes, sizes drawn from a xorshift generator started at `state`
// (non-zero), so a given input always splits the same way.
template <typename Feed>
void feed_in_chunks(const uint8_t* data, size_t size, uint32_t state, size_t max_chunk, Feed feed) {
  uint32_t x = state;
  size_t at = 0;
  while (at < size) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const size_t n = std::min(size - at, size_t{1} + x % max_chunk);
    feed(data + at, n);
    at += n;
  }
}

}  // namespace rampart::fuzz
