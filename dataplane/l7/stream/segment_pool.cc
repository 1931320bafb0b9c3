#include "dataplane/l7/stream/segment_pool.h"

#include "common/macros.h"

namespace rampart::dp {

SegmentPool::SegmentPool(uint32_t chunks)
    : capacity_(chunks),
      free_head_(chunks == 0 ? kNone : 0),
      meta_(std::make_unique<Meta[]>(chunks)),
      // Payload memory is not zeroed: a chunk's bytes are only ever read up
      // to the length written into it.
      data_(std::make_unique_for_overwrite<uint8_t[]>(std::size_t{chunks} * kChunkBytes)) {
  RAMPART_CHECK(chunks <= kMaxChunks, "segment pool larger than kMaxChunks");
  for (uint32_t i = 0; i < chunks; ++i) meta_[i] = Meta{0, i + 1 < chunks ? i + 1 : kNone, 0};
}

uint32_t SegmentPool::alloc() {
  const uint32_t c = free_head_;
  if (RAMPART_UNLIKELY(c == kNone)) {
    alloc_failures_.add();
    return kNone;
  }
  free_head_ = meta_[c].next;
  meta_[c] = Meta{0, kNone, 0};
  ++in_use_;
  in_use_published_.set(in_use_);
  if (in_use_ > high_water_.get()) high_water_.set(in_use_);
  return c;
}

void SegmentPool::free(uint32_t chunk) {
  RAMPART_DCHECK(chunk < capacity_ && in_use_ > 0);
  meta_[chunk].next = free_head_;
  meta_[chunk].len = 0;
  free_head_ = chunk;
  --in_use_;
  in_use_published_.set(in_use_);
}

}  // namespace rampart::dp
