// The wire vocabulary: every message and record round-trips, and every kind
// of bad input is refused with an error that names the message and field.
#include <cstring>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <msgpack.hpp>

#include "schemas/decode_error.h"
#include "schemas/messages.h"
#include "schemas/msgpack_map.h"
#include "schemas/protocol.h"
#include "schemas/render_task.h"
#include "tests/unit/schemas/body_builder.h"

namespace bigpe::schemas {
namespace {

using namespace test_bodies;

TEST(Protocol, CommandNamesRoundTrip) {
  for (Command c : {Command::kReady, Command::kResult, Command::kHeartbeat, Command::kDisconnect, Command::kTask,
                    Command::kSubmit, Command::kCancel, Command::kStatus, Command::kAccepted, Command::kFailed,
                    Command::kTasks, Command::kResults}) {
    auto parsed = parse_command(command_name(c));
    ASSERT_TRUE(parsed.has_value()) << command_name(c);
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_FALSE(parse_command("ready").has_value());
  EXPECT_FALSE(parse_command("").has_value());
  EXPECT_STREQ(kProtocolHeader, "BIGPE/1");
}

TEST(Messages, ReadyRoundTrips) {
  Ready m{{"sdxl-turbo+hpsv2", "sim"}, 3, "w1", "host1", "cuda:0"};
  Ready d = decode_ready(encode(m));
  EXPECT_EQ(d.services, m.services);
  EXPECT_EQ(d.slots, 3);
  EXPECT_EQ(d.worker_id, "w1");
  EXPECT_EQ(d.host, "host1");
  EXPECT_EQ(d.device, "cuda:0");
  EXPECT_FALSE(d.batch);
  m.batch = true;
  EXPECT_TRUE(decode_ready(encode(m)).batch);
}

TEST(Messages, BatchFlagsDefaultToFalseWhenAbsent) {
  // A peer written before TASKS/RESULTS existed sends neither flag.
  std::string ready = Body().v().field("service", std::vector<std::string>{"s"}).field("slots", 2)
                          .field("worker_id", "w").bytes();
  EXPECT_FALSE(decode_ready(ready).batch);
  std::string submit = Body().v().raw("tasks", [](auto& pk) { pk.pack_array(0); }).bytes();
  EXPECT_FALSE(decode_submit(submit).batch);
  Submit s;
  s.batch = true;
  EXPECT_TRUE(decode_submit(encode(s)).batch);
}

TEST(Messages, TaskAndResultBatchesRoundTrip) {
  TaskBatch tb{{Task{"t1", 1, "exp", std::string("\0a", 2)}, Task{"t2", 3, "", "b"}}};
  auto tasks = decode_task_batch(encode(tb));
  ASSERT_EQ(tasks.size(), 2u);
  ASSERT_TRUE(tasks[0].value && tasks[1].value);
  EXPECT_EQ(tasks[0].value->body, std::string("\0a", 2));
  EXPECT_EQ(tasks[0].value->experiment_id, "exp");
  EXPECT_EQ(tasks[1].value->attempt, 3);
  EXPECT_EQ(tasks[1].task_id, "t2");

  ResultBatch rb{{Result{"r1", "payload", "", 1}, Result{"r2", "", "out of memory", 2}}};
  auto results = decode_result_batch(encode(rb));
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[0].value && results[1].value);
  EXPECT_EQ(results[0].value->body, "payload");
  EXPECT_EQ(results[1].value->error, "out of memory");
  EXPECT_EQ(results[1].value->attempt, 2);
  EXPECT_TRUE(decode_result_batch(encode(ResultBatch{})).empty());
}

TEST(Messages, BadBatchElementCostsOnlyItself) {
  // results[0] fine, [1] has no body and no error, [2] is no map, [3] has
  // a mistyped task id.
  std::string body = Body().v().raw("results", [](msgpack::packer<msgpack::sbuffer>& pk) {
    pk.pack_array(4);
    pk.pack_map(2);
    pk.pack(std::string("task_id"));
    pk.pack(std::string("ok"));
    pk.pack(std::string("body"));
    pk.pack(std::string("x"));
    pk.pack_map(1);
    pk.pack(std::string("task_id"));
    pk.pack(std::string("no-body"));
    pk.pack(7);
    pk.pack_map(1);
    pk.pack(std::string("task_id"));
    pk.pack(42);
  }).bytes();
  auto e = decode_result_batch(body);
  ASSERT_EQ(e.size(), 4u);
  ASSERT_TRUE(e[0].value.has_value());
  EXPECT_EQ(e[0].value->task_id, "ok");
  EXPECT_FALSE(e[1].value.has_value());
  EXPECT_EQ(e[1].task_id, "no-body") << "the id is kept so the broker can retry that task";
  EXPECT_NE(e[1].error.find("RESULTS.results[1]"), std::string::npos) << e[1].error;
  EXPECT_NE(e[1].error.find("body"), std::string::npos) << e[1].error;
  EXPECT_FALSE(e[2].value.has_value());
  EXPECT_NE(e[2].error.find("results[2]"), std::string::npos) << e[2].error;
  EXPECT_FALSE(e[3].value.has_value());
  EXPECT_EQ(e[3].task_id, "");
  EXPECT_NE(e[3].error.find("task_id"), std::string::npos) << e[3].error;

  // The body itself must still be a TASKS/RESULTS map with its array.
  expect_error([] { decode_task_batch(Body().v().bytes()); }, "TASKS", "tasks");
  expect_error([] { decode_result_batch(Body().v().field("results", 3).bytes()); }, "RESULTS", "results");
}

TEST(Messages, SubmitRoundTripsBinaryBodies) {
  std::string body("\x00\xff\x01 binary", 10);
  Submit m{{{"t1", "exp", "svc", body}, {"t2", "", "svc", ""}}};
  Submit d = decode_submit(encode(m));
  ASSERT_EQ(d.tasks.size(), 2u);
  EXPECT_EQ(d.tasks[0].task_id, "t1");
  EXPECT_EQ(d.tasks[0].experiment_id, "exp");
  EXPECT_EQ(d.tasks[0].service, "svc");
  EXPECT_EQ(d.tasks[0].body, body);
  EXPECT_EQ(d.tasks[1].task_id, "t2");
  EXPECT_EQ(d.tasks[1].body, "");
}

TEST(Messages, AcceptedRoundTripsWithBrokerId) {
  Accepted d = decode_accepted(encode(Accepted{{"a", "b"}, "broker-1"}));
  EXPECT_EQ(d.task_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.broker_id, "broker-1");
}

TEST(Messages, TaskRoundTrips) {
  Task d = decode_task(encode(Task{"t", 2, "exp", std::string("\0x", 2)}));
  EXPECT_EQ(d.task_id, "t");
  EXPECT_EQ(d.attempt, 2);
  EXPECT_EQ(d.experiment_id, "exp");
  EXPECT_EQ(d.body, std::string("\0x", 2));
}

TEST(Messages, ResultRoundTripsWithAndWithoutError) {
  Result ok = decode_result(encode(Result{"t", "payload", "", 1}));
  EXPECT_EQ(ok.task_id, "t");
  EXPECT_EQ(ok.body, "payload");
  EXPECT_EQ(ok.error, "");
  Result bad = decode_result(encode(Result{"t", "", "CUDA out of memory", 3}));
  EXPECT_EQ(bad.error, "CUDA out of memory");
  EXPECT_EQ(bad.attempt, 3);
}

TEST(Messages, FailedRoundTrips) {
  Failed d = decode_failed(encode(Failed{"t", "last", 3, {"a", "b", "last"}}));
  EXPECT_EQ(d.task_id, "t");
  EXPECT_EQ(d.reason, "last");
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(d.reasons, (std::vector<std::string>{"a", "b", "last"}));
}

TEST(Messages, CancelRoundTrips) { EXPECT_EQ(decode_cancel(encode(Cancel{"exp-7"})).experiment_id, "exp-7"); }

TEST(Messages, StatusReplyRoundTrips) {
  StatusReply m;
  m.services = {{"svc", 4, 2, 1, 0}};
  m.workers = 1;
  m.queued = 4;
  m.in_flight = 2;
  m.completed = 10;
  m.failed = 1;
  m.dispatch_rate = 2.5;
  m.result_rate = 1.5;
  StatusReply d = decode_status_reply(encode(m));
  ASSERT_EQ(d.services.size(), 1u);
  EXPECT_EQ(d.services[0].name, "svc");
  EXPECT_EQ(d.services[0].queued, 4);
  EXPECT_EQ(d.services[0].in_flight, 2);
  EXPECT_EQ(d.services[0].workers, 1);
  EXPECT_EQ(d.services[0].free_slots, 0);
  EXPECT_EQ(d.workers, 1);
  EXPECT_EQ(d.queued, 4);
  EXPECT_EQ(d.in_flight, 2);
  EXPECT_EQ(d.completed, 10);
  EXPECT_EQ(d.failed, 1);
  EXPECT_DOUBLE_EQ(d.dispatch_rate, 2.5);
  EXPECT_DOUBLE_EQ(d.result_rate, 1.5);
}

TEST(Messages, HeartbeatCarriesSender) {
  EXPECT_EQ(decode_heartbeat(encode(Heartbeat{"abc123"})).sender, "abc123");
  EXPECT_EQ(decode_heartbeat(encode(Heartbeat{})).sender, "");
  EXPECT_NO_THROW(decode_empty(encode(Heartbeat{"x"}), "HEARTBEAT"));
}

TEST(Messages, DisconnectAndEmptyRoundTrip) {
  EXPECT_EQ(decode_disconnect(encode(Disconnect{"bye"})).reason, "bye");
  EXPECT_NO_THROW(decode_empty(encode_empty(), "STATUS"));
}

TEST(Records, RenderTaskRoundTrips) {
  RenderTask m;
  m.experiment_id = "exp";
  m.service = "sim";
  m.items = {{"a cactus, golden hour", "A cactus", 42, "k1"}, {"p2", "q2", -7, "k2"}};
  m.params.steps = 4;
  m.params.guidance = 7.5;
  m.params.width = 256;
  m.params.height = 128;
  m.params.sampler = "ddim";
  m.params.negative = "blurry";
  m.params.options = {{"sim.taste_seed", "3"}};
  RenderTask d = decode_render_task(encode(m));
  EXPECT_EQ(d.experiment_id, "exp");
  EXPECT_EQ(d.service, "sim");
  ASSERT_EQ(d.items.size(), 2u);
  EXPECT_EQ(d.items[0].prompt, "a cactus, golden hour");
  EXPECT_EQ(d.items[0].score_text, "A cactus");
  EXPECT_EQ(d.items[0].seed, 42);
  EXPECT_EQ(d.items[1].seed, -7);
  EXPECT_EQ(d.items[1].key, "k2");
  EXPECT_EQ(d.params.steps, 4);
  EXPECT_DOUBLE_EQ(d.params.guidance, 7.5);
  EXPECT_EQ(d.params.width, 256);
  EXPECT_EQ(d.params.height, 128);
  EXPECT_EQ(d.params.sampler, "ddim");
  EXPECT_EQ(d.params.negative, "blurry");
  EXPECT_EQ(d.params.options, m.params.options);
}

TEST(Records, RenderResultRoundTrips) {
  RenderResult m{"t", {{"k1", 27.5, "file:///a.png", 120.0, 8.5, true}}, "w1"};
  RenderResult d = decode_render_result(encode(m));
  EXPECT_EQ(d.task_id, "t");
  EXPECT_EQ(d.worker_id, "w1");
  ASSERT_EQ(d.items.size(), 1u);
  EXPECT_EQ(d.items[0].key, "k1");
  EXPECT_DOUBLE_EQ(d.items[0].score, 27.5);
  EXPECT_EQ(d.items[0].image_uri, "file:///a.png");
  EXPECT_DOUBLE_EQ(d.items[0].render_ms, 120.0);
  EXPECT_DOUBLE_EQ(d.items[0].score_ms, 8.5);
  EXPECT_TRUE(d.items[0].cached);
}

TEST(Records, ResultRecordRoundTrips) {
  ResultRecord m{"k", 31.25, "file:///x.png", 10, 2, "w", "t", "svc", "prompt", "query", 9, 1700000000.5};
  ResultRecord d = decode_result_record(encode(m));
  EXPECT_EQ(d.key, "k");
  EXPECT_DOUBLE_EQ(d.score, 31.25);
  EXPECT_EQ(d.image_uri, "file:///x.png");
  EXPECT_DOUBLE_EQ(d.render_ms, 10);
  EXPECT_DOUBLE_EQ(d.score_ms, 2);
  EXPECT_EQ(d.worker_id, "w");
  EXPECT_EQ(d.task_id, "t");
  EXPECT_EQ(d.service, "svc");
  EXPECT_EQ(d.prompt, "prompt");
  EXPECT_EQ(d.score_text, "query");
  EXPECT_EQ(d.seed, 9);
  EXPECT_DOUBLE_EQ(d.created_at, 1700000000.5);
}

// --- malformed input ---------------------------------------------------------

TEST(Malformed, NotMsgpackIsRefused) {
  // 0xc1 is the one byte msgpack never uses.
  expect_error([] { decode_ready(std::string("\xc1\xc1", 2)); }, "READY", "");
  expect_error([] { decode_submit(""); }, "SUBMIT", "");
}

TEST(Malformed, NotAMapIsRefused) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, std::vector<int>{1, 2, 3});
  std::string bytes(buf.data(), buf.size());
  expect_error([&] { decode_task(bytes); }, "TASK", "");
}

