// Rules of schemas/README.md that cut across messages: which versions are
// accepted, numbers (an integer where a float is meant is read as that
// float, since writers may pack whole-number doubles as integers), and the
// limits of READY.
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "schemas/messages.h"
#include "schemas/protocol.h"
#include "schemas/render_task.h"
#include "tests/unit/schemas/body_builder.h"

namespace bigpe::schemas {
namespace {

using namespace test_bodies;

TEST(WireRules, VersionsFromOneToTheCurrentAreAcceptedOthersRefusedNamingV) {
  for (int v = 1; v <= kSchemaVersion; ++v)
    EXPECT_EQ(decode_cancel(Body().v(v).field("experiment_id", "e").bytes()).experiment_id, "e") << "v " << v;
  for (int v : {0, -1, kSchemaVersion + 1})
    expect_error([&] { decode_cancel(Body().v(v).field("experiment_id", "e").bytes()); }, "CANCEL", "v");
}

TEST(WireRules, IntegersAreReadWhereFloatsAreMeant) {
  std::string result = Body().v().field("task_id", "t").raw("items", [](msgpack::packer<msgpack::sbuffer>& pk) {
    pk.pack_array(1);
    pk.pack_map(4);
    pk.pack(std::string("key")); pk.pack(std::string("k"));
    pk.pack(std::string("score")); pk.pack(27);          // positive fixint
    pk.pack(std::string("render_ms")); pk.pack(int64_t{1} << 40);
    pk.pack(std::string("score_ms")); pk.pack(-3);       // negative fixint
  }).bytes();
  RenderResult r = decode_render_result(result);
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].score, 27.0);
  EXPECT_EQ(r.items[0].render_ms, 1099511627776.0);
  EXPECT_EQ(r.items[0].score_ms, -3.0);

  ResultRecord rec = decode_result_record(Body().v().field("key", "k").field("score", 31).field("created_at", 1700000000).bytes());
  EXPECT_EQ(rec.score, 31.0);
  EXPECT_EQ(rec.created_at, 1700000000.0);

  std::string task = Body().v().field("service", "s").field("items", std::vector<int>{})
                         .raw("params", [](msgpack::packer<msgpack::sbuffer>& pk) {
                           pk.pack_map(1);
                           pk.pack(std::string("guidance")); pk.pack(7);
                         }).bytes();
  EXPECT_EQ(decode_render_task(task).params.guidance, 7.0);

  StatusReply s = decode_status_reply(Body().v().field("services", std::vector<int>{}).field("workers", 0)
                                          .field("in_flight", 0).raw("rates", [](msgpack::packer<msgpack::sbuffer>& pk) {
                                            pk.pack_map(2);
                                            pk.pack(std::string("dispatch")); pk.pack(4);
                                            pk.pack(std::string("result")); pk.pack(0.5f);  // float32
                                          }).bytes());
  EXPECT_EQ(s.dispatch_rate, 4.0);
  EXPECT_EQ(s.result_rate, 0.5);
}

// msgpack-c as Debian 12 ships it packs a double that holds a whole number
// as an integer: our own writers send integers for floats.
TEST(WireRules, OurWritersPackWholeNumberDoublesAsIntegersAndReadThemBack) {
  RenderResult m{"t", {{"k", 27.0, "", 0.0, 12.5, false}}, "w"};
  std::string bytes = encode(m);
  msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
  const msgpack::object& item = oh.get().via.map.ptr[3].val.via.array.ptr[0];
  ASSERT_EQ(std::string(item.via.map.ptr[1].key.via.str.ptr, item.via.map.ptr[1].key.via.str.size), "score");
  EXPECT_EQ(item.via.map.ptr[1].val.type, msgpack::type::POSITIVE_INTEGER);
  EXPECT_EQ(item.via.map.ptr[4].val.type, msgpack::type::FLOAT64);  // score_ms 12.5
  RenderResult d = decode_render_result(bytes);
  EXPECT_EQ(d.items.at(0).score, 27.0);
  EXPECT_EQ(d.items.at(0).score_ms, 12.5);
}

TEST(WireRules, FractionsAreNotReadWhereIntegersAreMeant) {
  expect_error([] { decode_task(Body().v().field("task_id", "t").field("attempt", 1.5).bin("body", "").bytes()); },
               "TASK", "attempt");
}

Body ready_body(int slots, const std::string& worker_id) {
  Body b;
  b.v().field("service", std::vector<std::string>{"s"}).field("slots", slots).field("worker_id", worker_id);
  return b;
}

TEST(WireRules, ReadySlotsAreOneToMaxSlotsAndTheWorkerIdIsNotEmpty) {
  EXPECT_EQ(decode_ready(ready_body(1, "w").bytes()).slots, 1);
  EXPECT_EQ(decode_ready(ready_body(kMaxSlots, "w").bytes()).slots, kMaxSlots);
  expect_error([] { decode_ready(ready_body(0, "w").bytes()); }, "READY", "slots");
  expect_error([] { decode_ready(ready_body(kMaxSlots + 1, "w").bytes()); }, "READY", "slots");
  expect_error([] { decode_ready(ready_body(2, "").bytes()); }, "READY", "worker_id");
}

TEST(WireRules, ReadySessionRoundTripsAndDefaultsToEmpty) {
  Ready r{{"s"}, 2, "w", "h", "d", true};
  r.session = "4f1c9a/3";
  EXPECT_EQ(decode_ready(encode(r)).session, "4f1c9a/3");
  EXPECT_EQ(decode_ready(ready_body(2, "w").bytes()).session, "");
}

}  // namespace
}  // namespace bigpe::schemas
