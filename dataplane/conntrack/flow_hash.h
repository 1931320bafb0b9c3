#pragma once
// flow_hash(): the flow table's hash. Multiply-shift universal hashing over
// the key's 32-bit words (Dietzfelbinger 1996): h = (b + sum a_i * x_i)
// mod 2^64, top 32 bits, with a_i and b drawn at random once per start.
// For any two distinct keys the collision probability is about 2^-31
// whatever keys an attacker chooses, unlike CRC32 (linear: collisions do not
// depend on the seed) and at a fraction of jhash's cost.

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/macros.h"

#include "dataplane/conntrack/flow_key.h"

namespace rampart::dp {

struct FlowHashSeed {
  uint64_t a[sizeof(FlowKey) / 4];
  uint64_t b;
};

// Written once by flow_hash_init() before any worker starts; read-only after.
extern FlowHashSeed g_flow_hash_seed;

// Draws new coefficients from `next_random` (e.g. rte_rand).
void flow_hash_init(uint64_t (*next_random)());

inline uint32_t flow_hash(const FlowKey& key) {
  uint32_t w[sizeof(FlowKey) / 4];
  std::memcpy(w, &key, sizeof(w));
  uint64_t h = g_flow_hash_seed.b;
  for (std::size_t i = 0; i < sizeof(w) / 4; ++i) h += g_flow_hash_seed.a[i] * w[i];
  return static_cast<uint32_t>(h >> 32);
}

// Builds the key of packet `m` directly in `key` (wide stores, no stack copy)
// and returns flow_hash(key) computed from the words as they are built,
// without reading the key back: the hot-path twin of make_flow_key() +
// flow_hash(). *src_lo tells whether the packet's source is the key's "lo"
// side.
RAMPART_ALWAYS_INLINE uint32_t make_flow_key_hashed(const PacketMeta& m, FlowKey& key, bool* src_lo) {
  const FlowHashSeed& s = g_flow_hash_seed;
  uint64_t h = s.b;
  // Written straight into the key, one 8-byte store per word: building it
  // elsewhere and copying it costs a store-forwarding stall per packet.
  auto put = [&key](int word, uint64_t v) { std::memcpy(reinterpret_cast<char*>(&key) + 8 * word, &v, 8); };
  uint64_t q[4];
  const uint16_t sport = m.src_port, dport = m.dst_port;
  bool lo;
  if (m.l3 == L3::kIpv4) {
    uint32_t a, b;
    std::memcpy(&a, m.src, 4);
    std::memcpy(&b, m.dst, 4);
    const uint32_t ah = __builtin_bswap32(a), bh = __builtin_bswap32(b);
    lo = ah < bh || (ah == bh && sport <= dport);
    const uint32_t w_lo = lo ? a : b, w_hi = lo ? b : a;
    put(0, w_lo);
    put(1, 0);
    put(2, w_hi);
    put(3, 0);
    h += s.a[0] * w_lo + s.a[4] * w_hi;
  } else {
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, m.src, 8);
    std::memcpy(&a1, m.src + 8, 8);
    std::memcpy(&b0, m.dst, 8);
    std::memcpy(&b1, m.dst + 8, 8);
    const uint64_t ah0 = __builtin_bswap64(a0), ah1 = __builtin_bswap64(a1);
    const uint64_t bh0 = __builtin_bswap64(b0), bh1 = __builtin_bswap64(b1);
    const int c = ah0 != bh0 ? (ah0 < bh0 ? -1 : 1) : (ah1 != bh1 ? (ah1 < bh1 ? -1 : 1) : 0);
    lo = c < 0 || (c == 0 && sport <= dport);
    q[0] = lo ? a0 : b0;
    q[1] = lo ? a1 : b1;
    q[2] = lo ? b0 : a0;
    q[3] = lo ? b1 : a1;
    for (int i = 0; i < 4; ++i) {
      put(i, q[i]);
      h += s.a[2 * i] * static_cast<uint32_t>(q[i]) + s.a[2 * i + 1] * static_cast<uint32_t>(q[i] >> 32);
    }
  }
  const uint32_t ports = lo ? (uint32_t{sport} | uint32_t{dport} << 16) : (uint32_t{dport} | uint32_t{sport} << 16);
  const uint32_t tail = uint32_t{m.vlan_outer} | uint32_t{m.proto} << 16 | uint32_t{static_cast<uint8_t>(m.l3)} << 24;
  put(4, uint64_t{ports} | uint64_t{tail} << 32);
  put(5, 0);
  h += s.a[8] * ports + s.a[9] * tail;
  *src_lo = lo;
  return static_cast<uint32_t>(h >> 32);
}
static_assert(sizeof(FlowKey) == 48 && offsetof(FlowKey, port_lo) == 32 && offsetof(FlowKey, vlan) == 36 &&
                  offsetof(FlowKey, proto) == 38 && offsetof(FlowKey, family) == 39,
              "make_flow_key_hashed() writes the key as words in this layout");

// rte_hash's hash_func signature, for rte_hash calls without a precomputed
// hash. `key_len` and `init_val` are ignored: the seed is the coefficients.
uint32_t flow_hash_rte(const void* key, uint32_t key_len, uint32_t init_val);

}  // namespace rampart::dp
