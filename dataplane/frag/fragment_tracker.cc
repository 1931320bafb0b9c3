#include "dataplane/frag/fragment_tracker.h"

#include <rte_errno.h>
#include <rte_jhash.h>

#include <cstring>

#include <fmt/format.h>

namespace rampart::dp {
namespace {

// Memory a held fragment really pins: whole mbuf buffers, not just its bytes,
// so the cap bounds the mbufs a worker can hold and pool sizing can rely on it.
uint32_t truesize(const rte_mbuf* m) {
  uint32_t t = 0;
  for (const rte_mbuf* s = m; s != nullptr; s = s->next) t += s->buf_len;
  return t;
}

}  // namespace

Result<std::unique_ptr<FragmentTracker>> FragmentTracker::create(const char* name, const FragConfig& cfg,
                                                                 uint32_t seed, int socket, Counter* drops) {
  if (cfg.max_datagrams < 8) return Error{"fragment table must hold at least 8 datagrams"};
  rte_hash_parameters p{};
  p.name = name;
  p.entries = cfg.max_datagrams;
  p.key_len = sizeof(Key);
  p.hash_func = rte_jhash;
  p.hash_func_init_val = seed;
  p.socket_id = socket;
  p.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  rte_hash* h = rte_hash_create(&p);
  if (h == nullptr) return Error{fmt::format("rte_hash_create({}): {}", name, rte_strerror(rte_errno))};
  return std::unique_ptr<FragmentTracker>(new FragmentTracker(h, cfg, drops));
}

FragmentTracker::~FragmentTracker() {
  flush();
  rte_hash_free(hash_);
}

void FragmentTracker::drop_fragment(rte_mbuf* m, DropReason r) {
  drops_[static_cast<std::size_t>(r)].add();
  rte_pktmbuf_free(m);
}

void FragmentTracker::drop_datagram(int32_t slot, DropReason r, bool keep_poisoned) {
  Datagram& d = datagram(slot);
  for (uint32_t i = 0; i < d.count; ++i) drop_fragment(d.frags[i].mbuf, r);
  held_bytes_ -= d.held_bytes;
  d.held_bytes = 0;
  d.count = 0;
  if (keep_poisoned) {
    d.poisoned = true;
  } else {
    remove_slot(slot);
  }
}

void FragmentTracker::remove_slot(int32_t slot) {
  rte_hash_del_key(hash_, &keys_[static_cast<std::size_t>(slot)]);
  datagram(slot).in_use = false;
}

void FragmentTracker::release(int32_t slot) {
  Datagram& d = datagram(slot);
  held_bytes_ -= d.held_bytes;
  d.held_bytes = 0;
  d.count = 0;
  remove_slot(slot);
}

FragmentTracker::Outcome FragmentTracker::add(rte_mbuf* m, const PacketMeta& meta, uint64_t now_ns,
                                              int32_t* slot_out) {
  Key key;
  std::memset(&key, 0, sizeof(key));
  const std::size_t alen = meta.l3 == L3::kIpv4 ? 4 : 16;
  std::memcpy(key.src, meta.src, alen);
  std::memcpy(key.dst, meta.dst, alen);
  key.id = meta.frag_id;
  key.vlan = meta.vlan_outer;
  key.proto = meta.proto;
  key.family = static_cast<uint8_t>(meta.l3);

  const uint32_t frag_len = meta.l3_len - meta.l3_hdr_len;
  const uint32_t size = truesize(m);
  if (held_bytes_ + size > cfg_.memcap_bytes) {
    if (cfg_.forward_on_memcap) {
      ++memcap_bypassed_;
      return Outcome::kForwardUnchecked;
    }
    drop_fragment(m, DropReason::kFragMemcap);
    return Outcome::kDropped;
  }

  int32_t slot = rte_hash_lookup(hash_, &key);
  if (slot >= 0) {
    // A datagram past its timeout is gone even if the sweep has not reached
    // it yet: its pieces are dropped and this fragment starts afresh.
    const Datagram& old = datagram(slot);
    if (now_ns > old.first_seen_ns && now_ns - old.first_seen_ns > cfg_.timeout_ns) {
      drop_datagram(slot, DropReason::kFragTimeout, false);
      slot = -1;
    }
  }
  if (slot < 0) {
    slot = rte_hash_add_key(hash_, &key);
    if (slot < 0) {
      drop_fragment(m, DropReason::kFragTableFull);
      return Outcome::kDropped;
    }
    keys_[static_cast<std::size_t>(slot)] = key;
    Datagram& d = datagram(slot);
    d.first_seen_ns = now_ns;
    d.held_bytes = 0;
    d.total_len = 0;
    d.covered = 0;
    d.max_end = 0;
    d.count = 0;
    d.in_use = true;
    d.have_first = false;
    d.poisoned = false;
  }
  Datagram& d = datagram(slot);
  if (d.poisoned) {
    drop_fragment(m, DropReason::kFragOverlap);
    return Outcome::kDropped;
  }
  const uint32_t off = meta.frag_offset;
  const uint32_t end = off + frag_len;
  for (uint32_t i = 0; i < d.count; ++i) {
    const HeldFragment& f = d.frags[i];
    if (off < uint32_t{f.offset} + f.length && f.offset < end) {
      drop_fragment(m, DropReason::kFragOverlap);
      drop_datagram(slot, DropReason::kFragOverlap, /*keep_poisoned=*/true);
      return Outcome::kDropped;
    }
  }
  const bool last = !meta.more_fragments;
  if ((last && d.total_len != 0) || (d.total_len != 0 && end > d.total_len) ||
      (last && end < d.max_end)) {
    drop_fragment(m, DropReason::kFragBadLength);
    drop_datagram(slot, DropReason::kFragBadLength, false);
    return Outcome::kDropped;
  }
  if (d.count == kMaxFragments) {
    drop_fragment(m, DropReason::kFragTooMany);
    drop_datagram(slot, DropReason::kFragTooMany, true);
    return Outcome::kDropped;
  }
  if (last) d.total_len = end;
  if (off == 0) {
    d.first = meta;
    d.have_first = true;
  }
  d.frags[d.count++] =
      HeldFragment{m, static_cast<uint16_t>(off), static_cast<uint16_t>(frag_len), meta.frag_payload_off};
  d.covered += frag_len;
  if (end > d.max_end) d.max_end = end;
  d.held_bytes += size;
  held_bytes_ += size;

  if (d.total_len == 0 || d.covered != d.total_len || !d.have_first) return Outcome::kHeld;
  // Complete. Without overlaps, covering total_len bytes means no holes.
  // IPv6 hosts discard a first fragment without the upper-layer header
  // (RFC 8200 4.5, Linux ipv6_frag_thdr_truncated()): so does the tracker.
  // IPv4 stacks reassemble such datagrams, so they are judged whole.
  if (d.first.l3 == L3::kIpv6 && !d.first.l4_parsed) {
    drop_datagram(slot, DropReason::kFragTinyFirst, false);
    return Outcome::kDropped;
  }
  *slot_out = slot;
  return Outcome::kComplete;
}

void FragmentTracker::expire_some(uint64_t now_ns, uint32_t budget) {
  const uint32_t n = static_cast<uint32_t>(slots_.size());
  for (uint32_t i = 0; i < budget; ++i) {
    const int32_t s = static_cast<int32_t>(expire_cursor_);
    expire_cursor_ = (expire_cursor_ + 1) % n;
    Datagram& d = datagram(s);
    if (d.in_use && now_ns > d.first_seen_ns && now_ns - d.first_seen_ns > cfg_.timeout_ns) drop_datagram(s, DropReason::kFragTimeout, false);
  }
}

void FragmentTracker::flush() {
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    if (datagram(static_cast<int32_t>(s)).in_use) drop_datagram(static_cast<int32_t>(s), DropReason::kFragTimeout, false);
  }
}

}  // namespace rampart::dp