TEST(Malformed, MissingVersionIsRefused) {
  expect_error([] { decode_cancel(Body().field("experiment_id", "e").bytes()); }, "CANCEL", "v");
}

TEST(Malformed, NewerVersionIsRefused) {
  expect_error([] { decode_cancel(Body().v(kSchemaVersion + 1).field("experiment_id", "e").bytes()); }, "CANCEL",
               "v");
}

TEST(Malformed, TrailingBytesAreRefused) {
  std::string bytes = encode(Cancel{"e"}) + "x";
  expect_error([&] { decode_cancel(bytes); }, "CANCEL", "");
}

TEST(Malformed, OversizeInputIsRefused) {
  std::string bytes = encode(Cancel{std::string(100, 'x')});
  UnpackLimits small;
  small.max_bytes = 64;
  expect_error([&] { unpack_checked(bytes, "CANCEL", small); }, "CANCEL", "");
  UnpackLimits short_strings;
  short_strings.max_str = 16;
  expect_error([&] { unpack_checked(bytes, "CANCEL", short_strings); }, "CANCEL", "");
  EXPECT_NO_THROW(unpack_checked(bytes, "CANCEL"));
  // The default limit refuses a body over 64 MiB before parsing it.
  expect_error([] { decode_cancel(std::string((64u << 20) + 1, '\x90')); }, "CANCEL", "");
}

