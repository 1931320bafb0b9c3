#include "dataplane/conntrack/flow_table.h"

#include <rte_errno.h>
#include <rte_jhash.h>

#include <cstring>

#include <fmt/format.h>

namespace rampart::dp {

Result<std::unique_ptr<FlowTable>> FlowTable::create(const char* name, uint32_t capacity, uint32_t seed,
                                                     int socket) {
  if (capacity < 8) return Error{"flow table capacity must be at least 8"};
  rte_hash_parameters p{};
  p.name = name;
  p.entries = capacity;
  p.key_len = sizeof(FlowKey);
  p.hash_func = rte_jhash;
  p.hash_func_init_val = seed;
  p.socket_id = socket;
  // Extendable buckets: the table holds exactly `capacity` flows whatever
  // the key distribution, so "full" means full, not "one bucket collided".
  p.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  rte_hash* h = rte_hash_create(&p);
  if (h == nullptr) {
    return Error{fmt::format("rte_hash_create({}, {} entries): {}", name, capacity, rte_strerror(rte_errno))};
  }
  return std::unique_ptr<FlowTable>(new FlowTable(h, capacity));
}

FlowTable::~FlowTable() { rte_hash_free(hash_); }

int32_t FlowTable::insert(const FlowKey& key) {
  const int32_t pos = rte_hash_add_key(hash_, &key);
  if (pos < 0) return pos;
  Flow& f = at(pos);
  std::memset(&f, 0, sizeof(f));
  f.key = key;
  return pos;
}

void FlowTable::remove(int32_t index) { rte_hash_del_key(hash_, &at(index).key); }

}  // namespace rampart::dp
