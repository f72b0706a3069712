// Task leases (schemas/README.md section 5, "Leases"): a worker that stays
// alive but never answers loses its task when the lease expires; the task
// goes to another worker at attempt + 1, the holder is told CANCEL, its late
// answer is stale, and a worker whose leases keep expiring gets no new work
// until it answers. Liveness is set far beyond the test so that only the
// lease can take a task back. Real sockets on loopback (broker_peers.h).
#include <string>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "tests/integration/broker_peers.h"

namespace bigpe::broker {
namespace {

using namespace peers;

BrokerOptions lease_options() {
  BrokerOptions o = test_options();
  o.task_lease = 500ms;
  o.liveness = 1000000;  // the raw workers never heartbeat: only the lease frees a task
  return o;
}

// The next message of `command` on `peer` (others skipped), or nothing.
std::optional<WireMessage> next_of(RawPeer& peer, Command command) {
  const Clock::time_point deadline = Clock::now() + kDeadline;
  while (Clock::now() < deadline) {
    auto m = peer.next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (m && m->error.empty() && m->command == command) return m;
  }
  return std::nullopt;
}

std::string answer(const std::string& task_id, int attempt, const std::string& worker_id) {
  return schemas::encode(
      schemas::Result{task_id, schemas::encode(schemas::RenderResult{task_id, {}, worker_id}), "", attempt});
}

class BrokerLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::err); }
};

TEST_F(BrokerLeaseTest, ExpiredLeaseSendsTheTaskElsewhereAtTheNextAttemptAndTheLateAnswerIsStale) {
  BrokerRunner run(lease_options());
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer stuck(run.broker().worker_endpoint(), "stuck");
  stuck.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 1, "stuck", "h", "d"}));
  client.submit({envelope("t1")});
  auto first = next_of(stuck, Command::kTask);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(schemas::decode_task(first->body).attempt, 1);
  // The rescuer answers one task, then holds what it gets.
  TestWorker rescuer(run.broker().worker_endpoint(), "rescuer", 1, 1);

  auto events = peers::collect(client, 1);
  ASSERT_EQ(events.size(), 1u) << "t1 stayed on the worker that never answers";
  ASSERT_EQ(events[0].kind, BrokerClient::Event::Kind::kResult);
  EXPECT_EQ(events[0].result.attempt, 2) << "the expired lease counts as a failed attempt";
  EXPECT_EQ(schemas::decode_render_result(events[0].result.body).worker_id, "rescuer");
  auto cancel = next_of(stuck, Command::kCancel);
  ASSERT_TRUE(cancel.has_value()) << "the stuck worker was not told to drop t1";
  schemas::CancelTask c = schemas::decode_cancel_task(cancel->body);
  EXPECT_EQ(c.task_id, "t1");
  EXPECT_EQ(c.attempt, 1);

  // One task each: the rescuer holds its own, the stuck worker gets the other.
  client.submit({envelope("t2"), envelope("t3")});
  auto second = next_of(stuck, Command::kTask);
  ASSERT_TRUE(second.has_value());
  schemas::Task held = schemas::decode_task(second->body);
  // Handled in order on one connection: the late t1 first, then the answer.
  stuck.send(Command::kResult, answer("t1", 1, "stuck"));
  stuck.send(Command::kResult, answer(held.task_id, held.attempt, "stuck"));
  events = peers::collect(client, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].result.task_id, held.task_id);
  EXPECT_EQ(client.status(kDeadline).completed, 2) << "the late answer to t1 was counted";
}

TEST_F(BrokerLeaseTest, WorkerWhoseLeasesKeepExpiringGetsNoNewTaskUntilItAnswers) {
  BrokerRunner run(lease_options());  // suspect after 2 expiries
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer stuck(run.broker().worker_endpoint(), "stuck");
  stuck.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 2, "stuck", "h", "d"}));
  client.submit({envelope("a1"), envelope("a2")});
  ASSERT_TRUE(next_of(stuck, Command::kTask).has_value());
  ASSERT_TRUE(next_of(stuck, Command::kTask).has_value());

  // Both leases expire in one tick, which ends with a dispatch pass: the
  // first STATUS that shows the worker suspect also shows whether it got
  // the requeued tasks back.
  schemas::StatusReply r = status_when(client, [](auto& r) {
    return r.worker_list.size() == 1 && r.worker_list[0].suspect;
  });
  ASSERT_EQ(r.worker_list.size(), 1u);
  ASSERT_TRUE(r.worker_list[0].suspect);
  EXPECT_EQ(r.in_flight, 0) << "a suspect worker was given new work";
  EXPECT_EQ(r.queued, 2);
  EXPECT_EQ(r.worker_list[0].held, 0);

  // A late answer, stale as it is, shows its compute thread lives.
  stuck.send(Command::kResult, answer("a1", 1, "stuck"));
  auto again = next_of(stuck, Command::kTask);
  ASSERT_TRUE(again.has_value()) << "the worker stayed suspect after answering";
  EXPECT_EQ(schemas::decode_task(again->body).attempt, 2);
}

TEST_F(BrokerLeaseTest, SubmitLeaseOverridesTheBrokersDefault) {
  BrokerOptions o = lease_options();
  o.task_lease = 3600s;  // never within the test
  BrokerRunner run(o);
  BrokerClient client(run.broker().client_endpoint(), "client", client_options());
  RawPeer stuck(run.broker().worker_endpoint(), "stuck");
  stuck.send(Command::kReady, schemas::encode(schemas::Ready{{"svc"}, 1, "stuck", "h", "d"}));
  schemas::TaskEnvelope t = envelope("short");
  t.lease_ms = 200;
  client.submit({t});
  ASSERT_TRUE(next_of(stuck, Command::kTask).has_value());
  auto cancel = next_of(stuck, Command::kCancel);
  ASSERT_TRUE(cancel.has_value()) << "the task's own lease_ms was not applied";
  EXPECT_EQ(schemas::decode_cancel_task(cancel->body).task_id, "short");
}

}  // namespace
}  // namespace bigpe::broker
