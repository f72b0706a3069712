// The RenderDispatcher's render counters count the same renders at the same
// point in a fresh run and in a fully cached one: each distinct key once,
// when a run() first returns it, never at prefetch. (They did not: a cached
// key was counted when prefetch looked it up, a rendered one when its result
// came in, so the paper loop, which prefetches iteration 1's professional
// prompts before it opens its count, reported 15 fewer renders for a cached
// quickstart than for a fresh one.)
#include <gtest/gtest.h>

#include "scheduler/render/render_dispatcher.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/redis_fixture.h"
#include "worker/local_worker_pool.h"

namespace bigpe::testing {
namespace {

class DispatcherCountersTest : public RedisFixture {
 protected:
  engine::DispatchSettings settings() {
    engine::DispatchSettings ds;
    ds.experiment_id = "exp";
    ds.service = kService;
    ds.identity = sim_worker_identity();
    return ds;
  }
  std::vector<engine::RenderJob> jobs(const std::string& prefix, int n) {
    std::vector<engine::RenderJob> out;
    for (int i = 0; i < n; ++i) out.push_back({prefix + " " + std::to_string(i), prefix, i});
    return out;
  }
};

TEST_F(DispatcherCountersTest, FreshAndCachedRunsCountTheSameRendersWhenRunAsksForThem) {
  InProcessBroker broker(broker_options());
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  auto redis = client_ptr();
  const WorkerOptions wo = sim_worker_options(broker.worker_endpoint(), server().options());
  LocalWorkerPool pool(1, wo, BackendSettings{});
  pool.start();
  const std::vector<engine::RenderJob> a = jobs("a lamp", 6);
  std::vector<engine::RenderJob> twice = a;
  twice.insert(twice.end(), a.begin(), a.end());  // merged: each key counts once

  engine::RenderDispatcher fresh(client, *redis, settings());
  fresh.prefetch(a);
  EXPECT_EQ(fresh.renders_done() + fresh.renders_cached(), 0);
  ASSERT_EQ(fresh.run(twice).size(), twice.size());
  EXPECT_EQ(fresh.renders_done(), 6);
  EXPECT_EQ(fresh.renders_cached(), 0);

  // Everything is in Redis now: the same steps find it all there.
  engine::RenderDispatcher cached(client, *redis, settings());
  cached.prefetch(a);
  EXPECT_EQ(cached.renders_done() + cached.renders_cached(), 0) << "counted at prefetch, before run() asked";
  cached.prefetch(jobs("never asked for", 3));
  ASSERT_EQ(cached.run(twice).size(), twice.size());
  EXPECT_EQ(cached.renders_done(), 0);
  EXPECT_EQ(cached.renders_cached(), 6);
  EXPECT_EQ(cached.run(a).size(), a.size());
  EXPECT_EQ(cached.renders_cached(), 6) << "a key already returned is not counted again";
  pool.stop();
}

}  // namespace
}  // namespace bigpe::testing
