#include "dataplane/conntrack/flow_table.h"

#include <rte_errno.h>

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace rampart::dp {

Result<std::unique_ptr<FlowTable>> FlowTable::create(const char* name, uint32_t capacity, int socket) {
  if (capacity < 8) return Error{"flow table capacity must be at least 8"};
  rte_hash_parameters p{};
  p.name = name;
  p.entries = capacity;
  p.key_len = sizeof(FlowKey);
  p.hash_func = flow_hash_rte;
  p.hash_func_init_val = 0;
  p.socket_id = socket;
  // Extendable buckets: the table holds exactly `capacity` flows whatever
  // the key distribution, so "full" means full, not "one bucket collided".
  p.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  rte_hash* h = rte_hash_create(&p);
  if (h == nullptr) {
    return Error{fmt::format("rte_hash_create({}, {} entries): {}", name, capacity, rte_strerror(rte_errno))};
  }
  // The Flow array is touched at random by every packet: back it with
  // transparent huge pages where the kernel offers them (no-hugepage
  // development machines), which cuts TLB misses. With real hugepages the
  // EAL's memory would serve as well.
  constexpr std::size_t kHuge = 2u << 20;
  const std::size_t bytes = ((std::size_t{capacity} + 1) * sizeof(Flow) + kHuge - 1) / kHuge * kHuge;
  // One huge page more than needed, so the array can start on a 2 MiB
  // boundary (only aligned 2 MiB ranges can become huge pages).
  void* mem = mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    rte_hash_free(h);
    return Error{fmt::format("flow table {}: cannot map {} bytes: {}", name, bytes, std::strerror(errno))};
  }
  auto* aligned = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(mem) + kHuge - 1) & ~(kHuge - 1));
  (void)madvise(aligned, bytes, MADV_HUGEPAGE);
  return std::unique_ptr<FlowTable>(
      new FlowTable(h, capacity, static_cast<Flow*>(aligned), mem, bytes + kHuge));
}

FlowTable::~FlowTable() {
  rte_hash_free(hash_);
  munmap(mapping_, mapping_bytes_);
}

int32_t FlowTable::insert(const FlowKey& key, uint32_t hash) {
  const int32_t pos = rte_hash_add_key_with_hash(hash_, &key, hash);
  if (pos < 0) return pos;
  Flow& f = at(pos);
  std::memset(&f, 0, sizeof(f));
  std::memcpy(&f.key, &key, sizeof(f.key));  // the padding stays in the hash's copy
  return pos;
}

void FlowTable::remove(int32_t index) {
  FlowKey k{};
  std::memcpy(&k, &at(index).key, sizeof(FlowTuple));
  rte_hash_del_key_with_hash(hash_, &k, flow_hash(k));
  at(index).flow_id = 0;  // no live flow has id 0: stale references (UnansweredQueue) see it is gone
}

}  // namespace rampart::dp
