// The sim-v1 judge (docs/sim-v1.md section 1.2): golden values of the doc,
// rho = 1 is the optimized scorer's taste bit for bit, the weights' Pearson
// correlation with the optimized scorer's is rho, and a bad rho is refused
// naming the option.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "backends/sim/sim_constants.h"
#include "backends/sim/sim_judge_scorer.h"
#include "backends/sim/sim_scorer.h"
#include "backends/sim/sim_text.h"
#include "backends/sim/sim_vocabulary.h"
#include "scheduler/prodb/professional_db.h"
#include "scheduler/prodb/query_set.h"

namespace bigpe {
namespace {

const char* kReferenceVocab = BIGPE_SOURCE_DIR "/../shared/data/sim-v1/vocabulary.txt";

std::shared_ptr<const sim::Vocabulary> project_vocab() {
  static auto v = std::make_shared<const sim::Vocabulary>(
      sim::Vocabulary::load(sim::default_vocabulary_path()));
  return v;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

struct JudgeGoldenRow {
  const char* prompt;
  const char* query;
  int64_t seed;
  int64_t taste;
  double rho;
  double deterministic;
  double score;
};

TEST(SimJudgeConformance, ReproducesEveryGoldenRowOfTheDoc) {
  if (!std::ifstream(kReferenceVocab)) GTEST_SKIP() << "no reference vocabulary at " << kReferenceVocab;
  auto vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(kReferenceVocab));
  ASSERT_EQ(vocab->size(), 684u);
  SimJudgeScorer judge(vocab);
  const SimConstants c;
  const std::string cactus_mods = "A cactus, highly detailed, octane render, cinematic lighting";
  const std::string farm =
      "Farm with windmill at dawn bathed in soft light, an oil painting, sharp focus, art nouveau";
  const JudgeGoldenRow rows[] = {
      {"A cactus", "A cactus", 0, 0, 0.5, 26.085321, 24.997753},
      {cactus_mods.c_str(), "A cactus", 0, 0, 1.0, 27.025837, 25.966874},
      {cactus_mods.c_str(), "A cactus", 0, 0, 0.5, 27.020964, 25.962001},
      {cactus_mods.c_str(), "A cactus", 0, 0, 0.0, 26.863260, 25.804297},
      {farm.c_str(), "Farm with windmill", 7, 3, 1.0, 26.318193, 25.250891},
      {farm.c_str(), "Farm with windmill", 7, 3, 0.5, 25.197590, 24.130287},
      {farm.c_str(), "Farm with windmill", 7, 3, 0.0, 24.962028, 23.894725},
  };
  for (const auto& r : rows) {
    const auto b = judge.explain(r.prompt, r.query, r.seed, r.taste, r.rho, c);
    // The doc prints 6 decimals.
    EXPECT_NEAR(b.deterministic, r.deterministic, 1e-6) << r.prompt << " rho " << r.rho;
    EXPECT_NEAR(b.score, r.score, 1e-6) << r.prompt << " rho " << r.rho;
    EXPECT_DOUBLE_EQ(judge.score_prompt(r.prompt, r.query, r.seed, r.taste, r.rho, c), b.score);
  }
  EXPECT_NEAR(sim::hz("sim-judge-v1|w|0|highly detailed"), -0.6054539771286592, 1e-12);
  EXPECT_NEAR(judge.weight("highly detailed", "A cactus", 0, 0.5, c), 1.4329, 1e-4);
  EXPECT_NEAR(judge.weight("octane render", "A cactus", 0, 0.5, c), -0.2514, 1e-4);
  EXPECT_NEAR(judge.weight("cinematic lighting", "A cactus", 0, 0.5, c), 0.7097, 1e-4);
}

TEST(SimJudgeScorer, AtRhoOneTheTasteIsTheOptimizedScorersBitForBit) {
  SimJudgeScorer judge(project_vocab());
  SimScorer sim(project_vocab());
  SimConstants c;
  const std::string q = "A lighthouse on a cliff";
  const std::vector<std::string> prompts = {
      q, q + ", highly detailed, octane render, cinematic lighting, bokeh, watercolor",
      "bokeh, art nouveau, oil painting", q + " at dusk, sharp focus, trending on artstation"};
  for (int64_t taste : {0, 1, 7}) {
    for (const auto& p : prompts) {
      const auto j = judge.explain(p, q, 3, taste, 1.0, c);
      const auto s = sim.explain(p, q, 3, taste, c);
      EXPECT_EQ(j.deterministic, s.deterministic) << p;
      EXPECT_EQ(j.aesthetic, s.aesthetic) << p;
      EXPECT_EQ(j.query_offset, s.query_offset) << p;  // q is shared at every rho
      EXPECT_EQ(j.matched, s.matched) << p;
      // The noise is the judge's own stream (section 1.2).
      EXPECT_NE(j.noise, s.noise) << p;
    }
    for (const auto& m : project_vocab()->phrases())
      ASSERT_EQ(judge.weight(m, q, taste, 1.0, c), sim.weight(m, q, taste, c)) << m;
  }
  // Without noise the whole score is the sim score, exactly.
  c.SD = 0;
  for (const auto& p : prompts)
    EXPECT_EQ(judge.score_prompt(p, q, 5, 2, 1.0, c), sim.score_prompt(p, q, 5, 2, c)) << p;
}

TEST(SimJudgeScorer, WeightsCorrelateWithTheOptimizedScorersAtRho) {
  SimJudgeScorer judge(project_vocab());
  const SimScorer& sim = judge.optimized();
  const SimConstants c;
  const std::vector<std::string> queries = {"A cactus", "Farm with windmill",
                                            "A red fox in the snow", "Portrait of an old sailor"};
  // 4 queries x 5 tastes x the vocabulary: about 15,000 weights.
  for (double rho : {-0.5, 0.0, 0.5, 0.9}) {
    std::vector<double> w, wj;
    for (int64_t taste = 0; taste < 5; ++taste)
      for (const auto& q : queries)
        for (const auto& m : project_vocab()->phrases()) {
          w.push_back(sim.weight(m, q, taste, c));
          wj.push_back(judge.weight(m, q, taste, rho, c));
        }
    ASSERT_GT(w.size(), 10000u);
    EXPECT_NEAR(pearson(w, wj), rho, 0.05) << "rho " << rho;
    // The judge's weights keep sim-v1's mean MU and sd 1 at every rho.
    double mean = 0, sq = 0;
    for (double x : wj) mean += x / wj.size();
    for (double x : wj) sq += (x - mean) * (x - mean) / wj.size();
    EXPECT_NEAR(mean, c.MU, 0.05) << "rho " << rho;
    EXPECT_NEAR(std::sqrt(sq), 1.0, 0.05) << "rho " << rho;
  }
}

TEST(SimJudgeScorer, ScoreReadsRhoTasteAndConstantsFromOptions) {
  SimJudgeScorer judge(project_vocab());
  Image img;
  img.prompt = "A cactus, oil painting, bokeh";
  img.seed = 11;
  schemas::RenderParams params;
  params.options = {{"sim.taste_seed", "4"}, {"sim.judge_rho", "0.25"}, {"sim.SD", "0"}};
  SimConstants c;
  c.SD = 0;
  const auto s = judge.score({img, img}, {"A cactus", "A dog"}, params);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0], judge.score_prompt(img.prompt, "A cactus", 11, 4, 0.25, c));
  EXPECT_DOUBLE_EQ(s[1], judge.score_prompt(img.prompt, "A dog", 11, 4, 0.25, c));
  // Default rho is 0.5.
  params.options.erase("sim.judge_rho");
  EXPECT_DOUBLE_EQ(judge.score({img}, {"A cactus"}, params)[0],
                   judge.score_prompt(img.prompt, "A cactus", 11, 4, 0.5, c));
}