TEST(Malformed, DeeplyNestedInputIsRefused) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(2);
  pk.pack(std::string("v"));
  pk.pack(1);
  pk.pack(std::string("deep"));
  for (int i = 0; i < 100; ++i) pk.pack_array(1);
  pk.pack(1);
  std::string bytes(buf.data(), buf.size());
  expect_error([&] { decode_empty(bytes, "STATUS"); }, "STATUS", "");
}

TEST(Malformed, HugeArrayHeaderIsRefusedWithoutAllocating) {
  // An array header claiming 2^32-1 elements followed by nothing.
  std::string bytes = std::string("\x82\xa1v\x01\xa5tasks\xdd\xff\xff\xff\xff", 14);
  expect_error([&] { decode_submit(bytes); }, "SUBMIT", "");
}

TEST(Malformed, UnknownKeysAreIgnored) {
  Cancel c = decode_cancel(Body().v().field("experiment_id", "e").field("future_field", 42).bytes());
  EXPECT_EQ(c.experiment_id, "e");
  Heartbeat h = decode_heartbeat(Body().v().field("sender", "s").field("load", 0.5).bytes());
  EXPECT_EQ(h.sender, "s");
}

// Each required field, removed in turn, is named in the error.
TEST(Malformed, EachRequiredFieldMissingIsNamed) {
  auto ready = [](const std::string& skip) {
    Body b;
    b.v();
    if (skip != "service") b.field("service", std::vector<std::string>{"s"});
    if (skip != "slots") b.field("slots", 2);
    if (skip != "worker_id") b.field("worker_id", "w");
    return b.bytes();
  };
  for (const char* f : {"service", "slots", "worker_id"})
    expect_error([&] { decode_ready(ready(f)); }, "READY", f);

  auto task = [](const std::string& skip) {
    Body b;
    b.v();
    if (skip != "task_id") b.field("task_id", "t");
    if (skip != "attempt") b.field("attempt", 1);
    if (skip != "body") b.bin("body", "x");
    return b.bytes();
  };
  for (const char* f : {"task_id", "attempt", "body"}) expect_error([&] { decode_task(task(f)); }, "TASK", f);

  expect_error([] { decode_result(Body().v().bin("body", "x").bytes()); }, "RESULT", "task_id");
  expect_error([] { decode_result(Body().v().field("task_id", "t").bytes()); }, "RESULT", "body");
  // A failed attempt needs no body.
  EXPECT_NO_THROW(decode_result(Body().v().field("task_id", "t").field("error", "e").bytes()));

  auto failed = [](const std::string& skip) {
    Body b;
    b.v();
    if (skip != "task_id") b.field("task_id", "t");
    if (skip != "reason") b.field("reason", "r");
    if (skip != "attempts") b.field("attempts", 3);
    return b.bytes();
  };
  for (const char* f : {"task_id", "reason", "attempts"})
    expect_error([&] { decode_failed(failed(f)); }, "FAILED", f);

  expect_error([] { decode_cancel(Body().v().bytes()); }, "CANCEL", "experiment_id");
  expect_error([] { decode_accepted(Body().v().bytes()); }, "ACCEPTED", "task_ids");
  expect_error([] { decode_submit(Body().v().bytes()); }, "SUBMIT", "tasks");
  expect_error([] { decode_status_reply(Body().v().field("workers", 1).field("in_flight", 0).bytes()); }, "STATUS",
               "services");

  auto submit_task = [](const std::string& skip) {
    return Body().v().raw("tasks", [skip](msgpack::packer<msgpack::sbuffer>& pk) {
      pk.pack_array(1);
      pk.pack_map(skip.empty() ? 3 : 2);
      if (skip != "task_id") { pk.pack(std::string("task_id")); pk.pack(std::string("t")); }
      if (skip != "service") { pk.pack(std::string("service")); pk.pack(std::string("s")); }
      if (skip != "body") { pk.pack(std::string("body")); pk.pack(std::string("b")); }
    }).bytes();
  };
  EXPECT_NO_THROW(decode_submit(submit_task("")));
  for (const char* f : {"task_id", "service", "body"})
    expect_error([&] { decode_submit(submit_task(f)); }, "SUBMIT.tasks[0]", f);

  expect_error([] { decode_render_task(Body().v().field("items", std::vector<int>{}).bytes()); }, "RenderTask",
               "service");
  expect_error([] { decode_render_result(Body().v().field("items", std::vector<int>{}).bytes()); }, "RenderResult",
               "task_id");
  expect_error([] { decode_result_record(Body().v().field("score", 1.0).bytes()); }, "ResultRecord", "key");
  expect_error([] { decode_result_record(Body().v().field("key", "k").bytes()); }, "ResultRecord", "score");
}

