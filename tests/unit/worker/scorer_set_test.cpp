// ScorerSet's keys (schemas/README.md section 7.3): one scorer's score key
// is the one-scorer item key, so old runs' records are score records; each
// key holds only the options of the backends it covers.
#include <gtest/gtest.h>

#include "backends/backend_identity.h"
#include "backends/sim/sim_renderer.h"
#include "backends/sim/sim_scorer.h"
#include "common/content_hash.h"
#include "tests/support/extra_scorers.h"
#include "worker/backend_factory.h"
#include "worker/scorer_set.h"

namespace bigpe {
namespace {

class ScorerSetTest : public ::testing::Test {
 protected:
  std::shared_ptr<const sim::Vocabulary> vocab_ =
      std::make_shared<const sim::Vocabulary>(sim::Vocabulary::from_phrases({"oil painting"}));
  SimRenderer renderer_;
  SimScorer sim_{vocab_};
  testing::OtherTasteSimScorer judge_{vocab_, 7, "judge"};
  schemas::RenderItem item_{"a cat, oil painting", "a cat", 7, ""};
};

TEST_F(ScorerSetTest, OneScorerKeepsTheIdentityAndItsScoreKeyIsTheItemKey) {
  ScorerSet one(renderer_, {&sim_});
  EXPECT_FALSE(one.several());
  EXPECT_EQ(one.identity(), backend_identity(renderer_, sim_));
  schemas::RenderParams p;
  p.options = {{"sim.taste_seed", "4"}, {"cache.scope", "e"}};
  EXPECT_EQ(one.score_key(0, "sim", item_, p),
            result_key("sim", one.identity(), item_.prompt, item_.score_text, item_.seed, p));
}

TEST_F(ScorerSetTest, SeveralScorersJoinTheirIdentitiesInOrder) {
  ScorerSet two(renderer_, {&sim_, &judge_});
  EXPECT_TRUE(two.several());
  EXPECT_EQ(two.identity(), renderer_.identity() + "+" + sim_.identity() + "+" + judge_.identity());
  EXPECT_EQ(two.names(), "sim, judge");
  EXPECT_NE(ScorerSet(renderer_, {&judge_, &sim_}).identity(), two.identity());
}

TEST_F(ScorerSetTest, TheImageKeyHoldsOnlyTheRenderersAndCacheOptions) {
  ScorerSet two(renderer_, {&sim_, &judge_});
  schemas::RenderParams with_taste, other_taste, scoped, faulty;
  with_taste.options = {{"sim.taste_seed", "1"}};
  other_taste.options = {{"sim.taste_seed", "2"}};
  scoped.options = {{"sim.taste_seed", "1"}, {"cache.scope", "e"}};
  faulty.options = {{"sim.taste_seed", "1"}, {"sim.fault", "throw"}};
  const std::string k = two.image_key("sim", item_, with_taste);
  EXPECT_EQ(k, image_key("sim", renderer_.identity(), item_.prompt, item_.seed, schemas::RenderParams{}));
  EXPECT_EQ(two.image_key("sim", item_, other_taste), k) << "a scorer's option does not change the image";
  EXPECT_NE(two.image_key("sim", item_, scoped), k);
  EXPECT_NE(two.image_key("sim", item_, faulty), k);
  EXPECT_NE(two.score_key(0, "sim", item_, other_taste), two.score_key(0, "sim", item_, with_taste));
}

TEST_F(ScorerSetTest, AnEmptyListOrARepeatedNameIsRefused) {
  EXPECT_THROW(ScorerSet(renderer_, {}), std::invalid_argument);
  testing::OtherTasteSimScorer named_sim(vocab_, 3, "sim");
  try {
    ScorerSet(renderer_, {&sim_, &named_sim});
    ADD_FAILURE() << "a repeated name was taken";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'sim' is listed twice"), std::string::npos) << e.what();
  }
}

TEST(ScorerList, TheFactoryMakesOneScorerPerNameAndRefusesBadLists) {
  BackendSettings s;
  EXPECT_EQ(make_scorers(s).size(), 1u) << "the backend's own";
  s.scorer = "sim";
  EXPECT_EQ(scorer_names(s), std::vector<std::string>{"sim"});
  for (const char* bad : {"sim, sim", "sim,,hpsv2", "sim,"}) {
    s.scorer = bad;
    EXPECT_THROW(scorer_names(s), std::invalid_argument) << bad;
  }
  s.scorer = "sim,nope";
  EXPECT_THROW(make_scorers(s), std::invalid_argument);
}

}  // namespace
}  // namespace bigpe
