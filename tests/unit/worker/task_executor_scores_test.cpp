// A worker with several scorers (worker/scorer_set.h, schemas/README.md
// section 7.3), on a real redis-server: each image is rendered once and
// every score stored; a worker whose scorer list grew only scores what is
// new; one-scorer records (old runs) are found and reused; a scorer that
// reads pixels gets the stored PNG, or a counted render when there is none.
//
// TODO(sim-judge merge): OtherTasteSimScorer stands in for the factory's
// second sim scorer; these tests should take `sim-judge` once it is merged.
#include <gtest/gtest.h>

#include <memory>

#include <msgpack.hpp>

#include "backends/sim/sim_renderer.h"
#include "backends/sim/sim_scorer.h"
#include "common/content_hash.h"
#include "common/redis/result_cache.h"
#include "tests/support/extra_scorers.h"
#include "tests/support/redis_fixture.h"
#include "worker/task_executor.h"

namespace bigpe {
namespace {

using testing::MeanPixelScorer;
using testing::OtherTasteSimScorer;

class TaskExecutorScoresTest : public RedisFixture {
 protected:
  // A task of `n` items ("a cactus <i>") for the identity of `executor`.
  schemas::Task task(const TaskExecutor& executor, int n, const std::string& id = "t") {
    schemas::RenderTask t;
    t.experiment_id = "exp";
    t.service = "sim";
    t.identity = executor.identity();
    t.params.options["sim.taste_seed"] = "3";
    for (int i = 0; i < n; ++i) {
      schemas::RenderItem it{"a cactus " + std::to_string(i) + ", oil painting", "a cactus", 10 + i, ""};
      it.key = result_key(t.service, t.identity, it.prompt, it.score_text, it.seed, t.params);
      t.items.push_back(std::move(it));
    }
    return schemas::Task{id, 1, "exp", schemas::encode(t)};
  }
  static schemas::RenderResult result(const TaskExecutor::Outcome& o) {
    EXPECT_TRUE(o.reply.error.empty()) << o.reply.error;
    return schemas::decode_render_result(o.reply.body);
  }
  long long renders(RedisClient& redis) {
    RedisReply r = redis.command({"HGET", "bigpe:stats:renders", "w"});
    return r.is_nil() ? 0 : std::stoll(r.str);
  }

  std::shared_ptr<const sim::Vocabulary> vocab_ =
      std::make_shared<const sim::Vocabulary>(sim::Vocabulary::from_phrases({"oil painting", "highly detailed"}));
  SimRenderer renderer_;
  SimScorer sim_{vocab_};
  OtherTasteSimScorer judge_{vocab_, 1000, "judge"};
  OtherTasteSimScorer third_{vocab_, 2000, "third"};
};

TEST_F(TaskExecutorScoresTest, TwoScorersRenderEachImageOnceAndStoreBothScores) {
  RedisClient redis = client();
  ResultCache cache(redis);
  TaskExecutor two("w", renderer_, {&sim_, &judge_}, &cache, nullptr);
  EXPECT_EQ(two.identity(), renderer_.identity() + "+" + sim_.identity() + "+" + judge_.identity());
  auto out = two.run({task(two, 3)});
  schemas::RenderResult r = result(out[0]);
  EXPECT_EQ(out[0].renders, 3);
  EXPECT_EQ(renders(redis), 3);
  ASSERT_EQ(r.items.size(), 3u);
  TaskExecutor sim_only("w", renderer_, sim_, nullptr, nullptr);
  TaskExecutor judge_only("w", renderer_, judge_, nullptr, nullptr);
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(r.items[i].scores.size(), 2u);
    EXPECT_FALSE(r.items[i].cached);
    EXPECT_FALSE(r.items[i].scored_only()) << "rendered here";
    EXPECT_DOUBLE_EQ(r.items[i].score, r.items[i].scores.at("sim"));
    EXPECT_NE(r.items[i].scores.at("sim"), r.items[i].scores.at("judge")) << "two tastes, two scores";
    // Each score is what a worker with that scorer alone gives.
    EXPECT_DOUBLE_EQ(r.items[i].scores.at("sim"), result(sim_only.run({task(sim_only, 3)})[0]).items[i].score);
    EXPECT_DOUBLE_EQ(r.items[i].scores.at("judge"), result(judge_only.run({task(judge_only, 3)})[0]).items[i].score);
    // The result record is v2 with both.
    auto rec = cache.lookup({r.items[i].key})[0];
    ASSERT_TRUE(rec.has_value());
    EXPECT_EQ(rec->scores, r.items[i].scores);
    EXPECT_FALSE(rec->image_key.empty());
  }
  // 3 result records + 2 x 3 score records + 3 image records.
  EXPECT_EQ(redis.command({"KEYS", "bigpe:result:*"}).elements.size(), 9u);
  EXPECT_EQ(redis.command({"KEYS", "bigpe:image:*"}).elements.size(), 3u);

