// The sim-v1 scorer: conformance with the reference's golden values and the
// properties the benchmark relies on (docs/sim-v1.md §1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "backends/sim/sim_text.h"
#include "backends/sim/sim_vocabulary.h"
#include "backends/sim/sim_constants.h"
#include "backends/sim/sim_scorer.h"

namespace bigpe {
namespace {

const char* kReferenceVocab = BIGPE_SOURCE_DIR "/../shared/data/sim-v1/vocabulary.txt";

std::shared_ptr<const sim::Vocabulary> project_vocab() {
  static auto v = std::make_shared<const sim::Vocabulary>(
      sim::Vocabulary::load(sim::default_vocabulary_path()));
  return v;
}

struct GoldenRow {
  const char* prompt;
  const char* query;
  int64_t seed;
  int64_t taste;
  double deterministic;
  double score;
};

TEST(SimScorerConformance, ReproducesEveryGoldenRowOfTheReference) {
  if (!std::ifstream(kReferenceVocab)) GTEST_SKIP() << "no reference vocabulary at " << kReferenceVocab;
  auto vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(kReferenceVocab));
  ASSERT_EQ(vocab->size(), 684u);
  SimScorer scorer(vocab);
  const SimConstants c;
  const GoldenRow rows[] = {
      {"A cactus", "A cactus", 0, 0, 26.085321, 26.642885},
      {"A cactus, highly detailed, octane render, cinematic lighting", "A cactus", 0, 0,
       27.025837, 27.013851},
      {"highly detailed, octane render, cinematic lighting", "A cactus", 0, 0, 23.367476,
       23.127083},
      {"Farm with windmill at dawn bathed in soft light, an oil painting, sharp focus, art "
       "nouveau",
       "Farm with windmill", 7, 3, 26.318193, 26.283016},
  };
  for (const auto& r : rows) {
    const auto b = scorer.explain(r.prompt, r.query, r.seed, r.taste, c);
    // The table prints 6 decimals.
    EXPECT_NEAR(b.deterministic, r.deterministic, 1e-6) << r.prompt;
    EXPECT_NEAR(b.score, r.score, 1e-6) << r.prompt;
    EXPECT_DOUBLE_EQ(scorer.score_prompt(r.prompt, r.query, r.seed, r.taste, c), b.score);
  }
  EXPECT_NEAR(scorer.weight("highly detailed", "A cactus", 0, c), 2.30, 0.01);
  EXPECT_NEAR(scorer.weight("octane render", "A cactus", 0, c), 0.24, 0.01);
  EXPECT_NEAR(scorer.weight("cinematic lighting", "A cactus", 0, c), -0.83, 0.01);
}

TEST(SimScorer, AestheticFollowsTheRankDiscountedFormulaOfTheWeights) {
  SimScorer scorer(project_vocab());
  const SimConstants c;
  const std::string q = "A lighthouse on a cliff";
  const auto b = scorer.explain(
      q + ", highly detailed, octane render, cinematic lighting, bokeh, watercolor, art nouveau",
      q, 5, 2, c);
  ASSERT_EQ(b.matched, (std::vector<std::string>{"highly detailed", "octane render",
                                                 "cinematic lighting", "bokeh", "watercolor",
                                                 "art nouveau"}));
  std::vector<double> pos;
  double neg = 0;
  for (const auto& m : b.matched) {
    const double w = scorer.weight(m, q, 2, c);
    if (w > 0) pos.push_back(w); else neg += w;
  }
  std::sort(pos.rbegin(), pos.rend());
  double a = 0;
  for (std::size_t k = 0; k < pos.size(); ++k) a += std::pow(c.R, k) * pos[k];
  EXPECT_NEAR(b.aesthetic, c.S_POS * a + c.S_NEG * neg, 1e-12);
  EXPECT_DOUBLE_EQ(b.fidelity, 1.0);
  EXPECT_DOUBLE_EQ(b.extra_words, 0.0);
  EXPECT_DOUBLE_EQ(b.score, b.deterministic + c.SD * b.noise);
}

TEST(SimScorer, DroppingTheSubjectLowersTheScore) {
  SimScorer scorer(project_vocab());
  const SimConstants c;
  const std::string mods = "highly detailed, octane render, sharp focus, oil painting";
  for (const char* q : {"A cactus", "A red fox in the snow", "Farm with windmill"}) {
    const auto with = scorer.explain(std::string(q) + ", " + mods, q, 1, 0, c);
    const auto without = scorer.explain(mods, q, 1, 0, c);
    EXPECT_DOUBLE_EQ(with.fidelity, 1.0) << q;
    EXPECT_DOUBLE_EQ(without.fidelity, 0.0) << q;
    EXPECT_LT(without.deterministic, with.deterministic - 2.0) << q;
    // Exactly what the reference says removing the subject costs.
    EXPECT_NEAR(with.deterministic - without.deterministic,
                c.D_FID + (1 - c.LAM) * with.aesthetic, 1e-9) << q;
  }
}

TEST(SimScorer, WordsPastTheWindowChangeNothingButTheNoiseKey) {
  SimScorer scorer(project_vocab());
  const SimConstants c;
  std::string prompt = "A cactus";
  for (int i = 0; i < 73; ++i) prompt += " filler" + std::to_string(i);
  ASSERT_EQ(sim::words(prompt).size(), 75u);
  const auto base = scorer.explain(prompt, "A cactus", 0, 0, c);
  const auto longer =
      scorer.explain(prompt + ", highly detailed, octane render, many more words", "A cactus",
                     0, 0, c);
  EXPECT_TRUE(longer.matched.empty());
  EXPECT_DOUBLE_EQ(longer.deterministic, base.deterministic);
  EXPECT_DOUBLE_EQ(longer.extra_words, base.extra_words);
  EXPECT_DOUBLE_EQ(longer.aesthetic, base.aesthetic);
  // A modifier inside the window does count.
  const auto inside = scorer.explain("highly detailed " + prompt, "A cactus", 0, 0, c);
  EXPECT_EQ(inside.matched, std::vector<std::string>{"highly detailed"});
}

TEST(SimScorer, SameInputsGiveTheSameScoreAcrossInstances) {
  SimScorer a(project_vocab());
  SimScorer b(project_vocab());
  const SimConstants c;
  const std::string p = "A cactus, oil painting, bokeh";
  const double first = a.score_prompt(p, "A cactus", 42, 3, c);
  EXPECT_EQ(a.score_prompt(p, "A cactus", 42, 3, c), first);
  EXPECT_EQ(b.score_prompt(p, "A cactus", 42, 3, c), first);
  EXPECT_NE(a.score_prompt(p, "A cactus", 43, 3, c), first);
}

TEST(SimScorer, SharedNoiseIsCommonToPromptsAtTheSameQueryAndSeed) {
  SimScorer scorer(project_vocab());
  SimConstants c;
  c.KAPPA = 1.0;  // all noise shared: two prompts at one seed get the same n
  const auto x = scorer.explain("A cactus", "A cactus", 9, 0, c);
  const auto y = scorer.explain("A cactus, bokeh", "A cactus", 9, 0, c);
  EXPECT_DOUBLE_EQ(x.noise, y.noise);
  EXPECT_NE(scorer.explain("A cactus", "A cactus", 10, 0, c).noise, x.noise);
}

TEST(SimScorer, ATasteSeedIsADifferentTask) {
  SimScorer scorer(project_vocab());
  const SimConstants c;
  const std::string q = "A cactus";
  auto ranking = [&](int64_t taste) {
    std::vector<std::pair<double, std::string>> w;
    for (const auto& m : project_vocab()->phrases()) w.emplace_back(scorer.weight(m, q, taste, c), m);
    std::sort(w.rbegin(), w.rend());
    return w;
  };
  const auto t0 = ranking(0), t1 = ranking(1);
  std::vector<std::string> top0, top1;
  int sign_flips = 0;
  for (std::size_t i = 0; i < 10; ++i) top0.push_back(t0[i].second), top1.push_back(t1[i].second);
  for (const auto& m : project_vocab()->phrases())
    sign_flips += (scorer.weight(m, q, 0, c) > 0) != (scorer.weight(m, q, 1, c) > 0);
  EXPECT_NE(top0, top1);
  EXPECT_GT(sign_flips, 0);
  // So the same modifier helps under one taste and hurts under another.
  const std::string helps0 = t0.front().second;
  EXPECT_LT(scorer.explain(q + ", " + helps0, q, 0, 1, c).aesthetic,
            scorer.explain(q + ", " + helps0, q, 0, 0, c).aesthetic);
}

TEST(SimScorer, WeightsDependOnTheQuery) {
  SimScorer scorer(project_vocab());
  const SimConstants c;
  EXPECT_NE(scorer.weight("bokeh", "A cactus", 0, c), scorer.weight("bokeh", "A red fox", 0, c));
  // Query text is normalized before it enters a key.
  EXPECT_EQ(scorer.weight("Bokeh!", "a  CACTUS", 0, c), scorer.weight("bokeh", "A cactus", 0, c));
}

TEST(SimScorer, FidelityIsOneWhenTheQueryHasNoContentWords) {
  SimScorer scorer(project_vocab());
  const auto b = scorer.explain("something else entirely", "the of a", 0, 0, SimConstants{});
  EXPECT_DOUBLE_EQ(b.fidelity, 1.0);
}

TEST(SimScorer, FidelityMatchesStemsOfContentWords) {
  SimScorer scorer(project_vocab());
  const auto b =
      scorer.explain("two cactus and clouds", "Cactuses under the cloud", 0, 0, SimConstants{});
  // C = {cactuse, cloud}: "cactus" is not "cactuse", "clouds" stems to "cloud".
  EXPECT_DOUBLE_EQ(b.fidelity, 0.5);
}

TEST(SimScorer, ExtraWordPenaltyStartsAfterE0Words) {
  SimScorer scorer(project_vocab());
  const SimConstants c;
  const std::string q = "A cactus";
  auto det = [&](int extra) {
    std::string p = q;
    for (int i = 0; i < extra; ++i) p += " zork" + std::to_string(i) + " the";  // stop words are free
    return scorer.explain(p, q, 0, 0, c);
  };
  const auto zero = det(0);
  for (int k = 1; k <= 8; ++k) {
    EXPECT_DOUBLE_EQ(det(k).extra_words, k);
    EXPECT_DOUBLE_EQ(det(k).deterministic, zero.deterministic) << k;
  }
  EXPECT_NEAR(det(9).deterministic, zero.deterministic - c.BETA, 1e-12);
  EXPECT_NEAR(det(12).deterministic, zero.deterministic - 4 * c.BETA, 1e-12);
}

TEST(SimScorer, ModifierWordsAndSubjectWordsAreNotExtra) {
  SimScorer scorer(project_vocab());
  const auto b = scorer.explain("Cactus in the desert, highly detailed", "A cactus", 0, 0,
                                SimConstants{});
  EXPECT_DOUBLE_EQ(b.extra_words, 1.0);  // only "desert"
}

TEST(SimScorer, ScoreReadsTasteAndConstantsFromOptions) {
  SimScorer scorer(project_vocab());
  Image img;
  img.prompt = "A cactus, oil painting";
  img.seed = 11;
  schemas::RenderParams params;
  params.options = {{"sim.taste_seed", "4"}, {"sim.SD", "0"}};
  const auto s = scorer.score({img, img}, {"A cactus", "A dog"}, params);
  SimConstants c;
  c.SD = 0;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0], scorer.score_prompt(img.prompt, "A cactus", 11, 4, c));
  EXPECT_DOUBLE_EQ(s[0], scorer.explain(img.prompt, "A cactus", 11, 4, c).deterministic);
  EXPECT_DOUBLE_EQ(s[1], scorer.score_prompt(img.prompt, "A dog", 11, 4, c));
}

