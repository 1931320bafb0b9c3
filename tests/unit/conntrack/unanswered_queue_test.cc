#include "dataplane/conntrack/unanswered_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace rampart::dp {
namespace {

// The queue hands out the oldest flow that is still unanswered, skipping
// entries whose flow was answered, ended (flow_id 0) or replaced (another
// flow_id at the position).
TEST(UnansweredQueue, OldestStillUnansweredFirst) {
  std::vector<Flow> table(8);
  auto at = [&](int32_t p) -> const Flow& { return table[static_cast<std::size_t>(p)]; };
  UnansweredQueue q(8);
  for (int32_t p = 0; p < 5; ++p) {
    table[static_cast<std::size_t>(p)].flow_id = 100 + static_cast<uint64_t>(p);
    table[static_cast<std::size_t>(p)].state = FlowState::kTcpSynSent;
    q.push(p, 100 + static_cast<uint64_t>(p));
  }
  table[0].state = FlowState::kTcpEstablished;  // answered
  table[1].flow_id = 0;                          // ended
  table[2].flow_id = 999;                        // position reused by another flow
  EXPECT_EQ(q.take_oldest(at), 3);
  table[4].state = FlowState::kNew;  // one-way UDP counts too
  EXPECT_EQ(q.take_oldest(at), 4);
  EXPECT_EQ(q.take_oldest(at), -1);
  EXPECT_EQ(q.size(), 0u);
}

// Full: the oldest entry is forgotten, never the newest.
TEST(UnansweredQueue, FullQueueForgetsItsOldest) {
  std::vector<Flow> table(4);
  auto at = [&](int32_t p) -> const Flow& { return table[static_cast<std::size_t>(p)]; };
  UnansweredQueue q(2);
  for (int32_t p = 0; p < 3; ++p) {
    table[static_cast<std::size_t>(p)].flow_id = 1 + static_cast<uint64_t>(p);
    table[static_cast<std::size_t>(p)].state = FlowState::kTcpSynRecv;
    q.push(p, 1 + static_cast<uint64_t>(p));
  }
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.take_oldest(at), 1);
  EXPECT_EQ(q.take_oldest(at), 2);
}

}  // namespace
}  // namespace rampart::dp
