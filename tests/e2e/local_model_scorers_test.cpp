// "Optimize HPS v2, judge by PickScore" with local torchscript-sd workers
// and the tiny TorchScript models: score.model names both scorers' folders,
// each worker loads each scorer from the folder of its family, the report
// has the PickScore judge, and the HPS v2 scores it stored are under the
// keys a one-scorer HPS v2 worker uses (schemas/README.md 7.3), so such a
// run afterwards renders nothing. Bad folder lists are config errors
// naming the entry, before the run folder exists.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/json_strict.h"
#include "tests/models/support/model_test_support.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/redis_fixture.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::run_bigpe;

class LocalModelScorers : public RedisFixture {
 protected:
  void SetUp() override {
    std::string why;
    models = models::testing::tiny_models(&why);
    if (models.empty()) GTEST_SKIP() << "no tiny models: " << why;
    RedisFixture::SetUp();
  }
  // One iteration at the tiny models' speed: about a second.
  std::vector<std::string> run_args(const std::string& out, const std::string& score_model) {
    return {"run", "experiments/quickstart.yaml", "out=" + out, "iterations=1", "eval.seeds=1",
            "render.backend=torchscript-sd", "render.service=turbo", "render.model=" + models + "/sdxl-turbo",
            "score.model=" + score_model, "render.devices=cpu", "render.width=64", "render.height=64",
            "render.steps=1", "render.guidance=0", "redis=" + server().url()};
  }
  std::string models;
};

TEST_F(LocalModelScorers, OptimizeHpsv2JudgeByPickscoreAndAOneScorerRunFindsTheHpsv2Scores) {
  testing::TempDir dir("bigpe-local-scorers");
  std::vector<std::string> both = run_args(dir.file("both"), models + "/hpsv2," + models + "/pickscore");
  both.insert(both.end(), {"score.scorers=hpsv2,pickscore", "score.judges=pickscore"});
  Invocation judged = run_bigpe(both, dir.file("both.log"));
  ASSERT_EQ(judged.exit_code, 0) << judged.output;
  EXPECT_NE(judged.output.find("judge pickscore (held out, not optimized):"), std::string::npos) << judged.output;
  const nlohmann::ordered_json report = json::parse_strict(testing::read_text_file(dir.file("both/report.json")));
  const nlohmann::ordered_json& judge = report.at("eval").at("judges").at("pickscore");
  EXPECT_EQ(judge.at("optimized").at("n"), report.at("eval").at("optimized").at("n"));
  EXPECT_NE(judge.at("optimized").at("mean"), report.at("eval").at("optimized").at("mean"))
      << "the judge's scores are PickScore's, not HPS v2's";
  const long rendered = report.at("renders").at("done").get<long>();
  EXPECT_GT(rendered, 0);

  // The same run optimizing HPS v2 alone: its item keys are the HPS v2
  // score keys the two-scorer workers stored, so every item is cached.
  Invocation alone = run_bigpe(run_args(dir.file("alone"), models + "/hpsv2"), dir.file("alone.log"));
  ASSERT_EQ(alone.exit_code, 0) << alone.output;
  const nlohmann::ordered_json again = json::parse_strict(testing::read_text_file(dir.file("alone/report.json")));
  EXPECT_EQ(again.at("renders").at("done"), 0) << alone.output;
  EXPECT_EQ(again.at("renders").at("cached").get<long>(), rendered + report.at("renders").at("cached").get<long>());
  EXPECT_EQ(again.at("eval").at("optimized"), report.at("eval").at("optimized"));
}

TEST_F(LocalModelScorers, ScoreModelFoldersAreCheckedByEntryBeforeTheRun) {
  testing::TempDir dir("bigpe-local-scorers-bad");
  const std::string hps = models + "/hpsv2", pick = models + "/pickscore";
  struct Case {
    std::vector<std::string> set;
    std::string expected;
  };
  const Case cases[] = {
      {{"score.model=" + hps + ",," + pick},
       "key 'score.model': '" + hps + ",," + pick + "': entry 2 of 3 is empty"},
      {{"score.model=" + hps + "," + pick},
       "key 'score.model': score.model names 2 scorer folders: name their scorers in score.scorers"},
      {{"score.model=" + hps + "," + models + "/sdxl-turbo", "score.scorers=hpsv2"},
       "key 'score.model': " + models + "/sdxl-turbo holds a sdxl-turbo model; score.model needs scorer models"},
      {{"score.model=" + hps + "," + models + "/aesthetic", "score.scorers=hpsv2,pickscore"},
       "scorer pickscore (score.scorers) has no score.model folder of its family; the folders given are " + hps +
           " (hpsv2), " + models + "/aesthetic (aesthetic)"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = run_args(dir.file("run"), hps);
    args.insert(args.end(), c.set.begin(), c.set.end());
    Invocation r = run_bigpe(args, dir.file("run.log"));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir.file("run"))) << "refused before the run folder exists";
  }
}

}  // namespace
}  // namespace bigpe
