// READY sessions at the broker: a READY repeated by a live session (same
// worker id, same session) changes nothing and fails no task; a READY with
// a new session, or without one, is a restart and requeues what the worker
// held. Real sockets on loopback (broker_peers.h).
#include <string>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "tests/integration/broker_peers.h"

namespace bigpe::broker {
namespace {

using namespace peers;

std::string ready(const std::string& session) {
  schemas::Ready r{{"svc"}, 2, "gpu0", "h", "d"};
  r.session = session;
  return schemas::encode(r);
}

schemas::Task next_task(RawPeer& worker) {
  auto m = worker.next();
  EXPECT_TRUE(m.has_value()) << "no TASK";
  if (!m) return {};
  EXPECT_EQ(m->command, Command::kTask) << m->command_name;
  return schemas::decode_task(m->body);
}

std::string answer(const schemas::Task& t) {
  return schemas::encode(schemas::Result{t.task_id, schemas::encode(schemas::RenderResult{t.task_id, {}, "gpu0"}), "",
                                         t.attempt});
}

class BrokerSessionTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::err); }
};

TEST_F(BrokerSessionTest, ReadyRepeatedByALiveSessionFailsNoTask) {
  BrokerOptions o = test_options();
  o.max_attempts = 1;  // any failed attempt would end its task FAILED
  BrokerRunner run(o);
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer worker(run.broker().worker_endpoint(), "gpu0");
  worker.send(Command::kReady, ready("run-1/1"));
  client.submit({envelope("t1"), envelope("t2")});
  schemas::Task a = next_task(worker);
  schemas::Task b = next_task(worker);

  // As a worker does that answers two DISCONNECTs meant for heartbeats it
  // sent before its READY arrived.
  worker.send(Command::kReady, ready("run-1/1"));
  worker.send(Command::kReady, ready("run-1/1"));
  worker.send(Command::kResult, answer(a));
  worker.send(Command::kResult, answer(b));
  auto events = collect(client, 2);
  ASSERT_EQ(events.size(), 2u);
  for (auto& e : events) {
    ASSERT_EQ(e.kind, BrokerClient::Event::Kind::kResult) << e.failed.reason;
    EXPECT_EQ(e.result.attempt, 1) << e.result.task_id;
  }
  schemas::StatusReply r = client.status(kDeadline);
  EXPECT_EQ(r.failed, 0);
  EXPECT_EQ(r.completed, 2);
  EXPECT_EQ(r.workers, 1);
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_EQ(r.services[0].free_slots, 2) << "the repeated READYs added or lost credit";
}

// A new session (the worker restarted, or forgot its tasks) and a READY
// without a session (the broker cannot tell) are restarts.
class BrokerRestartedSessionTest : public BrokerSessionTest,
                                   public ::testing::WithParamInterface<std::pair<const char*, const char*>> {};

TEST_P(BrokerRestartedSessionTest, ReadyOfAnotherSessionRequeuesTheHeldTasks) {
  BrokerRunner run(test_options());
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer worker(run.broker().worker_endpoint(), "gpu0");
  worker.send(Command::kReady, ready(GetParam().first));
  client.submit({envelope("t1")});
  ASSERT_EQ(next_task(worker).attempt, 1);
  worker.send(Command::kReady, ready(GetParam().second));
  schemas::Task again = next_task(worker);
  EXPECT_EQ(again.task_id, "t1");
  EXPECT_EQ(again.attempt, 2) << "the held task was not given up";
  worker.send(Command::kResult, answer(again));
  auto events = collect(client, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].result.attempt, 2);
}

INSTANTIATE_TEST_SUITE_P(Sessions, BrokerRestartedSessionTest,
                         ::testing::Values(std::make_pair("run-1/1", "run-1/2"), std::make_pair("", "")));

}  // namespace
}  // namespace bigpe::broker
