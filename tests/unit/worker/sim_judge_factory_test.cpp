// A worker can score with the sim-v1 judge (docs/sim-v1.md section 1.2):
// the factory builds it by name with the sim vocabulary, `bigpe worker
// --scorer` reaches the factory, and a task carrying sim.judge_rho is
// scored, not refused as an unknown option.
#include <string>

#include <gtest/gtest.h>

#include "backends/backend_identity.h"
#include "backends/sim/sim_judge_scorer.h"
#include "backends/sim/sim_vocabulary.h"
#include "schemas/render_task.h"
#include "tests/models/support/model_test_support.h"
#include "worker/backend_factory.h"
#include "worker/task_executor.h"

namespace bigpe {
namespace {

TEST(SimJudgeFactory, BuildsTheJudgeByNameWithTheSimVocabulary) {
  BackendSettings s;
  s.scorer = "sim-judge";
  auto scorer = make_scorer(s);
  EXPECT_EQ(scorer->name(), "sim-judge");
  const sim::Vocabulary vocab = sim::Vocabulary::load(sim::default_vocabulary_path());
  EXPECT_EQ(scorer->identity(), "sim-judge-v1;vocab=" + sim::vocabulary_hash(vocab));
  s.scorer = "sim-judg";
  try {
    make_scorer(s);
    ADD_FAILURE() << "unknown scorer accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown scorer 'sim-judg' (this build has: sim, sim-judge, hpsv2, pickscore, aesthetic)"),
              std::string::npos)
        << e.what();
  }
}

TEST(SimJudgeFactory, AWorkerWithTheJudgeScoresTasksThatCarryItsRho) {
  BackendSettings s;
  s.scorer = "sim-judge";
  auto renderer = make_renderer(s);
  auto scorer = make_scorer(s);
  TaskExecutor executor("w", *renderer, *scorer, nullptr, nullptr);
  auto task = [&](const std::string& rho) {
    schemas::RenderTask r;
    r.service = "sim";
    r.identity = backend_identity(*renderer, *scorer);
    r.params.options = {{"sim.taste_seed", "2"}, {"sim.judge_rho", rho}};
    r.items.push_back({"a lamp, golden hour", "a lamp", 3, "k1"});
    return schemas::Task{"t", 1, "exp", schemas::encode(r)};
  };
  TaskExecutor::Outcome ok = executor.run({task("0.3")}).at(0);
  EXPECT_EQ(ok.reply.error, "");
  EXPECT_EQ(ok.renders, 1);
  TaskExecutor::Outcome bad = executor.run({task("3")}).at(0);
  EXPECT_NE(bad.reply.error.find("sim.judge_rho"), std::string::npos) << bad.reply.error;
}

TEST(SimJudgeFactory, TheWorkerCommandPassesItsScorerToTheFactory) {
  std::string out;
  const std::string cmd = std::string(BIGPE_EXE) +
                          " worker --service s --scorer sim-judg --broker tcp://127.0.0.1:1 --no-persist";
  EXPECT_EQ(models::testing::run_shell(cmd, &out), 2) << out;
  EXPECT_NE(out.find("unknown scorer 'sim-judg' (this build has: sim, sim-judge, hpsv2, pickscore, aesthetic)"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace bigpe
