#include "dataplane/conntrack/tcp_state.h"

#include <gtest/gtest.h>

#include "dataplane/parse/packet_meta.h"

namespace rampart::dp {
namespace {

using namespace tcp_flag;

constexpr bool kInit = true;
constexpr bool kResp = false;

TEST(TcpState, HandshakeDataAndOrderlyClose) {
  FlowState s = tcp_initial_state(kSyn);
  EXPECT_EQ(s, FlowState::kTcpSynSent);
  EXPECT_TRUE(tcp_advance(s, kSyn | kAck, kResp));
  EXPECT_EQ(s, FlowState::kTcpSynRecv);
  EXPECT_TRUE(tcp_advance(s, kAck, kInit));
  EXPECT_EQ(s, FlowState::kTcpEstablished);
  EXPECT_TRUE(tcp_advance(s, kAck | kPsh, kResp));
  EXPECT_EQ(s, FlowState::kTcpEstablished);
  EXPECT_TRUE(tcp_advance(s, kFin | kAck, kInit));
  EXPECT_EQ(s, FlowState::kTcpFinWait);
  EXPECT_TRUE(tcp_advance(s, kFin | kAck, kResp));
  EXPECT_EQ(s, FlowState::kTcpClosing);
  EXPECT_TRUE(tcp_advance(s, kAck, kInit));
  EXPECT_EQ(s, FlowState::kTcpTimeWait);
}

TEST(TcpState, RstClosesFromAnyState) {
  for (FlowState start : {FlowState::kTcpSynSent, FlowState::kTcpSynRecv, FlowState::kTcpEstablished,
                          FlowState::kTcpFinWait}) {
    FlowState s = start;
    EXPECT_TRUE(tcp_advance(s, kRst, kResp));
    EXPECT_EQ(s, FlowState::kTcpClosed);
  }
}

TEST(TcpState, SynAckFromInitiatorIsInvalid) {
  FlowState s = FlowState::kTcpSynSent;
  EXPECT_FALSE(tcp_advance(s, kSyn | kAck, kInit));
  EXPECT_EQ(s, FlowState::kTcpSynSent);
}

TEST(TcpState, ResponderDataBeforeSynAckIsInvalid) {
  FlowState s = FlowState::kTcpSynSent;
  EXPECT_FALSE(tcp_advance(s, kAck, kResp));
}

TEST(TcpState, NewSynInsideEstablishedIsInvalid) {
  FlowState s = FlowState::kTcpEstablished;
  EXPECT_FALSE(tcp_advance(s, kSyn, kInit));
  EXPECT_EQ(s, FlowState::kTcpEstablished);
}

TEST(TcpState, RetransmittedSynAndSynAckAreAccepted) {
  FlowState s = FlowState::kTcpSynSent;
  EXPECT_TRUE(tcp_advance(s, kSyn, kInit));
  EXPECT_EQ(s, FlowState::kTcpSynSent);
  s = FlowState::kTcpSynRecv;
  EXPECT_TRUE(tcp_advance(s, kSyn | kAck, kResp));
  EXPECT_TRUE(tcp_advance(s, kSyn, kInit));
  EXPECT_EQ(s, FlowState::kTcpSynRecv);
}

TEST(TcpState, MidstreamPickupStartsEstablished) {
  EXPECT_EQ(tcp_initial_state(kAck), FlowState::kTcpEstablished);
  EXPECT_EQ(tcp_initial_state(kAck | kFin), FlowState::kTcpFinWait);
  EXPECT_EQ(tcp_initial_state(kRst), FlowState::kTcpClosed);
}

TEST(TcpState, SynReopensOnlyFinishedFlows) {
  EXPECT_TRUE(tcp_may_reopen(FlowState::kTcpClosed, kSyn, kInit));
  EXPECT_TRUE(tcp_may_reopen(FlowState::kTcpTimeWait, kSyn, kResp));
  EXPECT_FALSE(tcp_may_reopen(FlowState::kTcpEstablished, kSyn, kInit));
  EXPECT_FALSE(tcp_may_reopen(FlowState::kTcpClosed, kSyn | kAck, kInit));
}

TEST(TcpState, TimeoutsFollowState) {
  ConntrackTimeouts t;
  EXPECT_EQ(flow_timeout_ns(t, ip_proto::kTcp, FlowState::kTcpSynSent), t.tcp_syn_ns);
  EXPECT_EQ(flow_timeout_ns(t, ip_proto::kTcp, FlowState::kTcpEstablished), t.tcp_established_ns);
  EXPECT_EQ(flow_timeout_ns(t, ip_proto::kTcp, FlowState::kTcpFinWait), t.tcp_closing_ns);
  EXPECT_EQ(flow_timeout_ns(t, ip_proto::kTcp, FlowState::kTcpClosed), t.tcp_closed_ns);
  EXPECT_EQ(flow_timeout_ns(t, ip_proto::kUdp, FlowState::kNew), t.udp_new_ns);
  EXPECT_EQ(flow_timeout_ns(t, ip_proto::kUdp, FlowState::kEstablished), t.udp_established_ns);
  EXPECT_EQ(flow_timeout_ns(t, ip_proto::kIcmp, FlowState::kNew), t.icmp_ns);
  EXPECT_EQ(flow_timeout_ns(t, 47, FlowState::kNew), t.other_ns);
  EXPECT_LT(t.tcp_syn_ns, t.tcp_established_ns);
}

}  // namespace
}  // namespace rampart::dp