  // Asked again: all cached, nothing rendered or scored.
  auto again = two.run({task(two, 3, "t2")});
  for (const auto& item : result(again[0]).items) {
    EXPECT_TRUE(item.cached);
    EXPECT_FALSE(item.scored_only());
  }
  EXPECT_EQ(again[0].renders, 0);
  EXPECT_EQ(renders(redis), 3);
}

TEST_F(TaskExecutorScoresTest, AThirdScorerScoresWithoutRenderingAgain) {
  RedisClient redis = client();
  ResultCache cache(redis);
  TaskExecutor two("w", renderer_, {&sim_, &judge_}, &cache, nullptr);
  schemas::RenderResult before = result(two.run({task(two, 4)})[0]);
  ASSERT_EQ(renders(redis), 4);

  TaskExecutor three("w", renderer_, {&sim_, &judge_, &third_}, &cache, nullptr);
  auto out = three.run({task(three, 4)});
  schemas::RenderResult after = result(out[0]);
  EXPECT_EQ(out[0].renders, 0);
  EXPECT_EQ(renders(redis), 4) << "bigpe:stats:renders unchanged";
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(after.items[i].scores.size(), 3u);
    EXPECT_FALSE(after.items[i].cached) << "the third score is new";
    EXPECT_TRUE(after.items[i].scored_only()) << "its image was stored: scored, not rendered";
    EXPECT_DOUBLE_EQ(after.items[i].scores.at("sim"), before.items[i].scores.at("sim"));
    EXPECT_DOUBLE_EQ(after.items[i].scores.at("judge"), before.items[i].scores.at("judge"));
    EXPECT_EQ(cache.lookup({after.items[i].key})[0]->scores, after.items[i].scores);
  }
}

TEST_F(TaskExecutorScoresTest, AOneScorerRunKeepsItsKeysAndRecordsAndASecondScorerReusesThem) {
  RedisClient redis = client();
  ResultCache cache(redis);
  TaskExecutor one("w", renderer_, sim_, &cache, nullptr);
  schemas::Task t = task(one, 2);
  schemas::RenderResult first = result(one.run({t})[0]);
  // Exactly the records of a one-scorer worker: v1, at the item's key, no
  // image record.
  const schemas::RenderTask sent = schemas::decode_render_task(t.body);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_EQ(first.items[i].key, sent.items[i].key);
    EXPECT_TRUE(first.items[i].scores.empty());
    RedisReply raw = redis.command({"GET", ResultCache::record_key(sent.items[i].key)});
    ASSERT_FALSE(raw.is_nil());
    EXPECT_EQ(schemas::decode_result_record(raw.str).scores.size(), 0u);
  }
  EXPECT_EQ(redis.command({"KEYS", "bigpe:result:*"}).elements.size(), 2u);
  EXPECT_EQ(redis.command({"KEYS", "bigpe:image:*"}).elements.size(), 0u);

  TaskExecutor two("w", renderer_, {&sim_, &judge_}, &cache, nullptr);
  auto out = two.run({task(two, 2)});
  schemas::RenderResult r = result(out[0]);
  EXPECT_EQ(out[0].renders, 0) << "the one-scorer records name the images";
  EXPECT_EQ(renders(redis), 2);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_FALSE(first.items[i].scored_only()) << "rendered by the one-scorer worker";
    EXPECT_DOUBLE_EQ(r.items[i].scores.at("sim"), first.items[i].score);
    EXPECT_TRUE(r.items[i].scored_only());
  }
}

