// The worker's L7 stage (declared in worker.h): which packets go to the
// L7Inspector, inspection slots taken and given back for flows, and what a
// verdict of the inspector does to the packet and the flow
// (docs/design/l7-inspection.md).

#include "dataplane/action/reject_builder.h"
#include "dataplane/parse/l4_checksum.h"
#include "dataplane/worker/worker.h"

namespace rampart::dp {

bool Worker::wants_l7(const PacketMeta& m, const FlowDecision& d) const {
  if (!l7_ || d.drop != DropReason::kNone || d.flow == nullptr) return false;
  if (m.proto == ip_proto::kUdp) return true;
  if (m.proto != ip_proto::kTcp) return false;
  // A flow with a slot sees every segment (FIN, RST and ACK-only ones end
  // or move its streams); one without needs a slot only for payload, or
  // to be reset once its inspection was lost.
  const Flow& f = *d.flow;
  if (f.l7_slot != kNoL7Slot) return true;
  const auto phase = static_cast<L7Phase>(f.l7_phase);
  if (phase == L7Phase::kLost) return true;
  return phase != L7Phase::kDone && m.payload_len > 0 && (d.to_server || l7_->inspects_server());
}

FlowDecision Worker::inspect_l7_packet(rte_mbuf* m, const BurstPacket& p, const FlowDecision& d) {
  const PacketMeta& meta = p.meta;
  const uint32_t off = uint32_t{meta.l2_len} + meta.l3_hdr_len + meta.l4_len;
  uint32_t len = meta.payload_len;
  const uint8_t* payload = nullptr;
  if (len > 0) {
    if (len > sizeof(l7_copy_)) len = sizeof(l7_copy_);  // beyond any frame we accept
    payload = static_cast<const uint8_t*>(rte_pktmbuf_read(m, off, len, l7_copy_));
    if (payload == nullptr) len = 0;
  }
  return inspect_l7(meta, p.head, payload, len, d);
}

FlowDecision Worker::inspect_l7(const PacketMeta& meta, const uint8_t* head, const uint8_t* payload,
                                uint32_t len, const FlowDecision& d) {
  Flow& f = *d.flow;
  const bool protect = f.mode == static_cast<uint8_t>(policy::GroupMode::kProtect);
  // The receiver drops a segment whose checksum is wrong: inspecting its
  // bytes would let them stand in for the real ones (an insertion attack).
  if (len > 0 && cfg_.parse.l4_checksum && !l4_checksum_ok(meta, head, payload, len)) {
    return protect ? FlowDecision{DropReason::kL4BadChecksum, false, d.flow, d.to_server} : d;
  }
  const bool lo = f.initiator_is_lo;
  const L7FlowInfo info{lo ? f.key.addr_lo : f.key.addr_hi,
                        lo ? f.key.addr_hi : f.key.addr_lo,
                        lo ? f.key.port_lo : f.key.port_hi,
                        lo ? f.key.port_hi : f.key.port_lo,
                        f.key.family,
                        f.in_port,
                        f.flow_id,
                        now_ns_,
                        f.mode};
  L7Verdict v;
  if (meta.proto == ip_proto::kUdp) {
    v = l7_->on_udp(payload, len, d.to_server, info);
  } else {
    if (f.l7_slot == kNoL7Slot) {
      const auto phase = static_cast<L7Phase>(f.l7_phase);
      if (phase == L7Phase::kLost) {
        // Its slot was taken mid-message: what it sends can no longer be
        // inspected, so it is reset rather than passed blind.
        if (!protect) return d;
        return block_flow(f, meta, head, d, DropReason::kL7StateLost);
      }
      FlowDecision none;
      if (!attach_l7(f, d, &none)) return none;
    }
    bool released = false;
    v = l7_->on_segment(f.l7_slot, meta, payload, len, d.to_server, info, &released);
    if (released) {
      f.l7_slot = kNoL7Slot;
      f.l7_phase = static_cast<uint8_t>(L7Phase::kDone);
    }
  }
  switch (v) {
    case L7Verdict::kPass:
      return d;
    case L7Verdict::kRefused:
    case L7Verdict::kConflict:
      // Inline, the receiver gets only bytes that were inspected. Monitor
      // and discover flows are never dropped for it (counted by the stream).
      if (!protect) return d;
      return FlowDecision{v == L7Verdict::kRefused ? DropReason::kStreamRefused : DropReason::kStreamConflict,
                          false, d.flow, d.to_server};
    case L7Verdict::kBlock:
      break;
  }
  return block_flow(f, meta, head, d, DropReason::kL7Signature);
}

// The flow stays blocked (every later packet is answered with a reset);
// this packet is reset now towards its sender (apply()) and, in its own
// direction, towards its receiver.
FlowDecision Worker::block_flow(Flow& f, const PacketMeta& meta, const uint8_t* head, const FlowDecision& d,
                                DropReason why) {
  f.verdict = FlowVerdict::kReject;
  f.policy_verdict = FlowVerdict::kReject;
  f.l7_blocked = true;
  if (meta.proto == ip_proto::kTcp && forward_rst_n_ < kBurst) {
    if (rte_mbuf* rst = build_forward_rst(pool_, head, meta)) {
      forward_rsts_[forward_rst_n_++] = rst;
    } else {
      stats_.reject_failed.add();
    }
  }
  FlowDecision blocked = d;
  blocked.drop = why;
  blocked.reject = true;
  return blocked;
}

bool Worker::attach_l7(Flow& f, const FlowDecision& in, FlowDecision* out) {
  const int32_t pos = flows_->index_of(f);
  const L7StreamStart& ss = stream_starts_->at(pos);
  const StreamStart start{{ss.seq[0], ss.seq[1]}, f.stream_seq_known,
                          static_cast<L7Phase>(f.l7_phase) == L7Phase::kParked};
  SlotEviction ev;
  const int32_t slot = l7_->attach(static_cast<uint32_t>(pos), start, now_ns_, &ev);
  if (ev.owner != SlotEviction::kNoOwner) {
    Flow& victim = flows_->at(static_cast<int32_t>(ev.owner));
    victim.l7_slot = kNoL7Slot;
    victim.l7_phase = static_cast<uint8_t>(ev.parked ? L7Phase::kParked : L7Phase::kLost);
    if (ev.parked) {
      stream_starts_->at(static_cast<int32_t>(ev.owner)).seq[0] = ev.resume_seq;
      victim.stream_seq_known = static_cast<uint8_t>(victim.stream_seq_known | 1u);
    }
  }
  if (slot == kNoL7Slot) {
    if (cfg_.l7_exhausted_bypass) {
      f.l7_phase = static_cast<uint8_t>(L7Phase::kDone);
      *out = in;
      return false;
    }
    // Dropped, not passed blind: the sender retransmits, and a slot taken
    // then starts at the handshake's sequence numbers.
    *out = FlowDecision{DropReason::kL7Exhausted, false, in.flow, in.to_server};
    return false;
  }
  f.l7_slot = slot;
  f.l7_phase = static_cast<uint8_t>(L7Phase::kNone);
  return true;
}

void Worker::note_stream_start(Flow& f, const PacketMeta& m, bool from_initiator) {
  if (f.l7_slot != kNoL7Slot) return;  // the slot's streams are started
  // A SYN from the initiator, a SYN-ACK from the responder: that
  // direction's bytes start at ISN + 1.
  const bool ack = (m.tcp_flags & tcp_flag::kAck) != 0;
  if (from_initiator == ack) return;
  const int dir = from_initiator ? 0 : 1;
  stream_starts_->at(flows_->index_of(f)).seq[dir] = m.tcp_seq + 1;
  f.stream_seq_known = static_cast<uint8_t>(f.stream_seq_known | (1u << dir));
}

}  // namespace rampart::dp