TEST(SimJudgeScorer, BadRhoIsRefusedNamingTheOptionAndValue) {
  SimJudgeScorer judge(project_vocab());
  Image img;
  schemas::RenderParams params;
  for (const char* bad : {"1.5", "-1.01", "abc", "", "nan", "inf"}) {
    params.options = {{"sim.judge_rho", bad}};
    try {
      judge.score({img}, {"x"}, params);
      ADD_FAILURE() << "rho \"" << bad << "\" accepted";
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("sim.judge_rho"), std::string::npos) << what;
      EXPECT_NE(what.find(std::string("\"") + bad + "\""), std::string::npos) << what;
    }
  }
  for (const char* edge : {"-1", "1", "0"}) {
    params.options = {{"sim.judge_rho", edge}};
    EXPECT_EQ(judge.score({img}, {"x"}, params).size(), 1u) << edge;
  }
  try {
    judge.weight("bokeh", "A cactus", 0, 2.0, SimConstants{});
    ADD_FAILURE() << "rho 2 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sim.judge_rho"), std::string::npos) << e.what();
  }
  EXPECT_THROW(judge.score({img}, {}, params), std::runtime_error);
}

TEST(SimJudgeScorer, NamesItselfAndTheOptionsItReads) {
  SimJudgeScorer judge(std::make_shared<const sim::Vocabulary>(
      sim::Vocabulary::from_phrases({"highly detailed", "oil painting"})));
  EXPECT_EQ(judge.name(), "sim-judge");
  EXPECT_EQ(judge.identity(), "sim-judge-v1;vocab=94a94a6ec8e970fd");
  const auto names = judge.option_names();
  auto has = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  EXPECT_TRUE(has("sim.judge_rho"));
  EXPECT_TRUE(has("sim.taste_seed"));
  EXPECT_TRUE(has("sim.SD"));
  EXPECT_FALSE(has("sim.fault"));
}

