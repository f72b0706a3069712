// A worker executes only tasks that name its backend identity: a task for
// another identity (another vocabulary, other model files) fails without
// rendering or touching the cache, and what it does store says who made it.
#include <gtest/gtest.h>

#include <memory>

#include "backends/sim/sim_renderer.h"
#include "backends/sim/sim_scorer.h"
#include "common/content_hash.h"
#include "common/redis/result_cache.h"
#include "tests/support/redis_fixture.h"
#include "worker/task_executor.h"

namespace bigpe {
namespace {

class TaskExecutorIdentityTest : public RedisFixture {
 protected:
  schemas::Task task(const std::string& identity) {
    schemas::RenderTask t;
    t.service = "sim";
    t.identity = identity;
    t.items.push_back({"a cactus, oil painting", "a cactus", 3, ""});
    t.items[0].key = result_key(t.service, t.identity, t.items[0].prompt, t.items[0].score_text, 3, t.params);
    return schemas::Task{"t-" + identity.substr(0, 8), 1, "exp", schemas::encode(t)};
  }

  SimRenderer renderer_;
  SimScorer scorer_{std::make_shared<const sim::Vocabulary>(sim::Vocabulary::from_phrases({"oil painting"}))};
};

TEST_F(TaskExecutorIdentityTest, ATaskForAnotherIdentityFailsAndNothingIsRenderedOrStored) {
  RedisClient redis = client();
  ResultCache cache(redis);
  TaskExecutor executor("w", renderer_, scorer_, &cache, nullptr);
  const std::string other = "sim-image-v1;size=64+sim-v1;vocab=ffffffffffffffff";
  ASSERT_NE(executor.identity(), other);
  auto out = executor.run({task(other)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].reply.error.find(other), std::string::npos) << out[0].reply.error;
  EXPECT_NE(out[0].reply.error.find(executor.identity()), std::string::npos) << out[0].reply.error;
  EXPECT_EQ(out[0].renders, 0);
  EXPECT_TRUE(redis.command({"KEYS", "bigpe:*"}).elements.empty());
}

TEST_F(TaskExecutorIdentityTest, ATaskForItsIdentityIsStoredWithThatIdentity) {
  RedisClient redis = client();
  ResultCache cache(redis);
  TaskExecutor executor("w", renderer_, scorer_, &cache, nullptr);
  EXPECT_EQ(executor.identity(), renderer_.identity() + "+" + scorer_.identity());
  schemas::Task t = task(executor.identity());
  auto out = executor.run({t});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].reply.error.empty()) << out[0].reply.error;
  const std::string key = schemas::decode_render_task(t.body).items[0].key;
  auto found = cache.lookup({key});
  ASSERT_TRUE(found[0].has_value());
  EXPECT_EQ(found[0]->identity, executor.identity());
}

}  // namespace
}  // namespace bigpe
