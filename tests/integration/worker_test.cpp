// Workers on the real fabric: an in-process broker, `bigpe worker` child
// processes (or a LocalWorkerPool), a private redis-server, and a
// BrokerClient as the scheduler.
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "schemas/render_task.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/redis_fixture.h"
#include "worker/local_worker_pool.h"
#include "common/redis/result_cache.h"

namespace bigpe::testing {
namespace {

class WorkerTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    redis_ = client_ptr();
  }
  std::unique_ptr<RedisClient> redis_;
};

TEST_F(WorkerTest, AllTasksCompleteAndEachResultIsStoredOnce) {
  InProcessBroker broker(broker_options());
  const std::string artifacts = temp_dir().file("artifacts");
  std::vector<std::unique_ptr<WorkerProcess>> workers;
  for (int i = 0; i < 3; ++i)
    workers.push_back(std::make_unique<WorkerProcess>(temp_dir().path(), "w" + std::to_string(i),
                                                      broker.worker_endpoint(), server().url(),
                                                      std::vector<std::string>{"--artifacts", artifacts}));
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 3)) << workers[0]->log();

  const int kTasks = 24, kItems = 3;
  std::vector<schemas::TaskEnvelope> tasks;
  for (int t = 0; t < kTasks; ++t) tasks.push_back(make_task("t" + std::to_string(t), "a cactus " + std::to_string(t), kItems));
  client.submit(tasks);
  Outcomes out = collect(client, tasks.size());

  ASSERT_EQ(out.results.size(), tasks.size()) << workers[0]->log();
  EXPECT_TRUE(out.failed.empty());
  std::set<std::string> worker_ids;
  for (const auto& env : tasks) {
    const schemas::Result& r = out.results.at(env.task_id);
    EXPECT_TRUE(r.error.empty()) << r.error;
    schemas::RenderResult rr = schemas::decode_render_result(r.body);
    schemas::RenderTask sent = schemas::decode_render_task(env.body);
    ASSERT_EQ(rr.items.size(), sent.items.size());
    worker_ids.insert(rr.worker_id);
    for (std::size_t i = 0; i < rr.items.size(); ++i) {
      EXPECT_EQ(rr.items[i].key, sent.items[i].key);
      EXPECT_FALSE(rr.items[i].cached);
      // The reply and the stored record agree, and the image is on disk.
      RedisReply rec = redis_->command({"GET", ResultCache::record_key(rr.items[i].key)});
      ASSERT_FALSE(rec.is_nil()) << "no record for " << rr.items[i].key;
      schemas::ResultRecord record = schemas::decode_result_record(rec.str);
      EXPECT_EQ(record.score, rr.items[i].score);
      EXPECT_EQ(record.prompt, sent.items[i].prompt);
      EXPECT_EQ(record.worker_id, rr.worker_id);
      EXPECT_EQ(rr.items[i].image_uri, artifacts + "/exp1/" + sent.items[i].key + ".png");
      EXPECT_TRUE(std::filesystem::is_regular_file(rr.items[i].image_uri));
    }
  }
  EXPECT_GE(worker_ids.size(), 2u) << "the work should spread over the workers";
  EXPECT_EQ(count_keys(*redis_, "bigpe:result:*"), kTasks * kItems);
  EXPECT_EQ(counter(*redis_, "bigpe:stats:stored"), kTasks * kItems);
  EXPECT_EQ(counter(*redis_, "bigpe:stats:duplicates"), 0);
  EXPECT_EQ(renders_total(*redis_), kTasks * kItems);
  for (auto& w : workers) EXPECT_EQ(w->child().terminate(5000ms), 0) << w->log();
}