// The figure of docs/sim-v1.md section 1.2: with the quickstart's settings
// (taste 0, the project vocabulary, the synthetic professional database of
// seed 0 over every query, default constants and rho), how far sim and judge
// agree on vocabulary-rich prompts, 8 image seeds each.
TEST(SimJudgeCalibration, QuickstartSettingsCorrelationOfSimAndJudge) {
  SimJudgeScorer judge(project_vocab());
  const SimScorer& sim = judge.optimized();
  const SimConstants c;
  const auto queries = load_queries(default_queries_path());
  const auto db = ProfessionalDb::synthetic(queries, *project_vocab(), 0);
  auto correlations = [&](double rho) {
    std::vector<double> s, j, ds, dj;  // scores; deterministic parts less each query's mean
    for (const auto& q : queries) {
      const auto& rows = db.rows_for(q);
      std::vector<double> qs, qj;
      for (const auto& p : rows) {
        for (int64_t seed = 0; seed < 8; ++seed) {
          s.push_back(sim.score_prompt(p, q, seed, 0, c));
          j.push_back(judge.score_prompt(p, q, seed, 0, rho, c));
        }
        qs.push_back(sim.explain(p, q, 0, 0, c).deterministic);
        qj.push_back(judge.explain(p, q, 0, 0, rho, c).deterministic);
      }
      double ms = 0, mj = 0;
      for (std::size_t i = 0; i < qs.size(); ++i) ms += qs[i] / qs.size(), mj += qj[i] / qj.size();
      for (std::size_t i = 0; i < qs.size(); ++i) ds.push_back(qs[i] - ms), dj.push_back(qj[i] - mj);
    }
    return std::pair<double, double>(pearson(s, j), pearson(ds, dj));
  };
  struct Figure {
    double rho, scores, within;
  };
  // The table of section 1.2, 3 decimals.
  for (const Figure& f : {Figure{0.0, 0.594, 0.595}, Figure{0.5, 0.707, 0.790},
                          Figure{1.0, 0.830, 1.000}}) {
    const auto [scores, within] = correlations(f.rho);
    EXPECT_NEAR(scores, f.scores, 1e-3) << "rho " << f.rho;
    EXPECT_NEAR(within, f.within, 1e-3) << "rho " << f.rho;
  }
}

}  // namespace
}  // namespace bigpe