TEST(SimScorer, ScoreRejectsBadOptionsAndMismatchedSizesNamingThem) {
  SimScorer scorer(project_vocab());
  Image img;
  schemas::RenderParams params;
  EXPECT_THROW(scorer.score({img}, {}, params), std::runtime_error);
  params.options = {{"sim.taste_seed", "three"}};
  try {
    scorer.score({img}, {"x"}, params);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("sim.taste_seed"), std::string::npos) << e.what();
  }
}

TEST(SimConstants, OptionsOverrideNamedConstants) {
  const auto c = SimConstants::from_options(
      {{"sim.SD", "0.35"}, {"sim.MAXW", "20"}, {"sim.taste_seed", "3"}, {"other", "x"}});
  EXPECT_DOUBLE_EQ(c.SD, 0.35);
  EXPECT_EQ(c.MAXW, 20);
  EXPECT_DOUBLE_EQ(c.B0, 23.5);
  EXPECT_TRUE(SimConstants::from_options({}) == SimConstants{});
}

TEST(SimConstants, BadValuesNameTheOption) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"sim.SD", "abc"}, {"sim.SD", "-1"}, {"sim.RHO", "1.5"}, {"sim.MAXW", "7.5"},
           {"sim.B0", "nan"}, {"sim.KAPPA", ""}}) {
    try {
      SimConstants::from_options({{key, value}});
      ADD_FAILURE() << key << "=" << value << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace bigpe