TEST_F(WorkerTest, CachedItemsAreNotRenderedAgain) {
  InProcessBroker broker(broker_options());
  WorkerProcess worker(temp_dir().path(), "w0", broker.worker_endpoint(), server().url());
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 1)) << worker.log();

  client.submit({make_task("first", "a fox", 4)});
  Outcomes first = collect(client, 1);
  ASSERT_EQ(first.results.count("first"), 1u) << worker.log();
  ASSERT_EQ(renders_total(*redis_), 4);

  // Same four items plus two new ones, under a new task id.
  client.submit({make_task("second", "a fox", 6)});
  Outcomes second = collect(client, 1);
  ASSERT_EQ(second.results.count("second"), 1u) << worker.log();
  schemas::RenderResult a = schemas::decode_render_result(first.results.at("first").body);
  schemas::RenderResult b = schemas::decode_render_result(second.results.at("second").body);
  ASSERT_EQ(b.items.size(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(b.items[i].cached, i < 4) << "item " << i;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(b.items[i].score, a.items[i].score);
  EXPECT_EQ(renders_total(*redis_), 6) << "only the two new items are rendered";
  EXPECT_EQ(counter(*redis_, "bigpe:stats:stored"), 6);
  EXPECT_EQ(count_keys(*redis_, "bigpe:result:*"), 6);
}

TEST_F(WorkerTest, UnwritableArtifactDirFailsTasksWithAClearReasonAndTheWorkerLivesOn) {
  // A folder under a regular file cannot be created, even by root.
  const std::string blocker = temp_dir().file("not-a-folder");
  std::ofstream(blocker) << "x";
  const std::string artifacts = blocker + "/artifacts";
  InProcessBroker broker(broker_options(2));
  WorkerProcess worker(temp_dir().path(), "w0", broker.worker_endpoint(), server().url(),
                       {"--artifacts", artifacts});
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 1)) << worker.log();

  client.submit({make_task("t1", "a dog", 2)});
  Outcomes out = collect(client, 1);
  ASSERT_EQ(out.failed.count("t1"), 1u) << worker.log();
  const schemas::Failed& f = out.failed.at("t1");
  EXPECT_EQ(f.attempts, 2);
  EXPECT_NE(f.reason.find("artifact"), std::string::npos) << f.reason;
  EXPECT_NE(f.reason.find(artifacts), std::string::npos) << f.reason;
  EXPECT_EQ(count_keys(*redis_, "bigpe:result:*"), 0) << "a failed task stores nothing";
  EXPECT_TRUE(worker.child().running()) << worker.log();
  EXPECT_TRUE(wait_for_workers(client, 1));
}

TEST_F(WorkerTest, AWorkerThatLosesRedisLeavesWithStatus4AndItsTaskGoesToItsReplacement) {
  InProcessBroker broker(broker_options(2));
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  auto lost = std::make_unique<WorkerProcess>(temp_dir().path(), "w0", broker.worker_endpoint(), server().url(),
                                              std::vector<std::string>{"--redis-wait-ms", "200"});
  ASSERT_TRUE(wait_for_workers(client, 1)) << lost->log();
  server().stop();
  client.submit({make_task("t1", "a fox", 2)});
  // It cannot look the task up: it says why, leaves the broker, exits 4.
  std::optional<int> status = lost->child().wait(std::chrono::milliseconds(kDeadline));
  ASSERT_EQ(status, std::optional<int>(kRedisLostExitCode)) << lost->log();
  EXPECT_NE(lost->log().find("w0: lost Redis: redis " + server().url() + ": connect: Connection refused"),
            std::string::npos)
      << lost->log();
  EXPECT_NE(lost->log().find("exiting with status 4 (lost Redis)"), std::string::npos) << lost->log();

  // It left rather than answer every task it gets with an error: with
  // max_attempts 2, the attempt it held leaves one for its replacement.
  server().restart();
  WorkerProcess replacement(temp_dir().path(), "w1", broker.worker_endpoint(), server().url());
  Outcomes out = collect(client, 1);
  ASSERT_EQ(out.results.count("t1"), 1u) << replacement.log();
  EXPECT_EQ(count_keys(*redis_, "bigpe:result:*"), 2);
  EXPECT_EQ(counter(*redis_, "bigpe:stats:stored"), 2);
}