TEST(Malformed, WrongTypeIsNamed) {
  expect_error([] {
    decode_ready(Body().v().field("service", std::vector<std::string>{"s"}).field("slots", "two")
                     .field("worker_id", "w").bytes());
  }, "READY", "slots");
  expect_error([] { decode_task(Body().v().field("task_id", 5).field("attempt", 1).bin("body", "").bytes()); },
               "TASK", "task_id");
  expect_error([] { decode_task(Body().v().field("task_id", "t").field("attempt", 1).field("body", 3).bytes()); },
               "TASK", "body");
  expect_error([] { decode_cancel(Body().v().field("experiment_id", true).bytes()); }, "CANCEL", "experiment_id");
  expect_error([] { decode_submit(Body().v().field("tasks", "not an array").bytes()); }, "SUBMIT", "tasks");
  expect_error([] { decode_cancel(Body().field("v", "one").field("experiment_id", "e").bytes()); }, "CANCEL", "v");
  expect_error([] { decode_heartbeat(Body().v().field("sender", 1.5).bytes()); }, "HEARTBEAT", "sender");
}

TEST(Malformed, OutOfRangeValuesAreNamed) {
  expect_error([] {
    decode_ready(Body().v().field("service", std::vector<std::string>{"s"}).field("slots", 0)
                     .field("worker_id", "w").bytes());
  }, "READY", "slots");
  expect_error([] {
    decode_render_task(Body().v().field("service", "s").raw("items", [](msgpack::packer<msgpack::sbuffer>& pk) {
      pk.pack_array(1);
      pk.pack_map(4);
      pk.pack(std::string("prompt")); pk.pack(std::string("p"));
      pk.pack(std::string("score_text")); pk.pack(std::string("q"));
      pk.pack(std::string("seed")); pk.pack(1);
      pk.pack(std::string("key")); pk.pack(std::string(""));
    }).bytes());
  }, "RenderTask.items[0]", "key");
}

}  // namespace
}  // namespace bigpe::schemas
