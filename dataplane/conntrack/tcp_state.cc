#include "dataplane/conntrack/tcp_state.h"

#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {

const char* flow_state_name(FlowState s) {
  switch (s) {
    case FlowState::kNew: return "new";
    case FlowState::kEstablished: return "established";
    case FlowState::kTcpSynSent: return "syn_sent";
    case FlowState::kTcpSynRecv: return "syn_recv";
    case FlowState::kTcpEstablished: return "established";
    case FlowState::kTcpFinWait: return "fin_wait";
    case FlowState::kTcpClosing: return "closing";
    case FlowState::kTcpTimeWait: return "time_wait";
    case FlowState::kTcpClosed: return "closed";
  }
  return "unknown";
}

FlowState tcp_initial_state(uint8_t flags) {
  using namespace tcp_flag;
  if (flags & kRst) return FlowState::kTcpClosed;
  if ((flags & kSyn) && !(flags & kAck)) return FlowState::kTcpSynSent;
  if (flags & kFin) return FlowState::kTcpFinWait;
  // Mid-stream pickup (no SYN seen): assume the connection is established.
  return FlowState::kTcpEstablished;
}

bool tcp_may_reopen(FlowState state, uint8_t flags, bool from_initiator) {
  using namespace tcp_flag;
  const bool pure_syn = (flags & kSyn) && !(flags & kAck);
  (void)from_initiator;  // either side may open the next connection on the tuple
  return pure_syn && (state == FlowState::kTcpClosed || state == FlowState::kTcpTimeWait);
}

bool tcp_advance(FlowState& state, uint8_t flags, bool from_initiator) {
  using namespace tcp_flag;
  const bool syn = flags & kSyn, ack = flags & kAck, fin = flags & kFin, rst = flags & kRst;
  if (rst) {
    state = FlowState::kTcpClosed;
    return true;
  }
  switch (state) {
    case FlowState::kTcpSynSent:
      if (syn && ack) {
        if (from_initiator) return false;  // SYN-ACK must come from the responder
        state = FlowState::kTcpSynRecv;
      } else if (syn) {
        if (!from_initiator) return false;  // simultaneous open is not supported
      } else if (!from_initiator) {
        return false;  // the responder says nothing before its SYN-ACK
      }
      return true;
    case FlowState::kTcpSynRecv:
      if (syn && !ack && from_initiator) return true;  // SYN retransmit
      if (syn && ack && !from_initiator) return true;  // SYN-ACK retransmit
      if (syn) return false;
      if (ack && from_initiator) state = fin ? FlowState::kTcpFinWait : FlowState::kTcpEstablished;
      return true;
    case FlowState::kTcpEstablished:
      if (syn && !ack) return false;  // a new SYN inside a live connection
      if (fin) state = FlowState::kTcpFinWait;
      return true;
    case FlowState::kTcpFinWait:
      if (syn && !ack) return false;
      // We do not remember which side sent the first FIN: a second FIN from
      // either side moves on. PERF/TODO: track per-direction FIN for exact
      // half-close accounting.
      if (fin) state = FlowState::kTcpClosing;
      return true;
    case FlowState::kTcpClosing:
      if (syn && !ack) return false;
      if (ack && !fin) state = FlowState::kTcpTimeWait;
      return true;
    case FlowState::kTcpTimeWait:
    case FlowState::kTcpClosed:
      return !(syn && !ack);  // a fresh SYN goes through tcp_may_reopen first
    case FlowState::kNew:
    case FlowState::kEstablished:
      return true;
  }
  return true;
}

}  // namespace rampart::dp
