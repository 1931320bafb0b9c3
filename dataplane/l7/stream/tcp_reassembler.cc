#include "dataplane/l7/stream/tcp_reassembler.h"

#include <algorithm>
#include <cstring>

#include "common/macros.h"

namespace rampart::dp {
namespace {

using Ev = SegmentOutcome;
constexpr uint32_t kChunk = SegmentPool::kChunkBytes;
constexpr uint32_t kNone = SegmentPool::kNone;

// Signed distance from `ref` to `x` in sequence space. Everything a stream
// holds lies within window_bytes (<= 2^30) of next_seq, so the 32-bit
// difference is never ambiguous and the arithmetic below can use int64.
RAMPART_ALWAYS_INLINE int64_t rel(uint32_t x, uint32_t ref) { return static_cast<int32_t>(x - ref); }

}  // namespace

TcpReassembler::TcpReassembler(const ReassemblyConfig& cfg, SegmentPool& pool)
    : cfg_(cfg),
      pool_(pool),
      cap_chunks_(std::clamp<uint32_t>((cfg.flow_cap_bytes + kChunk - 1) / kChunk, 1, UINT16_MAX)),
      // History is a best-effort extra: it may not take the last quarter of
      // the pool, which stays for out-of-order data, the part that matters.
      history_reserve_(pool.capacity() / 4) {
  RAMPART_CHECK(cfg.window_bytes >= kChunk && cfg.window_bytes <= (1u << 30),
                "reassembly window must be within [2 KiB, 1 GiB]");
}

uint32_t TcpReassembler::pop_history(TcpStream& s) {
  const uint32_t c = s.hist_head;
  RAMPART_DCHECK(c != kNone && s.hist_chunks > 0);
  s.hist_head = pool_.meta(c).next;
  if (s.hist_head == kNone) s.hist_tail = kNone;
  --s.hist_chunks;
  pool_.meta(c) = SegmentPool::Meta{0, kNone, 0};
  return c;
}

void TcpReassembler::drop_history(TcpStream& s) {
  while (s.hist_chunks > 0) {
    pool_.free(pop_history(s));
    --s.chunks;
  }
}

// Appends a chunk the stream already holds (counted in s.chunks) to the
// history and trims the history to its configured length.
void TcpReassembler::push_history(TcpStream& s, uint32_t c) {
  pool_.meta(c).next = kNone;
  if (s.hist_tail == kNone) {
    s.hist_head = c;
  } else {
    pool_.meta(s.hist_tail).next = c;
  }
  s.hist_tail = c;
  ++s.hist_chunks;
  while (s.hist_chunks > cfg_.history_chunks) {
    pool_.free(pop_history(s));
    --s.chunks;
  }
}

uint32_t TcpReassembler::alloc_history(TcpStream& s) {
  if (s.hist_chunks >= cfg_.history_chunks) return s.hist_chunks > 0 ? pop_history(s) : kNone;
  if (s.chunks < cap_chunks_ && pool_.available() > history_reserve_) {
    const uint32_t c = pool_.alloc();
    if (c != kNone) {
      ++s.chunks;
      return c;
    }
  }
  return s.hist_chunks > 0 ? pop_history(s) : kNone;
}

// Out-of-order bytes outrank history: at either cap, the oldest history
// chunk is recycled before the cap counts as hit.
uint32_t TcpReassembler::alloc_ooo(TcpStream& s, SegmentOutcome& r) {
  if (s.chunks >= cap_chunks_) {
    if (s.hist_chunks > 0) return pop_history(s);
    stats_.cap_hits.add();
    r.events |= Ev::kCapHit;
    return kNone;
  }
  const uint32_t c = pool_.alloc();
  if (c == kNone) {
    if (s.hist_chunks > 0) return pop_history(s);
    stats_.pool_exhausted.add();
    r.events |= Ev::kPoolExhausted;
    return kNone;
  }
  ++s.chunks;
  return c;
}

void TcpReassembler::record_history(TcpStream& s, uint32_t seq, const uint8_t* data, uint32_t len) {
  if (cfg_.history_chunks == 0) return;
  const uint32_t keep = uint32_t{cfg_.history_chunks} * kChunk;
  if (len > keep) {
    data += len - keep;
    seq += len - keep;
    len = keep;
  }
  while (len > 0) {
    const uint32_t t = s.hist_tail;
    if (t != kNone && pool_.meta(t).seq + pool_.meta(t).len == seq && pool_.meta(t).len < kChunk) {
      SegmentPool::Meta& m = pool_.meta(t);
      const uint32_t n = std::min<uint32_t>(len, kChunk - m.len);
      std::memcpy(pool_.data(t) + m.len, data, n);
      m.len = static_cast<uint16_t>(m.len + n);
      data += n;
      seq += n;
      len -= n;
      continue;
    }
    const uint32_t c = alloc_history(s);
    if (c == kNone) {
      stats_.history_skipped.add(len);
      return;
    }
    pool_.meta(c).seq = seq;
    pool_.meta(c).len = 0;
    push_history(s, c);
  }
}

void TcpReassembler::deliver(TcpStream& s, const uint8_t* data, uint32_t len, const StreamConsumer& out,
                             SegmentOutcome& r) {
  out.fn(out.ctx, StreamEvent::kData, data, len);
  r.delivered += len;
  stats_.delivered_bytes.add(len);
  record_history(s, s.next_seq, data, len);
  s.next_seq += len;
}

// Declares [next_seq, seq) lost. History is dropped with it: nothing before
// a gap can be compared meaningfully, and it keeps every chunk a stream holds
// within the window of next_seq.
void TcpReassembler::gap_to(TcpStream& s, uint32_t seq, const StreamConsumer& out, SegmentOutcome& r) {
  const uint32_t n = seq - s.next_seq;
  if (n == 0) return;
  out.fn(out.ctx, StreamEvent::kGap, nullptr, n);
  stats_.gaps.add();
  stats_.gap_bytes.add(n);
  r.events |= Ev::kGap;
  s.next_seq = seq;
  drop_history(s);
}

void TcpReassembler::free_ooo(TcpStream& s) {
  uint64_t bytes = 0;
  for (uint32_t c = s.ooo_head; c != kNone;) {
    const uint32_t next = pool_.meta(c).next;
    bytes += pool_.meta(c).len;
    pool_.free(c);
    --s.chunks;
    c = next;
  }
  s.ooo_head = kNone;
  if (bytes > 0) stats_.discarded_bytes.add(bytes);
}

// Delivers the buffered chunks that have become contiguous, moving each into
// the history as it is (no copy), then the FIN once it is reached.
void TcpReassembler::drain(TcpStream& s, const StreamConsumer& out, SegmentOutcome& r) {
  while (s.ooo_head != kNone && pool_.meta(s.ooo_head).seq == s.next_seq) {
    const uint32_t c = s.ooo_head;
    const uint32_t len = pool_.meta(c).len;
    s.ooo_head = pool_.meta(c).next;
    out.fn(out.ctx, StreamEvent::kData, pool_.data(c), len);
    r.delivered += len;
    stats_.delivered_bytes.add(len);
    s.next_seq += len;
    if (cfg_.history_chunks == 0) {
      pool_.free(c);
      --s.chunks;
    } else {
      push_history(s, c);
    }
  }
  if ((s.flags & TcpStream::kFinSeen) != 0 && s.next_seq == s.fin_seq) {
    out.fn(out.ctx, StreamEvent::kFin, nullptr, 0);
    s.flags |= TcpStream::kClosed;
    free_ooo(s);
    drop_history(s);
  }
}

// First FIN wins, like first data: a FIN before bytes already delivered or
// buffered, or a second FIN elsewhere, is ignored and counted.
void TcpReassembler::note_fin(TcpStream& s, uint32_t fin_seq, SegmentOutcome& r) {
  bool bad = false;
  if ((s.flags & TcpStream::kFinSeen) != 0) {
    bad = s.fin_seq != fin_seq;
  } else if (rel(fin_seq, s.next_seq) < 0) {
    bad = true;
  } else {
    for (uint32_t c = s.ooo_head; c != kNone && !bad; c = pool_.meta(c).next)
      bad = rel(pool_.meta(c).seq + pool_.meta(c).len, fin_seq) > 0;
    if (!bad) {
      s.fin_seq = fin_seq;
      s.flags |= TcpStream::kFinSeen;
    }
  }
  if (bad) {
    stats_.fin_mismatch.add();
    r.events |= Ev::kFinMismatch;
  }
}

// A RST is taken only inside [next_seq, next_seq + window) (RFC 9293 3.10.7.4):
// a blind RST with a guessed sequence number must not end inspection while
// the receiver keeps the connection.
void TcpReassembler::handle_rst(TcpStream& s, uint32_t seq, const StreamConsumer& out, SegmentOutcome& r) {
  const int64_t d = rel(seq, s.next_seq);
  if (d < 0 || d >= cfg_.window_bytes) {
    stats_.rst_ignored.add();
    r.events |= Ev::kRstIgnored;
    return;
  }
  free_ooo(s);
  drop_history(s);
  s.flags |= TcpStream::kClosed;
  out.fn(out.ctx, StreamEvent::kRst, nullptr, 0);
}

void TcpReassembler::start(TcpStream& s, uint32_t next_seq) {
  RAMPART_DCHECK((s.flags & TcpStream::kInit) == 0 || s.chunks == 0);
  s = TcpStream{next_seq, 0, kNone, kNone, kNone, 0, 0, TcpStream::kInit};
}

void TcpReassembler::collapse_ooo(TcpStream& s) {
  uint32_t c = s.ooo_head;
  while (c != kNone) {
    const uint32_t n = pool_.meta(c).next;
    if (n == kNone) break;
    SegmentPool::Meta& a = pool_.meta(c);
    SegmentPool::Meta& b = pool_.meta(n);
    if (a.seq + a.len != b.seq || a.len == kChunk) {
      c = n;
      continue;
    }
    const uint32_t move = std::min<uint32_t>(kChunk - a.len, b.len);
    std::memcpy(pool_.data(c) + a.len, pool_.data(n), move);
    a.len = static_cast<uint16_t>(a.len + move);
    if (move == b.len) {
      a.next = b.next;
      pool_.free(n);
      --s.chunks;
      stats_.collapsed_chunks.add();
      continue;  // c may take from its new successor too
    }
    std::memmove(pool_.data(n), pool_.data(n) + move, b.len - move);
    b.seq += move;
    b.len = static_cast<uint16_t>(b.len - move);
    c = n;
  }
}

bool TcpReassembler::conflicts(const TcpStream& s, const uint8_t* data, int64_t start, int64_t end) const {
  const uint32_t ref = s.next_seq;
  for (uint32_t h = s.hist_head; h != kNone && start < 0; h = pool_.meta(h).next) {
    const int64_t hs = rel(pool_.meta(h).seq, ref);
    const int64_t a = std::max(start, hs);
    const int64_t b = std::min({end, int64_t{0}, hs + pool_.meta(h).len});
    if (a < b && std::memcmp(data + (a - start), pool_.data(h) + (a - hs), static_cast<std::size_t>(b - a)) != 0) {
      return true;
    }
  }
  for (uint32_t c = s.ooo_head; c != kNone; c = pool_.meta(c).next) {
    const int64_t cs = rel(pool_.meta(c).seq, ref);
    if (cs >= end) break;  // sorted
    const int64_t a = std::max(start, cs);
    const int64_t b = std::min(end, cs + pool_.meta(c).len);
    if (a < b && std::memcmp(data + (a - start), pool_.data(c) + (a - cs), static_cast<std::size_t>(b - a)) != 0) {
      return true;
    }
  }
  return false;
}

SegmentOutcome TcpReassembler::add_segment(TcpStream& s, uint32_t seq, const uint8_t* data, uint32_t len,
                                           uint8_t flags, const StreamConsumer& out) {
  SegmentOutcome r;
  stats_.segments.add();
  if ((s.flags & TcpStream::kClosed) != 0) {
    stats_.after_close.add();
    r.events |= Ev::kAfterClose;
    return r;
  }
  const uint32_t dseq = (flags & stream_flag::kSyn) != 0 ? seq + 1 : seq;  // the SYN takes one number
  if ((s.flags & TcpStream::kInit) == 0) {
    s = TcpStream{dseq, 0, kNone, kNone, kNone, 0, 0, TcpStream::kInit};
    if ((flags & stream_flag::kSyn) == 0) stats_.midstream_pickups.add();
  }
  if ((flags & stream_flag::kRst) != 0) {
    handle_rst(s, seq, out, r);
    return r;
  }

  const int64_t window = cfg_.window_bytes;
  const uint32_t ref = s.next_seq;  // positions below are relative to next_seq at entry
  const int64_t start = rel(dseq, ref);
  int64_t end = start + len;
  if (len > window || start < -window || end > window) {
    stats_.out_of_window.add();
    r.events |= Ev::kOutOfWindow;
    r.drop = cfg_.on_cap == CapPolicy::kDropSegment;
    return r;
  }
  // Inline, a segment that contradicts inspected bytes is refused whole,
  // before anything of it (its new bytes, its FIN) is taken: the receiver
  // must never hold bytes the inspector did not see.
  if (cfg_.refuse_conflicts && len > 0 && (start < 0 || s.ooo_head != kNone)) {
    const int64_t upto = (s.flags & TcpStream::kFinSeen) != 0 ? std::min(end, rel(s.fin_seq, ref)) : end;
    if (conflicts(s, data, start, std::max(start, upto))) {
      stats_.overlaps_different.add();
      stats_.conflicts_refused.add();
      r.events |= Ev::kOverlapDifferent;
      r.drop = true;
      return r;
    }
  }
  if ((flags & stream_flag::kFin) != 0) note_fin(s, dseq + len, r);
  if ((s.flags & TcpStream::kFinSeen) != 0 && end > rel(s.fin_seq, ref)) {
    stats_.beyond_fin.add();
    r.events |= Ev::kBeyondFin;
    end = std::max(start, rel(s.fin_seq, ref));
  }

  int64_t cur = start;
  uint64_t same = 0;
  uint64_t unverified = 0;
  uint64_t fresh = 0;
  bool differ = false;
  bool refused = false;

  // Bytes already delivered: compare with the history where it still has them.
  if (cur < 0 && end > cur) {
    const int64_t old_end = std::min<int64_t>(end, 0);
    uint64_t covered = 0;
    for (uint32_t h = s.hist_head; h != kNone; h = pool_.meta(h).next) {
      const int64_t hs = rel(pool_.meta(h).seq, ref);
      const int64_t a = std::max(cur, hs);
      const int64_t b = std::min(old_end, hs + pool_.meta(h).len);
      if (a >= b) continue;
      const auto n = static_cast<std::size_t>(b - a);
      if (std::memcmp(data + (a - start), pool_.data(h) + (a - hs), n) == 0) {
        same += n;
      } else {
        differ = true;
      }
      covered += n;
    }
    unverified = static_cast<uint64_t>(old_end - cur) - covered;
    cur = old_end;
  }

  // At the cap, out-of-order bytes that have become adjacent are packed
  // into as few chunks as they fit (Linux collapses its out-of-order queue
  // the same way), before any chunk of the list is held below.
  if (s.chunks >= cap_chunks_ || pool_.available() == 0) collapse_ooo(s);

  // The rest, against the out-of-order list: overlaps are compared (the
  // buffered bytes win), holes are delivered when they start at next_seq and
  // buffered otherwise. Draining waits until the end so that every overlap
  // is compared against a chunk still in the list.
  uint32_t prev = kNone;
  uint32_t c = s.ooo_head;
  while (cur < end && (s.flags & TcpStream::kClosed) == 0) {
    while (c != kNone && rel(pool_.meta(c).seq, ref) + pool_.meta(c).len <= cur) {
      prev = c;
      c = pool_.meta(c).next;
    }
    if (c != kNone && rel(pool_.meta(c).seq, ref) <= cur) {
      const int64_t cs = rel(pool_.meta(c).seq, ref);
      const int64_t b = std::min<int64_t>(end, cs + pool_.meta(c).len);
      const auto n = static_cast<std::size_t>(b - cur);
      if (std::memcmp(data + (cur - start), pool_.data(c) + (cur - cs), n) == 0) {
        same += n;
      } else {
        differ = true;
      }
      cur = b;
      continue;
    }
    const int64_t hole_end = c != kNone ? std::min<int64_t>(end, rel(pool_.meta(c).seq, ref)) : end;
    const int64_t next = rel(s.next_seq, ref);
    RAMPART_DCHECK(cur >= next);
    if (cur == next) {
      deliver(s, data + (cur - start), static_cast<uint32_t>(hole_end - cur), out, r);
      fresh += static_cast<uint64_t>(hole_end - cur);
      cur = hole_end;
      continue;
    }
    // Buffer [cur, hole_end) after prev, topping up prev first when the new
    // bytes continue it, and the next chunk when they end where it starts
    // (segments arriving in reverse order fill one chunk, not one each).
    const uint32_t want = static_cast<uint32_t>(hole_end - cur);
    const uint8_t* src = data + (cur - start);
    const uint32_t at = ref + static_cast<uint32_t>(cur);
    uint32_t stored = 0;
    if (prev != kNone) {
      SegmentPool::Meta& p = pool_.meta(prev);
      if (p.seq + p.len == at && p.len < kChunk) {
        stored = std::min<uint32_t>(want, kChunk - p.len);
        std::memcpy(pool_.data(prev) + p.len, src, stored);
        p.len = static_cast<uint16_t>(p.len + stored);
      }
    }
    if (stored < want && c != kNone && pool_.meta(c).seq == at + want && pool_.meta(c).len + (want - stored) <= kChunk) {
      SegmentPool::Meta& n = pool_.meta(c);
      const uint32_t rest = want - stored;
      std::memmove(pool_.data(c) + rest, pool_.data(c), n.len);
      std::memcpy(pool_.data(c), src + stored, rest);
      n.seq -= rest;
      n.len = static_cast<uint16_t>(n.len + rest);
      stored = want;
    }
    while (stored < want) {
      const uint32_t n = alloc_ooo(s, r);
      if (n == kNone) break;
      const uint32_t take = std::min(want - stored, kChunk);
      std::memcpy(pool_.data(n), src + stored, take);
      pool_.meta(n).seq = at + stored;
      pool_.meta(n).len = static_cast<uint16_t>(take);
      if (prev == kNone) {
        pool_.meta(n).next = s.ooo_head;
        s.ooo_head = n;
      } else {
        pool_.meta(n).next = pool_.meta(prev).next;
        pool_.meta(prev).next = n;
      }
      prev = n;
      stored += take;
    }
    stats_.buffered_bytes.add(stored);
    fresh += stored;
    cur += stored;
    if (stored == want) continue;
    if (cfg_.on_cap == CapPolicy::kDropSegment) {
      refused = true;
      break;
    }
    // kSkipGap: give up the oldest hole, up to the first buffered chunk or
    // to these bytes, whichever is first; either frees chunks or lets the
    // bytes be delivered directly, so the loop always progresses.
    uint32_t to = ref + static_cast<uint32_t>(cur);
    if (s.ooo_head != kNone && rel(pool_.meta(s.ooo_head).seq, ref) < cur) to = pool_.meta(s.ooo_head).seq;
    gap_to(s, to, out, r);
    drain(s, out, r);
    prev = kNone;
    c = s.ooo_head;
  }
  if ((s.flags & TcpStream::kClosed) == 0) drain(s, out, r);

  if (differ) {
    stats_.overlaps_different.add();
    r.events |= Ev::kOverlapDifferent;
  } else if (unverified > 0) {
    stats_.overlaps_unverified.add();
    r.events |= Ev::kOverlapUnverified;
  } else if (same > 0 && fresh == 0 && !refused) {
    stats_.retransmits.add();
    r.events |= Ev::kRetransmit;
  } else if (same > 0) {
    stats_.overlaps_same.add();
    r.events |= Ev::kOverlapSame;
  }
  if (refused) {
    stats_.segments_refused.add();
    r.drop = true;
  }
  return r;
}

SegmentOutcome TcpReassembler::peer_ack(TcpStream& s, uint32_t ack, const StreamConsumer& out) {
  SegmentOutcome r;
  if ((s.flags & TcpStream::kInit) == 0 || (s.flags & TcpStream::kClosed) != 0) return r;
  const int64_t d = rel(ack, s.next_seq);
  if (d <= 0 || d > cfg_.window_bytes) return r;
  uint32_t target = ack;
  if ((s.flags & TcpStream::kFinSeen) != 0 && rel(s.fin_seq, ack) < 0) target = s.fin_seq;  // ack covers the FIN
  while (rel(target, s.next_seq) > 0 && (s.flags & TcpStream::kClosed) == 0) {
    uint32_t to = target;
    if (s.ooo_head != kNone && rel(pool_.meta(s.ooo_head).seq, target) < 0) to = pool_.meta(s.ooo_head).seq;
    gap_to(s, to, out, r);
    drain(s, out, r);
  }
  if ((s.flags & TcpStream::kClosed) == 0) drain(s, out, r);  // a FIN exactly at target
  return r;
}

void TcpReassembler::flush(TcpStream& s, const StreamConsumer& out) {
  if ((s.flags & TcpStream::kInit) == 0 || (s.flags & TcpStream::kClosed) != 0) return;
  SegmentOutcome r;
  while (s.ooo_head != kNone && (s.flags & TcpStream::kClosed) == 0) {
    gap_to(s, pool_.meta(s.ooo_head).seq, out, r);
    drain(s, out, r);
  }
  if ((s.flags & TcpStream::kClosed) == 0) drain(s, out, r);
}

void TcpReassembler::release(TcpStream& s) {
  if ((s.flags & TcpStream::kInit) == 0) {  // zeroed: holds nothing, and 0 is a valid chunk index
    s = TcpStream{0, 0, kNone, kNone, kNone, 0, 0, TcpStream::kInit | TcpStream::kClosed};
    return;
  }
  free_ooo(s);
  drop_history(s);
  RAMPART_DCHECK(s.chunks == 0);
  s.flags |= TcpStream::kInit | TcpStream::kClosed;
}

}  // namespace rampart::dp
