// Fault tolerance of the task fabric with real processes: a worker killed
// mid-task, a task that kills every worker that takes it, and a broker
// killed and restarted mid-run. Each ends with every task answered and each
// result stored exactly once.
#include <csignal>
#include <set>

#include <gtest/gtest.h>

#include "common/free_port.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/redis_fixture.h"
#include "common/redis/result_cache.h"

namespace bigpe::testing {
namespace {

class FabricFaultTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    redis_ = client_ptr();
  }
  std::unique_ptr<WorkerProcess> start_worker(const std::string& id, const std::string& broker,
                                              std::vector<std::string> extra = {}) {
    return std::make_unique<WorkerProcess>(temp_dir().path(), id, broker, server().url(), std::move(extra));
  }
  std::unique_ptr<RedisClient> redis_;
};

TEST_F(FabricFaultTest, KilledWorkersTasksAreRerunElsewhere) {
  InProcessBroker broker(broker_options());
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  // The slow worker would take a minute per task: it can only lose them.
  auto slow = start_worker("slow", broker.worker_endpoint(), {"--sim-cost-ms", "30000", "--slots", "2"});
  ASSERT_TRUE(wait_for_workers(client, 1)) << slow->log();

  std::vector<schemas::TaskEnvelope> tasks;
  for (int t = 0; t < 6; ++t) tasks.push_back(make_task("t" + std::to_string(t), "a lamp " + std::to_string(t), 2));
  client.submit(tasks);
  // Kill it once it holds both of its slots' worth of tasks.
  const auto deadline = Clock::now() + kDeadline;
  int64_t held = 0;
  while (Clock::now() < deadline && held < 2) {
    try {
      held = client.status(1000ms).in_flight;
    } catch (const std::runtime_error&) {
      // No reply in time on a busy machine: ask again.
    }
  }
  ASSERT_EQ(held, 2);
  slow->child().send_signal(SIGKILL);
  ASSERT_TRUE(slow->child().wait(kDeadline).has_value());

  auto fast = start_worker("fast", broker.worker_endpoint());
  Outcomes out = collect(client, tasks.size());
  ASSERT_EQ(out.results.size(), tasks.size()) << fast->log();
  int rerun = 0;
  for (const auto& [id, r] : out.results) {
    EXPECT_EQ(schemas::decode_render_result(r.body).worker_id, "fast");
    if (r.attempt == 2) ++rerun;
  }
  EXPECT_EQ(rerun, 2) << "the two tasks the killed worker held ran a second time";
  EXPECT_EQ(count_keys(*redis_, "bigpe:result:*"), 12);
  EXPECT_EQ(counter(*redis_, "bigpe:stats:stored"), 12);
  EXPECT_TRUE(redis_->command({"HGET", "bigpe:stats:renders", "slow"}).is_nil());
}

TEST_F(FabricFaultTest, TaskThatKillsEveryWorkerFailsAfterMaxAttemptsWhileOthersComplete) {
  InProcessBroker broker(broker_options(3));
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  // One slot each, so a crashing worker takes down no innocent task with it.
  std::vector<std::unique_ptr<WorkerProcess>> workers;
  int started = 0;
  auto spawn = [&] {
    workers.push_back(start_worker("w" + std::to_string(started++), broker.worker_endpoint(),
                                   {"--slots", "1", "--sim-cost-ms", "5"}));
  };
  spawn();
  spawn();
  ASSERT_TRUE(wait_for_workers(client, 2)) << workers[0]->log();

  std::vector<schemas::TaskEnvelope> tasks;
  tasks.push_back(make_task("poison", "a bomb", 1, {{"sim.fault", "abort"}}));
  for (int t = 0; t < 8; ++t) tasks.push_back(make_task("t" + std::to_string(t), "a tree " + std::to_string(t), 2));
  client.submit(tasks);

  // Keep two workers alive (bounded: the poison task kills at most three).
  Outcomes out = collect(client, tasks.size(), [&](const Outcomes&) {
    int alive = 0;
    for (auto& w : workers) alive += w->child().running() ? 1 : 0;
    while (alive < 2 && started < 8) {
      spawn();
      ++alive;
    }
  });
  ASSERT_EQ(out.failed.count("poison"), 1u);
  EXPECT_EQ(out.failed.at("poison").attempts, 3);
  EXPECT_EQ(out.failed.at("poison").reasons.size(), 3u);
  EXPECT_EQ(out.results.size(), 8u);
  int crashed = 0;
  for (auto& w : workers)
    if (!w->child().running()) {
      ++crashed;
      EXPECT_EQ(w->child().exit_status(), 128 + SIGABRT);
    }
  EXPECT_EQ(crashed, 3) << "each attempt of the poison task killed one worker";
  EXPECT_EQ(count_keys(*redis_, "bigpe:result:*"), 16);
}

TEST_F(FabricFaultTest, RestartedBrokerGetsItsWorkersBackAndTheRunCompletes) {
  const std::string clients = "tcp://127.0.0.1:" + std::to_string(free_loopback_port());
  const std::string workers_ep = "tcp://127.0.0.1:" + std::to_string(free_loopback_port());
  int broker_runs = 0;
  auto start_broker = [&] {
    ChildProcessOptions o;
    o.argv = {BIGPE_EXE, "broker", "--clients", clients, "--workers", workers_ep,
              "--heartbeat-ms", std::to_string(kHeartbeat.count()), "--liveness", std::to_string(kLiveness)};
    o.stdout_path = o.stderr_path = temp_dir().file("broker" + std::to_string(broker_runs++) + ".log");
    return std::make_unique<ChildProcess>(o);
  };
  auto broker = start_broker();
  std::vector<std::unique_ptr<WorkerProcess>> workers;
  workers.push_back(start_worker("w0", workers_ep, {"--sim-cost-ms", "20"}));
  workers.push_back(start_worker("w1", workers_ep, {"--sim-cost-ms", "20"}));
  broker::BrokerClient client(clients, "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 2)) << file_tail(temp_dir().file("broker0.log"));

  std::vector<schemas::TaskEnvelope> tasks;
  for (int t = 0; t < 30; ++t) tasks.push_back(make_task("t" + std::to_string(t), "a boat " + std::to_string(t), 2));
  client.submit(tasks);
  // Kill the broker once the run is under way, then start a new one on the
  // same ports.
  bool restarted = false;
  Outcomes out = collect(client, tasks.size(), [&](const Outcomes& so_far) {
    if (!restarted && so_far.size() >= 4) {
      broker->kill();
      broker = start_broker();
      restarted = true;
    }
  });
  ASSERT_TRUE(restarted);
  ASSERT_EQ(out.results.size(), tasks.size()) << workers[0]->log() << file_tail(temp_dir().file("broker1.log"));
  EXPECT_TRUE(out.failed.empty());
  EXPECT_TRUE(wait_for_workers(client, 2)) << "both workers registered with the new broker";
  // Re-run tasks find their items stored: each key exactly once.
  EXPECT_EQ(count_keys(*redis_, "bigpe:result:*"), 60);
  EXPECT_EQ(counter(*redis_, "bigpe:stats:stored"), 60);
  for (auto& w : workers) EXPECT_TRUE(w->child().running()) << w->log();
  EXPECT_EQ(broker->terminate(5000ms), 0);
}

}  // namespace
}  // namespace bigpe::testing
