#pragma once
// SegmentPool: one worker's store of fixed-size buffers for TCP stream
// reassembly. Every chunk is kChunkBytes of payload plus a small header
// (stream sequence number, length, link); the chunk count, fixed at
// construction, is the worker's global reassembly memory cap. Chunks are
// named by 32-bit index, so a stream's lists cost 4 bytes per link and the
// state that lives next to a flow stays small.
//
// Cold: the constructor (allocates everything). Hot: everything else, owning
// worker only, never allocates. Counters may be read from any thread.

#include <cstdint>
#include <memory>

#include "dataplane/stats/counter.h"

namespace rampart::dp {

class SegmentPool {
 public:
  static constexpr uint32_t kChunkBytes = 2048;
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint32_t kMaxChunks = 1u << 24;  // 32 GiB: far past any sane cap

  // What a chunk holds: `len` stream bytes starting at sequence `seq`; `next`
  // links the chunk into one list (a stream's, or the free list).
  struct Meta {
    uint32_t seq;
    uint32_t next;
    uint16_t len;
  };

  explicit SegmentPool(uint32_t chunks);
  SegmentPool(const SegmentPool&) = delete;
  SegmentPool& operator=(const SegmentPool&) = delete;

  // A free chunk with len 0 and next kNone, or kNone when the pool is empty
  // (counted in alloc_failures).
  uint32_t alloc();
  void free(uint32_t chunk);

  Meta& meta(uint32_t chunk) { return meta_[chunk]; }
  uint8_t* data(uint32_t chunk) { return data_.get() + std::size_t{chunk} * kChunkBytes; }

  uint32_t capacity() const { return capacity_; }
  uint32_t available() const { return capacity_ - in_use_; }
  uint32_t in_use() const { return in_use_; }
  uint64_t high_water() const { return high_water_.get(); }
  uint64_t alloc_failures() const { return alloc_failures_.get(); }
  // For readers on other threads (in_use() is the owner's fast copy).
  uint64_t in_use_published() const { return in_use_published_.get(); }

 private:
  uint32_t capacity_;
  uint32_t in_use_ = 0;
  uint32_t free_head_;
  std::unique_ptr<Meta[]> meta_;
  std::unique_ptr<uint8_t[]> data_;
  Counter in_use_published_;
  Counter high_water_;
  Counter alloc_failures_;
};

}  // namespace rampart::dp