TEST_F(WorkerTest, MalformedTaskBodyIsAnsweredWithAnErrorAndTheWorkerLivesOn) {
  InProcessBroker broker(broker_options(1));
  WorkerProcess worker(temp_dir().path(), "w0", broker.worker_endpoint(), server().url());
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 1)) << worker.log();

  schemas::TaskEnvelope garbage{"bad", "exp1", kService, std::string("\xc1\xff not msgpack", 14),
                                sim_worker_identity()};
  client.submit({garbage, make_task("good", "a horse", 2)});
  Outcomes out = collect(client, 2);
  ASSERT_EQ(out.failed.count("bad"), 1u) << worker.log();
  EXPECT_NE(out.failed.at("bad").reason.find("bad task body"), std::string::npos)
      << out.failed.at("bad").reason;
  EXPECT_EQ(out.results.count("good"), 1u) << worker.log();
  EXPECT_TRUE(worker.child().running()) << worker.log();
}

TEST_F(WorkerTest, LocalWorkerPoolServesTheBrokerAndSumsItsStats) {
  InProcessBroker broker(broker_options());
  WorkerOptions o;
  o.broker_endpoint = broker.worker_endpoint();
  o.redis = server().options();
  o.services = {kService};
  o.heartbeat_interval = kHeartbeat;
  o.liveness = kLiveness;
  LocalWorkerPool pool(2, o, BackendSettings{});
  pool.start();
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  ASSERT_TRUE(wait_for_workers(client, 2));

  std::vector<schemas::TaskEnvelope> tasks;
  for (int t = 0; t < 10; ++t) tasks.push_back(make_task("t" + std::to_string(t), "a bird " + std::to_string(t), 2));
  tasks.push_back(make_task("again", "a bird 0", 2));  // all cached by then or stored as duplicates
  client.submit(std::vector<schemas::TaskEnvelope>(tasks.begin(), tasks.end() - 1));
  ASSERT_EQ(collect(client, 10).results.size(), 10u);
  client.submit({tasks.back()});
  ASSERT_EQ(collect(client, 1).results.size(), 1u);
  pool.stop();

  Worker::Stats s = pool.stats();
  EXPECT_EQ(s.tasks, 11);
  EXPECT_EQ(s.items, 22);
  EXPECT_EQ(s.renders, 20);
  EXPECT_EQ(s.cache_hits, 2);
  EXPECT_EQ(s.failures, 0);
  EXPECT_EQ(renders_total(*redis_), 20);
}

TEST(WorkerOptionsTest, BadOptionsAreRejectedNamingTheOption) {
  WorkerOptions o;
  o.broker_endpoint = "tcp://127.0.0.1:1";
  o.persist = false;
  auto make = [](WorkerOptions opts) {
    return Worker(std::move(opts), make_renderer({}), make_scorer({}));
  };
  try {
    make(o);
    FAIL() << "no services accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("service"), std::string::npos) << e.what();
  }
  o.services = {"s"};
  o.slots = 0;
  try {
    make(o);
    FAIL() << "slots 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("slots"), std::string::npos) << e.what();
  }
  try {
    make_renderer(BackendSettings{"torch", 0, 64, ""});
    FAIL() << "unknown backend accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("torch"), std::string::npos) << e.what();
  }
}

TEST(WorkerStopTest, StopBeforeOrDuringRunMakesRunReturn) {
  WorkerOptions o;
  o.broker_endpoint = "tcp://127.0.0.1:1";  // nobody there: the worker keeps waiting
  o.services = {"s"};
  o.persist = false;
  Worker early(o, make_renderer({}), make_scorer({}));
  early.stop();
  early.run();  // returns at once

  Worker w(o, make_renderer({}), make_scorer({}));
  std::atomic<bool> returned{false};
  std::thread t([&] {
    w.run();
    returned = true;
  });
  w.stop();
  t.join();
  EXPECT_TRUE(returned);
}

}  // namespace
}  // namespace bigpe::testing
