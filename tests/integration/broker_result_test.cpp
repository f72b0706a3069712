// What the broker does with a worker's answers that are not plain RESULTs:
// one that does not decode gives its task and its credit back at once, one
// that names no task costs the worker its registration (it holds tasks the
// broker can no longer match), one for an attempt other than the one in
// flight is stale and ignored, and a permanent refusal fails its task at
// once. Real sockets on loopback (broker_peers.h).
#include <string>

#include <gtest/gtest.h>
#include <msgpack.hpp>
#include <spdlog/spdlog.h>

#include "tests/integration/broker_peers.h"

namespace bigpe::broker {
namespace {

using namespace peers;

// {v: 1, task_id, attempt}: neither body nor error, which RESULT requires.
std::string result_without_body(const std::string& task_id, int attempt) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(3);
  pk.pack(std::string("v"));
  pk.pack(1);
  pk.pack(std::string("task_id"));
  pk.pack(task_id);
  pk.pack(std::string("attempt"));
  pk.pack(attempt);
  return std::string(buf.data(), buf.size());
}

schemas::Task next_task(RawPeer& worker) {
  auto m = worker.next();
  EXPECT_TRUE(m.has_value()) << "no TASK";
  if (!m) return {};
  EXPECT_EQ(m->command, Command::kTask) << m->command_name;
  return schemas::decode_task(m->body);
}

std::string answer(const std::string& task_id, int attempt, const std::string& worker_id) {
  return schemas::encode(schemas::Result{task_id, schemas::encode(schemas::RenderResult{task_id, {}, worker_id}), "", attempt});
}

class BrokerResultTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::err); }
};

TEST_F(BrokerResultTest, MalformedResultSendsItsTaskElsewhereAndGivesTheCreditBack) {
  BrokerRunner run(test_options());
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer sloppy(run.broker().worker_endpoint(), "sloppy");
  sloppy.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 1, "sloppy", "h", "d"}));
  client.submit({envelope("t1")});
  schemas::Task t1 = next_task(sloppy);
  ASSERT_EQ(t1.task_id, "t1");
  // The rescuer registers while sloppy holds t1, so it is first in line.
  TestWorker rescuer(run.broker().worker_endpoint(), "rescuer", 1);
  ASSERT_EQ(status_when(client, [](auto& r) { return r.workers == 2; }).workers, 2);

  sloppy.send(Command::kResult, result_without_body("t1", 1));
  auto events = collect(client, 1);
  ASSERT_EQ(events.size(), 1u) << "t1 stayed stranded on the worker that garbled its result";
  ASSERT_EQ(events[0].kind, BrokerClient::Event::Kind::kResult);
  EXPECT_EQ(events[0].result.attempt, 2) << "the garbled answer counts as a failed attempt";
  EXPECT_EQ(schemas::decode_render_result(events[0].result.body).worker_id, "rescuer");

  // Sloppy's one slot is free again: the broker counts it and fills it.
  schemas::StatusReply r = status_when(client, [](auto& r) { return r.in_flight == 0; });
  EXPECT_EQ(r.in_flight, 0);
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_EQ(r.services[0].free_slots, 2);
  rescuer.set_budget(0);
  client.submit({envelope("t2"), envelope("t3")});
  schemas::Task again = next_task(sloppy);
  EXPECT_TRUE(again.task_id == "t2" || again.task_id == "t3") << again.task_id;
  EXPECT_EQ(again.attempt, 1);
}

TEST_F(BrokerResultTest, ResultNamingNoTaskCostsTheBusyWorkerItsRegistrationAndRequeuesWhatItHeld) {
  BrokerRunner run(test_options());
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer garbler(run.broker().worker_endpoint(), "garbler");
  garbler.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 2, "garbler", "h", "d"}));
  client.submit({envelope("t1"), envelope("t2")});
  next_task(garbler);
  next_task(garbler);

  garbler.send_frames({"BIGPE/1", "RESULT", "\xc1 not msgpack"});
  auto bye = garbler.next();
  ASSERT_TRUE(bye.has_value());
  EXPECT_EQ(bye->command, Command::kDisconnect) << "told to register again";
  TestWorker rescuer(run.broker().worker_endpoint(), "rescuer", 2);
  auto events = collect(client, 2);
  ASSERT_EQ(events.size(), 2u);
  for (auto& e : events) {
    ASSERT_EQ(e.kind, BrokerClient::Event::Kind::kResult);
    EXPECT_EQ(e.result.attempt, 2) << e.result.task_id;
    EXPECT_EQ(schemas::decode_render_result(e.result.body).worker_id, "rescuer");
  }
}

TEST_F(BrokerResultTest, ResultForAnEarlierAttemptIsStaleAndIgnored) {
  BrokerRunner run(test_options());
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer worker(run.broker().worker_endpoint(), "gpu0");
  const std::string ready = schemas::encode(schemas::Ready{{"svc"}, 1, "gpu0", "h", "d"});
  worker.send(Command::kReady, ready);
  client.submit({envelope("t1")});
  ASSERT_EQ(next_task(worker).attempt, 1);
  // It leaves and comes back: attempt 1 was given up, attempt 2 is its own.
  worker.send(Command::kDisconnect, schemas::encode(schemas::Disconnect{"bye"}));
  worker.send(Command::kReady, ready);
  ASSERT_EQ(next_task(worker).attempt, 2);

  // Messages on one connection are handled in order, so the late answer to
  // attempt 1 is seen before the answer to attempt 2. Were it taken, the
  // client would get attempt 1 and attempt 2's answer would be dropped.
  worker.send(Command::kResult, answer("t1", 1, "late"));
  worker.send(Command::kResult, answer("t1", 2, "current"));
  auto events = collect(client, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].result.attempt, 2);
  EXPECT_EQ(schemas::decode_render_result(events[0].result.body).worker_id, "current");
  schemas::StatusReply r = client.status(kDeadline);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.in_flight, 0);
}

TEST_F(BrokerResultTest, PermanentRefusalFailsAtOnceAndAPlainErrorIsRetried) {
  BrokerRunner run(test_options());  // max_attempts 3
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer worker(run.broker().worker_endpoint(), "gpu0");
  worker.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 1, "gpu0", "h", "d"}));
  client.submit({envelope("refused")});
  schemas::Task t = next_task(worker);
  schemas::Result refusal{t.task_id, "", "item 0 refused: prompt too long", t.attempt};
  refusal.permanent = true;
  worker.send(Command::kResult, schemas::encode(refusal));
  auto events = collect(client, 1);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].kind, BrokerClient::Event::Kind::kFailed);
  EXPECT_EQ(events[0].failed.attempts, 1);
  ASSERT_EQ(events[0].failed.reasons.size(), 1u);
  EXPECT_NE(events[0].failed.reason.find("attempt 1 on worker gpu0: item 0 refused"), std::string::npos)
      << events[0].failed.reason;

  client.submit({envelope("flaky")});
  t = next_task(worker);
  worker.send(Command::kResult, schemas::encode(schemas::Result{t.task_id, "", "CUDA out of memory", t.attempt}));
  schemas::Task retry = next_task(worker);
  EXPECT_EQ(retry.task_id, "flaky");
  EXPECT_EQ(retry.attempt, 2);
}

}  // namespace
}  // namespace bigpe::broker
