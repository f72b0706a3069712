// The in-process render service with sim and sim-judge (what `bench
// optimizer --judge-rho` runs on): every outcome carries both scores, the
// optimized one is sim's exactly as without the judge, the judge's is
// SimJudgeScorer's at the task's rho; and sim.judge_rho reaches the
// workers' task options only when sim-judge is a scorer, so other runs keep
// their cache keys.
#include <gtest/gtest.h>

#include "backends/sim/sim_judge_scorer.h"
#include "backends/sim/sim_vocabulary.h"
#include "common/config.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/render/in_process_render_service.h"
#include "scheduler/run/experiment_wiring.h"

namespace bigpe::engine {
namespace {

std::shared_ptr<const sim::Vocabulary> vocab() {
  static auto v = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(sim::default_vocabulary_path()));
  return v;
}

schemas::RenderParams params_with(const std::string& rho) {
  schemas::RenderParams p;
  p.options["sim.taste_seed"] = "3";
  if (!rho.empty()) p.options["sim.judge_rho"] = rho;
  return p;
}

const std::vector<RenderJob> kJobs = {{"a cactus, highly detailed", "a cactus", 7},
                                      {"a cactus, oil painting", "a cactus", 8}};

TEST(InProcessJudge, BothScoresAndTheOptimizedOneUnchanged) {
  InProcessRenderService plain(vocab(), params_with(""));
  InProcessRenderService judged(vocab(), params_with("0.25"), {"sim", "sim-judge"}, parse_score_target("sim"));
  const std::vector<RenderOutcome> a = plain.run(kJobs);
  const std::vector<RenderOutcome> b = judged.run(kJobs);
  SimJudgeScorer judge(vocab());
  for (std::size_t i = 0; i < kJobs.size(); ++i) {
    EXPECT_TRUE(a[i].scores.empty());
    EXPECT_EQ(b[i].score, a[i].score);
    EXPECT_EQ(b[i].scores.at("sim"), a[i].score);
    EXPECT_EQ(b[i].scores.at("sim-judge"),
              judge.score_prompt(kJobs[i].prompt, kJobs[i].score_text, kJobs[i].seed, 3, 0.25, SimConstants{}));
    EXPECT_NE(b[i].scores.at("sim-judge"), b[i].score);
  }
  // A repeat is cached with its scores.
  const std::vector<RenderOutcome> again = judged.run(kJobs);
  EXPECT_TRUE(again[0].cached);
  EXPECT_EQ(again[0].scores, b[0].scores);
  EXPECT_EQ(judged.renders_done(), 2);
}

TEST(InProcessJudge, OptimizingTheJudgeGivesItsScore) {
  InProcessRenderService judged(vocab(), params_with(""), {"sim", "sim-judge"}, parse_score_target("sim-judge"));
  const RenderOutcome o = judged.run({kJobs[0]})[0];
  EXPECT_EQ(o.score, o.scores.at("sim-judge"));
}

TEST(InProcessJudge, RefusesAnUnknownScorerAndABadRho) {
  try {
    InProcessRenderService bad(vocab(), params_with(""), {"sim", "hpsv2"});
    FAIL() << "hpsv2 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'hpsv2'"), std::string::npos) << e.what();
  }
  try {
    InProcessRenderService bad(vocab(), params_with("1.5"), {"sim", "sim-judge"});
    FAIL() << "rho 1.5 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sim.judge_rho"), std::string::npos) << e.what();
  }
}

ExperimentSettings settings(const std::vector<std::string>& overrides) {
  return settings_from(Config::parse("", "test", experiment_schema(), overrides));
}

TEST(InProcessJudge, JudgeRhoReachesTaskOptionsOnlyWithTheJudge) {
  EXPECT_EQ(dispatch_settings(settings({}), "e", "id").params.options.count("sim.judge_rho"), 0u);
  EXPECT_EQ(dispatch_settings(settings({"sim.judge_rho=0.25"}), "e", "id").params.options.count("sim.judge_rho"), 0u);
  const std::vector<std::string> judged = {"score.scorers=sim,sim-judge", "score.judges=sim-judge"};
  EXPECT_EQ(dispatch_settings(settings(judged), "e", "id").params.options.at("sim.judge_rho"), "0.5");
  std::vector<std::string> quarter = judged;
  quarter.push_back("sim.judge_rho=0.25");
  EXPECT_EQ(dispatch_settings(settings(quarter), "e", "id").params.options.at("sim.judge_rho"), "0.25");
}

TEST(InProcessJudge, ConfigRefusesRhoOutsideMinusOneToOne) {
  try {
    settings({"sim.judge_rho=1.5"});
    FAIL() << "sim.judge_rho=1.5 accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("sim.judge_rho"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bigpe::engine
