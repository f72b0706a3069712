// Backpressure at the source: the RenderDispatcher never has more than
// render.max_in_flight tasks submitted and unanswered, whatever the size of
// the batch it is asked for, and the rest go out as results come back.
#include <gtest/gtest.h>

#include "scheduler/render/render_dispatcher.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/redis_fixture.h"
#include "worker/local_worker_pool.h"

namespace bigpe::testing {
namespace {

class SubmitWindowTest : public RedisFixture {};

TEST_F(SubmitWindowTest, DispatcherKeepsAtMostMaxInFlightTasksAtTheBroker) {
  InProcessBroker broker(broker_options());
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  auto redis = client_ptr();
  engine::DispatchSettings ds;
  ds.experiment_id = "exp";
  ds.service = kService;
  ds.identity = sim_worker_identity();  // the pool's default sim backends
  ds.max_in_flight = 3;
  engine::RenderDispatcher dispatcher(client, *redis, ds);
  std::vector<engine::RenderJob> jobs;
  for (int i = 0; i < 40; ++i) jobs.push_back({"a window " + std::to_string(i), "a window", i});

  // No worker yet: everything submitted stays queued at the broker.
  dispatcher.prefetch(jobs);
  EXPECT_EQ(client.in_flight(), 3u);
  EXPECT_EQ(client.status(kDeadline).queued, 3);

  const WorkerOptions wo = sim_worker_options(broker.worker_endpoint(), server().options());
  LocalWorkerPool pool(2, wo, BackendSettings{});
  pool.start();
  std::vector<engine::RenderOutcome> out = dispatcher.run(jobs);
  ASSERT_EQ(out.size(), jobs.size());
  EXPECT_EQ(dispatcher.renders_done(), 40);
  EXPECT_EQ(client.in_flight(), 0u);
  pool.stop();
  EXPECT_EQ(renders_total(*redis), 40);
}

TEST(BrokerBound, TasksBeyondMaxTasksAreAnsweredFailedQueueFull) {
  broker::BrokerOptions o = broker_options();
  o.max_tasks = 5;
  InProcessBroker broker(o);
  broker::BrokerClient client(broker.client_endpoint(), "greedy", client_options());
  std::vector<schemas::TaskEnvelope> tasks;
  for (int t = 0; t < 8; ++t) tasks.push_back(make_task("t" + std::to_string(t), "a flood " + std::to_string(t), 1));
  client.submit(tasks);
  Outcomes out = collect(client, 3);
  ASSERT_EQ(out.failed.size(), 3u);
  for (const char* id : {"t5", "t6", "t7"}) {
    ASSERT_EQ(out.failed.count(id), 1u) << id;
    EXPECT_EQ(out.failed.at(id).attempts, 0);
    EXPECT_NE(out.failed.at(id).reason.find("queue full"), std::string::npos) << out.failed.at(id).reason;
  }
  EXPECT_EQ(client.status(kDeadline).queued, 5);
  // A resubmission of a task the broker holds is still accepted, not refused.
  client.submit({tasks[0]});
  EXPECT_EQ(client.status(kDeadline).queued, 5);
  EXPECT_EQ(client.in_flight(), 5u);
}

}  // namespace
}  // namespace bigpe::testing
