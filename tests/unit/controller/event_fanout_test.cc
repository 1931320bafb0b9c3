// One appliance event stream fanned out to many subscribers (issue 9 part
// 4, defect 6): every subscriber gets what its selector takes, a full
// queue loses events for its own subscriber only (counted, reported on the
// next event or as a marker), dispatch never waits, and the appliance's
// own losses reach everyone.

#include "controlplane/controller/event_fanout.h"

#include <gtest/gtest.h>

#include <chrono>

namespace rampart::controller {
namespace {

namespace dv1 = rampart::dataplane::v1;
using std::chrono::milliseconds;

dv1::Event drop_event(const std::string& src, const std::string& dst, int port, uint64_t lost_before = 0) {
  dv1::Event e;
  e.set_type(dv1::EVENT_TYPE_DROP);
  e.set_timestamp_ns(1);
  e.set_eve_json(R"({"event_type":"drop","src_ip":")" + src + R"(","src_port":40000,"dest_ip":")" + dst +
                 R"(","dest_port":)" + std::to_string(port) + R"(,"proto":"TCP"})");
  e.set_lost_before(lost_before);
  return e;
}

std::shared_ptr<EventSubscriber> subscriber(EventSelector sel, std::size_t capacity) {
  auto s = std::make_shared<EventSubscriber>();
  s->selector = std::move(sel);
  s->queue = std::make_shared<EventQueue>(capacity);
  return s;
}

// Every event waiting in the queue (no wait), markers included.
std::vector<rampart::v1::Event> drain(EventQueue& q) {
  std::vector<rampart::v1::Event> out;
  rampart::v1::Event e;
  while (q.pop(&e, milliseconds(0), true)) out.push_back(e);
  return out;
}

TEST(EventFanout, EverySubscriberGetsWhatItsSelectorTakes) {
  EventFanout f("fw1");
  auto all = subscriber({}, 16);
  auto drops = subscriber({.types = 1u << rampart::v1::EVENT_TYPE_DROP}, 16);
  auto alerts = subscriber({.types = 1u << rampart::v1::EVENT_TYPE_ALERT}, 16);
  auto from = subscriber({.src_ip = "198.18.0.1"}, 16);
  auto to = subscriber({.dst_ip = "198.18.0.9", .dst_port = 443}, 16);
  for (const auto& s : {all, drops, alerts, from, to}) f.subscribe(s);
  f.dispatch(drop_event("198.18.0.1", "198.18.0.9", 443));
  f.dispatch(drop_event("198.18.0.2", "198.18.0.9", 80));
  const auto got_all = drain(*all->queue);
  ASSERT_EQ(got_all.size(), 2u);
  EXPECT_EQ(got_all[0].appliance_id(), "fw1");
  EXPECT_EQ(got_all[0].type(), rampart::v1::EVENT_TYPE_DROP);
  EXPECT_NE(got_all[0].eve_json().find("\"dest_port\":443"), std::string::npos);
  EXPECT_EQ(drain(*drops->queue).size(), 2u);
  EXPECT_TRUE(drain(*alerts->queue).empty());
  EXPECT_EQ(drain(*from->queue).size(), 1u);
  EXPECT_EQ(drain(*to->queue).size(), 1u);
}

TEST(EventFanout, AFullQueueLosesForItsSubscriberOnlyAndNeverWaits) {
  EventFanout f("fw1");
  auto idle = subscriber({}, 4);
  auto active = subscriber({}, 4096);
  f.subscribe(idle);
  f.subscribe(active);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) f.dispatch(drop_event("198.18.0.1", "198.18.0.9", 1000 + i));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(drain(*active->queue).size(), 1000u);  // nothing lost for the one that keeps up
  EXPECT_EQ(active->queue->lost_total(), 0u);
  EXPECT_EQ(idle->queue->lost_total(), 996u);
  // The idle one wakes up: its four events, then a marker with the count.
  const auto got = drain(*idle->queue);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[3].lost_before(), 0u);
  EXPECT_EQ(got[4].type(), rampart::v1::EVENT_TYPE_UNSPECIFIED);
  EXPECT_EQ(got[4].lost_before(), 996u);
  // Or, if an event comes first, that event carries the count.
  for (int i = 0; i < 10; ++i) f.dispatch(drop_event("198.18.0.1", "198.18.0.9", 80));
  rampart::v1::Event e;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(idle->queue->pop(&e, milliseconds(0), false));
  f.dispatch(drop_event("198.18.0.1", "198.18.0.9", 80));
  ASSERT_TRUE(idle->queue->pop(&e, milliseconds(0), false));
  EXPECT_EQ(e.lost_before(), 6u);
}

TEST(EventFanout, TheAppliancesLossesReachEverySubscriber) {
  EventFanout f("fw1");
  auto drops = subscriber({.types = 1u << rampart::v1::EVENT_TYPE_DROP}, 16);
  auto alerts = subscriber({.types = 1u << rampart::v1::EVENT_TYPE_ALERT}, 16);
  f.subscribe(drops);
  f.subscribe(alerts);
  f.dispatch(drop_event("198.18.0.1", "198.18.0.9", 80, 7));
  const auto d = drain(*drops->queue);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].lost_before(), 7u);
  const auto a = drain(*alerts->queue);  // not an alert, but 7 were lost before it: a marker
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type(), rampart::v1::EVENT_TYPE_UNSPECIFIED);
  EXPECT_EQ(a[0].lost_before(), 7u);
}

TEST(EventFanout, OneQueueMayFollowSeveralAppliances) {
  EventFanout a("fw1"), b("fw2");
  auto s = subscriber({}, 16);
  a.subscribe(s);
  b.subscribe(s);
  a.dispatch(drop_event("198.18.0.1", "198.18.0.9", 80));
  b.dispatch(drop_event("198.18.0.1", "198.18.0.9", 80));
  const auto got = drain(*s->queue);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].appliance_id(), "fw1");
  EXPECT_EQ(got[1].appliance_id(), "fw2");
  a.unsubscribe(s.get());
  EXPECT_EQ(a.subscribers(), 0u);
  a.dispatch(drop_event("198.18.0.1", "198.18.0.9", 80));
  EXPECT_TRUE(drain(*s->queue).empty());
}

}  // namespace
}  // namespace rampart::controller
