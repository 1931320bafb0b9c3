#pragma once
// FlowTable: one worker's connection table. An rte_hash keyed by FlowKey
// (flow_hash(): universal hashing with coefficients drawn at every start,
// so an attacker cannot precompute colliding keys) whose key positions
// index a preallocated Flow array: no allocation after create(), no locks
// (single writer: the owning worker).
// Cold: create(). Hot: everything else, owning worker only.

#include <rte_hash.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"
#include "dataplane/conntrack/flow.h"
#include "dataplane/conntrack/flow_hash.h"

namespace rampart::dp {

class FlowTable {
 public:
  static constexpr uint32_t kLookupBurstMax = RTE_HASH_LOOKUP_BULK_MAX;

  // `name` must be unique per process (rte_hash names are global).
  static Result<std::unique_ptr<FlowTable>> create(const char* name, uint32_t capacity, int socket);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // positions[i] = flow index for keys[i] (whose flow_hash() is hashes[i]),
  // or a negative value if absent. n <= kLookupBurstMax.
  void lookup_burst(const FlowKey* const* keys, const uint32_t* hashes, uint32_t n, int32_t* positions) const {
    rte_hash_lookup_with_hash_bulk(hash_, reinterpret_cast<const void**>(const_cast<const FlowKey**>(keys)),
                                   const_cast<uint32_t*>(hashes), n, positions);
  }
  int32_t lookup(const FlowKey& key, uint32_t hash) const { return rte_hash_lookup_with_hash(hash_, &key, hash); }
  int32_t lookup(const FlowKey& key) const { return lookup(key, flow_hash(key)); }
  // Returns the new flow's index (its Flow is zeroed and keyed), or -ENOSPC.
  int32_t insert(const FlowKey& key, uint32_t hash);
  int32_t insert(const FlowKey& key) { return insert(key, flow_hash(key)); }
  void prefetch(int32_t index) const { __builtin_prefetch(&flows_[static_cast<std::size_t>(index)]); }
  // Deletes the flow at `index` from the hash and sets its flow_id to 0.
  void remove(int32_t index);
  Flow& at(int32_t index) { return flows_[static_cast<std::size_t>(index)]; }
  // The index of a flow of this table (the inverse of at()).
  int32_t index_of(const Flow& f) const { return static_cast<int32_t>(&f - flows_); }
  uint32_t size() const { return static_cast<uint32_t>(rte_hash_count(hash_)); }
  uint32_t capacity() const { return capacity_; }

  // Visits at most `budget` slots from where the last call stopped, removing
  // every flow for which expired(flow) is true after calling on_remove(flow).
  // A deletion can move an entry behind the cursor; it is then found by the
  // next sweep (and expiry is also checked on every lookup hit).
  template <typename Expired, typename OnRemove>
  void expire_some(uint32_t budget, Expired expired, OnRemove on_remove);
  // Removes every flow (shutdown), calling on_remove for each.
  template <typename OnRemove>
  void remove_all(OnRemove on_remove);

 private:
  FlowTable(rte_hash* h, uint32_t capacity, Flow* flows, void* mapping, std::size_t mapping_bytes)
      : hash_(h), capacity_(capacity), flows_(flows), mapping_(mapping), mapping_bytes_(mapping_bytes) {}
  rte_hash* hash_;
  uint32_t capacity_;
  uint32_t iter_ = 0;
  Flow* flows_;  // capacity + 1 entries inside mapping_ (see create())
  void* mapping_;
  std::size_t mapping_bytes_;
};

template <typename Expired, typename OnRemove>
void FlowTable::expire_some(uint32_t budget, Expired expired, OnRemove on_remove) {
  const void* key;
  void* data;
  for (uint32_t i = 0; i < budget; ++i) {
    const int32_t pos = rte_hash_iterate(hash_, &key, &data, &iter_);
    if (pos < 0) {
      iter_ = 0;
      return;
    }
    Flow& f = at(pos);
    if (expired(static_cast<const Flow&>(f))) {
      on_remove(f);
      remove(pos);
    }
  }
}

template <typename OnRemove>
void FlowTable::remove_all(OnRemove on_remove) {
  // Collect first, then delete: deleting while iterating can move an entry
  // of an extendable bucket into a slot the walk has already passed.
  // Cold path (shutdown), so the vector is fine.
  std::vector<int32_t> positions;
  positions.reserve(size());
  const void* key;
  void* data;
  uint32_t it = 0;
  int32_t pos;
  while ((pos = rte_hash_iterate(hash_, &key, &data, &it)) >= 0) positions.push_back(pos);
  for (int32_t p : positions) {
    on_remove(at(p));
    remove(p);
  }
  iter_ = 0;
}

}  // namespace rampart::dp