TEST_F(TaskExecutorScoresTest, AHandWrittenOldV1RecordIsReadAsAScoreRecord) {
  RedisClient redis = client();
  ResultCache cache(redis);
  TaskExecutor one("w", renderer_, sim_, &cache, nullptr);
  schemas::Task t = task(one, 1);
  const schemas::RenderItem item = schemas::decode_render_task(t.body).items[0];
  // A record as a worker before v2 wrote it, with a score no scorer gives.
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(4);
  pk.pack(std::string("v"));
  pk.pack(1);
  pk.pack(std::string("key"));
  pk.pack(item.key);
  pk.pack(std::string("score"));
  pk.pack(12.25);
  pk.pack(std::string("prompt"));
  pk.pack(item.prompt);
  redis.command({"SET", ResultCache::record_key(item.key), std::string(buf.data(), buf.size())});

  EXPECT_DOUBLE_EQ(result(one.run({t})[0]).items[0].score, 12.25);
  TaskExecutor two("w", renderer_, {&sim_, &judge_}, &cache, nullptr);
  auto out = two.run({task(two, 1)});
  EXPECT_DOUBLE_EQ(result(out[0]).items[0].scores.at("sim"), 12.25);
  EXPECT_EQ(out[0].renders, 0);
}

TEST_F(TaskExecutorScoresTest, APixelScorerGetsTheStoredPngOrACountedRender) {
  MeanPixelScorer pixels;
  {
    RedisClient redis = client();
    ResultCache cache(redis);
    ArtifactStore artifacts(temp_dir().file("images"));
    TaskExecutor two("w", renderer_, {&sim_, &judge_}, &cache, &artifacts);
    schemas::RenderResult r = result(two.run({task(two, 2)})[0]);
    EXPECT_NE(r.items[0].image_uri.find(temp_dir().file("images")), std::string::npos) << r.items[0].image_uri;
    TaskExecutor with_pixels("w", renderer_, {&sim_, &judge_, &pixels}, &cache, &artifacts);
    auto out = with_pixels.run({task(with_pixels, 2)});
    EXPECT_EQ(out[0].renders, 0) << "scored from the PNG";
    // The same mean as when it is rendered and scored at once.
    TaskExecutor fresh("w", renderer_, {&pixels, &sim_}, nullptr, nullptr);
    EXPECT_DOUBLE_EQ(result(out[0]).items[1].scores.at("mean-pixel"),
                     result(fresh.run({task(fresh, 2)})[0]).items[1].scores.at("mean-pixel"));
    redis.command({"FLUSHALL"});
  }
  RedisClient redis = client();
  ResultCache cache(redis);
  TaskExecutor two("w", renderer_, {&sim_, &judge_}, &cache, nullptr);  // no image files
  result(two.run({task(two, 2)})[0]);
  TaskExecutor with_pixels("w", renderer_, {&sim_, &judge_, &pixels}, &cache, nullptr);
  auto out = with_pixels.run({task(with_pixels, 2)});
  EXPECT_EQ(out[0].renders, 2) << "no pixels stored: rendered again";
  EXPECT_EQ(renders(redis), 4);
  EXPECT_FALSE(result(out[0]).items[0].scored_only()) << "rendered again";
  EXPECT_EQ(result(out[0]).items[0].scores.size(), 3u);
}

TEST_F(TaskExecutorScoresTest, TwoScorersOfOneNameAreRefused) {
  OtherTasteSimScorer also_sim(vocab_, 5, "sim");
  EXPECT_THROW(TaskExecutor("w", renderer_, {&sim_, &also_sim}, nullptr, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace bigpe
