// Workers with several scorers on the real fabric (an in-process broker,
// in-process Workers over TCP, a private redis-server, a BrokerClient as
// the scheduler): each image is rendered once and all its scores come back
// and are stored; a worker whose scorer list grew by one serves the same
// items without rendering any of them again.
//
// TODO(sim-judge merge): OtherTasteSimScorer (tests/support) stands in for
// a second factory scorer; switch to `sim-judge` once it is merged.
#include <thread>

#include <gtest/gtest.h>

#include "backends/sim/sim_vocabulary.h"
#include "schemas/render_task.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/extra_scorers.h"
#include "tests/support/redis_fixture.h"
#include "common/redis/result_cache.h"

namespace bigpe::testing {
namespace {

std::shared_ptr<const sim::Vocabulary> default_vocabulary() {
  static auto v = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(sim::default_vocabulary_path()));
  return v;
}

// A Worker serving in a thread for the lifetime of this object, with the
// sim scorer and `extra_tastes` scorers of other tastes after it.
class ScoringWorker {
 public:
  ScoringWorker(const WorkerOptions& options, int extra_tastes) {
    std::vector<std::unique_ptr<Scorer>> scorers;
    scorers.push_back(std::make_unique<SimScorer>(default_vocabulary()));
    for (int i = 1; i <= extra_tastes; ++i)
      scorers.push_back(
          std::make_unique<OtherTasteSimScorer>(default_vocabulary(), 1000 * i, "taste" + std::to_string(i)));
    worker_ = std::make_unique<Worker>(options, std::make_unique<SimRenderer>(), std::move(scorers));
    thread_ = std::thread([this] { worker_->run(); });
  }
  ~ScoringWorker() {
    worker_->stop();
    thread_.join();
  }
  const std::string& identity() const { return worker_->identity(); }

 private:
  std::unique_ptr<Worker> worker_;
  std::thread thread_;
};

class WorkerScoresTest : public RedisFixture {};

TEST_F(WorkerScoresTest, TwoScorersRenderOnceAndAThirdScoresWithoutRenderingAgain) {
  InProcessBroker broker(broker_options());
  auto redis = client_ptr();
  broker::BrokerClient client(broker.client_endpoint(), "sched", client_options());
  const int kTasks = 4, kItems = 3;
  const std::map<std::string, std::string> taste{{"sim.taste_seed", "2"}};
  std::map<std::string, schemas::RenderResult> first;
  {
    ScoringWorker two(sim_worker_options(broker.worker_endpoint(), server().options()), 1);
    ASSERT_TRUE(wait_for_workers(client, 1));
    std::vector<schemas::TaskEnvelope> tasks;
    for (int t = 0; t < kTasks; ++t)
      tasks.push_back(make_task("a" + std::to_string(t), "a heron " + std::to_string(t), kItems, taste, "exp1",
                                two.identity()));
    client.submit(tasks);
    Outcomes out = collect(client, tasks.size());
    ASSERT_EQ(out.results.size(), tasks.size());
    for (const auto& env : tasks) {
      schemas::RenderResult r = schemas::decode_render_result(out.results.at(env.task_id).body);
      for (const schemas::ItemResult& item : r.items) {
        ASSERT_EQ(item.scores.size(), 2u) << item.key;
        EXPECT_DOUBLE_EQ(item.score, item.scores.at("sim"));
        schemas::ResultRecord rec =
            schemas::decode_result_record(redis->command({"GET", ResultCache::record_key(item.key)}).str);
        EXPECT_EQ(rec.scores, item.scores);
      }
      first[env.task_id.substr(1)] = r;
    }
    EXPECT_EQ(renders_total(*redis), kTasks * kItems) << "each image rendered once";
    EXPECT_EQ(count_keys(*redis, "bigpe:image:*"), kTasks * kItems);
    ASSERT_TRUE(client.status(1000ms).workers == 1);
  }
  ASSERT_TRUE(wait_for_workers(client, 0));

  ScoringWorker three(sim_worker_options(broker.worker_endpoint(), server().options()), 2);
  ASSERT_TRUE(wait_for_workers(client, 1));
  std::vector<schemas::TaskEnvelope> tasks;
  for (int t = 0; t < kTasks; ++t)
    tasks.push_back(make_task("b" + std::to_string(t), "a heron " + std::to_string(t), kItems, taste, "exp1",
                              three.identity()));
  client.submit(tasks);
  Outcomes out = collect(client, tasks.size());
  ASSERT_EQ(out.results.size(), tasks.size());
  EXPECT_EQ(renders_total(*redis), kTasks * kItems) << "bigpe:stats:renders unchanged";
  for (const auto& env : tasks) {
    schemas::RenderResult r = schemas::decode_render_result(out.results.at(env.task_id).body);
    const schemas::RenderResult& before = first.at(env.task_id.substr(1));
    ASSERT_EQ(r.items.size(), before.items.size());
    for (std::size_t i = 0; i < r.items.size(); ++i) {
      ASSERT_EQ(r.items[i].scores.size(), 3u);
      EXPECT_DOUBLE_EQ(r.items[i].scores.at("sim"), before.items[i].scores.at("sim"));
      EXPECT_DOUBLE_EQ(r.items[i].scores.at("taste1"), before.items[i].scores.at("taste1"));
      schemas::ResultRecord rec =
          schemas::decode_result_record(redis->command({"GET", ResultCache::record_key(r.items[i].key)}).str);
      EXPECT_EQ(rec.scores.count("taste2"), 1u) << "the new score is stored";
    }
  }
}

}  // namespace
}  // namespace bigpe::testing
