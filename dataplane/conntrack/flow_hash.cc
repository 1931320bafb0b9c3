#include "dataplane/conntrack/flow_hash.h"

namespace rampart::dp {

// Fixed odd coefficients until flow_hash_init() runs (unit tests that do not
// care about seeding still get a working hash).
FlowHashSeed g_flow_hash_seed = {
    {0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull, 0x94d049bb133111ebull, 0xd6e8feb86659fd93ull,
     0xa0761d6478bd642full, 0xe7037ed1a0b428dbull, 0x8ebc6af09c88c6e3ull, 0x589965cc75374cc3ull,
     0x1d8e4e27c47d124full, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull, 0x27d4eb2f165667c5ull},
    0x2545f4914f6cdd1dull};

void flow_hash_init(uint64_t (*next_random)()) {
  for (auto& a : g_flow_hash_seed.a) a = next_random();
  g_flow_hash_seed.b = next_random();
}

uint32_t flow_hash_rte(const void* key, uint32_t, uint32_t) {
  return flow_hash(*static_cast<const FlowKey*>(key));
}

}  // namespace rampart::dp
