#pragma once
// FragmentTracker: one worker's IPv4/IPv6 fragment reassembly ("virtual
// reassembly", as Cisco and Juniper firewalls call it). Fragments of a
// datagram are held, unmodified, until the datagram is complete and
// consistent; the worker then rebuilds the datagram (datagram_assembler.h),
// runs it through every later stage as one packet, and forwards or drops all
// of its fragments together. The fragments leave as they came: nothing is
// rewritten or re-fragmented, so the egress MTU never matters.
//
// Refused, each counted under its DropReason: overlapping fragments (the
// whole datagram: an evasion signal, RFC 5722), IPv6 datagrams whose first
// fragment does not hold the L4 header (RFC 8200 4.5; an IPv4 TCP header
// split across fragments is reassembled and judged whole, as Linux does),
// more than kMaxFragments pieces, lengths past 65535 or inconsistent ends,
// datagrams not complete within the timeout, and fragments over the memory
// cap (or, with on_memcap=forward, forwarded unchecked and counted).
//
// Cold: create(). Hot: everything else, owning worker only; no allocation.

#include <rte_hash.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/common/drop_reason.h"
#include "common/result.h"
#include "dataplane/parse/packet_meta.h"
#include "dataplane/stats/counter.h"

namespace rampart::dp {

struct FragConfig {
  uint32_t max_datagrams = 1024;          // concurrent incomplete datagrams per worker
  uint64_t memcap_bytes = 8ull << 20;     // mbuf buffer bytes held per worker
  uint64_t timeout_ns = 30'000'000'000ull;  // as Linux ipfrag_time
  bool forward_on_memcap = false;         // fail-open instead of fail-closed
};

class FragmentTracker {
 public:
  static constexpr uint32_t kMaxFragments = 64;

  enum class Outcome : uint8_t {
    kHeld,             // kept; nothing to do now
    kComplete,         // datagram complete: process datagram(slot), then release(slot)
    kDropped,          // the fragment (and maybe its datagram) was dropped and counted
    kForwardUnchecked, // memcap hit with forward_on_memcap: forward this fragment as is
  };
  struct HeldFragment {
    rte_mbuf* mbuf;
    uint16_t offset;       // of its bytes in the datagram's fragmentable part
    uint16_t length;
    uint16_t payload_off;  // where those bytes start in the frame
  };
  struct Datagram {
    PacketMeta first;  // meta of the offset-0 fragment
    uint64_t first_seen_ns;
    uint32_t held_bytes;
    uint32_t total_len;  // 0 until the last fragment is seen
    uint32_t covered;
    uint32_t max_end;  // highest fragment end seen
    uint32_t count;
    bool in_use;
    bool have_first;
    bool poisoned;  // overlap seen: drop whatever else arrives until timeout
    HeldFragment frags[kMaxFragments];
  };

  // `drops` is the worker's DropReason counter array (kDropReasonCount
  // entries): fragments dropped by the tracker are freed and counted there.
  static Result<std::unique_ptr<FragmentTracker>> create(const char* name, const FragConfig& cfg, uint32_t seed,
                                                         int socket, Counter* drops);
  ~FragmentTracker();
  FragmentTracker(const FragmentTracker&) = delete;
  FragmentTracker& operator=(const FragmentTracker&) = delete;

  // Takes ownership of `m` unless the outcome is kForwardUnchecked.
  Outcome add(rte_mbuf* m, const PacketMeta& meta, uint64_t now_ns, int32_t* slot);
  Datagram& datagram(int32_t slot) { return slots_[static_cast<std::size_t>(slot)]; }
  // Forgets a completed datagram whose fragments the caller now owns.
  void release(int32_t slot);
  // Drops datagrams older than the timeout; visits at most `budget` slots.
  void expire_some(uint64_t now_ns, uint32_t budget);
  // Drops every held fragment as frag_timeout (shutdown / end of capture).
  void flush();

  uint64_t held_bytes() const { return held_bytes_; }
  uint64_t memcap_bypassed() const { return memcap_bypassed_; }
  uint32_t active() const { return static_cast<uint32_t>(rte_hash_count(hash_)); }

 private:
  struct Key {
    uint8_t src[16];
    uint8_t dst[16];
    uint32_t id;
    uint16_t vlan;
    uint8_t proto;
    uint8_t family;
  };
  static_assert(sizeof(Key) == 40);

  FragmentTracker(rte_hash* h, const FragConfig& cfg, Counter* drops)
      : hash_(h), cfg_(cfg), drops_(drops), slots_(cfg.max_datagrams + 1), keys_(cfg.max_datagrams + 1) {}
  void drop_fragment(rte_mbuf* m, DropReason r);
  void drop_datagram(int32_t slot, DropReason r, bool keep_poisoned);
  void remove_slot(int32_t slot);

  rte_hash* hash_;
  FragConfig cfg_;
  Counter* drops_;
  uint64_t held_bytes_ = 0;
  uint64_t memcap_bypassed_ = 0;
  uint32_t expire_cursor_ = 0;
  std::vector<Datagram> slots_;
  std::vector<Key> keys_;
};

}  // namespace rampart::dp
