#pragma once
// Flow: the per-connection state a worker keeps in its flow table. Plain
// data, one cache line and a bit; only the owning worker touches it.

#include <cstddef>
#include <cstdint>

#include "dataplane/conntrack/flow_key.h"

namespace rampart::dp {

enum class FlowState : uint8_t {
  kNew = 0,          // UDP/ICMP/other: seen one direction only
  kEstablished,      // UDP/ICMP/other: seen both directions
  kTcpSynSent,
  kTcpSynRecv,
  kTcpEstablished,
  kTcpFinWait,       // one side has sent FIN
  kTcpClosing,       // both sides have sent FIN
  kTcpTimeWait,      // both FINs acknowledged
  kTcpClosed,        // RST seen
};

const char* flow_state_name(FlowState s);

// Where a TCP flow stands with L7 inspection (L7Inspector slots are taken
// at the first payload byte, not at the SYN, and given back as soon as
// nothing is left to inspect; see docs/design/l7-inspection.md,
// "Inspection slots").
enum class L7Phase : uint8_t {
  kNone = 0,  // no slot yet: the next payload takes one
  kParked,    // HTTP between two requests, slot taken for another flow: resumes where it stopped
  kDone,      // nothing more to inspect (finished, not inspectable, or bypassed)
  kLost,      // slot taken away mid-message (evicted): inspection impossible, the flow is reset
};

// Flow::l7_slot when the flow holds no inspection slot.
inline constexpr int32_t kNoL7Slot = -1;

// The verdict a flow carries; decided on its first packet by the RuleSet
// (and, for a flow in monitor or discover mode, not enforced: kAllow).
enum class FlowVerdict : uint8_t { kAllow = 0, kDeny = 1, kReject = 2 };

// The first cache line holds everything a packet of an established flow
// reads and writes; the second what only flow creation and records need.
struct alignas(64) Flow {
  // --- hot: every packet ---
  uint64_t last_seen_ns;
  uint64_t packets[2];       // [0]: initiator -> responder, [1]: back
  uint64_t bytes[2];
  uint32_t generation;       // RuleSet generation the verdict came from
  uint32_t rule_index;       // 0: default action, else rule number (1-based)
  FlowState state;
  FlowVerdict verdict;
  bool initiator_is_lo;
  bool drop_logged;          // a drop event was emitted for this flow
  uint8_t tcp_flags[2];      // OR of flags seen per direction
  uint8_t icmp_type;         // ICMP: type and code of the first packet
  uint8_t icmp_code;
  FlowVerdict policy_verdict;  // what the rules decided; `verdict` is what is enforced (see mode)
  uint8_t mode : 2;            // policy::GroupMode of the flow (protect, monitor, discover)
  uint8_t l7_blocked : 1;      // a drop/reject signature matched: blocked whatever later policies say
  uint8_t l7_phase : 2;        // L7Phase
  uint8_t stream_seq_known : 2;  // bit d: the flow's L7StreamStart (flow_side_table.h) holds direction d
  // --- cold: creation, expiry, records (ordered so that nothing pads) ---
  FlowTuple key;             // the hash key without its padding; kept here for records and removal
  uint16_t in_port;          // port the first packet arrived on
  int32_t l7_slot;           // L7Inspector slot, or -1 when not inspected
  uint64_t flow_id;          // unique per worker start, reported in EVE
  uint64_t first_seen_ns;
  // 8 bytes left: what does not fit hangs beside the table
  // (flow_side_table.h).
};
static_assert(offsetof(Flow, key) <= 64, "the hot fields fit in the first cache line");
static_assert(sizeof(Flow) == 128, "a flow is two cache lines");

}  // namespace rampart::dp
