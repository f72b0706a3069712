// The score.* keys: the blend syntax, and every bad name or weight refused
// before the run starts with the key it is in; no score.* key: no problem.
#include <gtest/gtest.h>

#include "common/config.h"
#include "scheduler/experiment/experiment_checks.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/experiment/score_checks.h"
#include "scheduler/render/score_target.h"

namespace bigpe::engine {
namespace {

std::vector<std::string> problems_of(std::vector<std::string> overrides) {
  Config c = Config::parse("name: t\n", "t.yaml", experiment_schema(), overrides);
  std::vector<std::string> out;
  for (const SettingProblem& p : score_problems(settings_from(c))) out.push_back(describe_problem(c, p));
  return out;
}

TEST(ScoreTarget, ABlendIsAWeightedSumAsWritten) {
  ScoreTarget t = parse_score_target("sim:0.7, judge:0.3");
  ASSERT_EQ(t.terms.size(), 2u);
  EXPECT_DOUBLE_EQ(*t.value({{"sim", 10}, {"judge", 20}}), 13.0);
  EXPECT_DOUBLE_EQ(*parse_score_target("judge").value({{"sim", 10}, {"judge", 20}}), 20.0);
  EXPECT_FALSE(t.value({{"sim", 10}}).has_value());
  EXPECT_EQ(t.missing({{"sim", 10}}), "judge");
  EXPECT_TRUE(parse_score_target("").is_default());
  EXPECT_EQ(scores_of(25, {}, "sim"), (schemas::ScoreMap{{"sim", 25.0}})) << "a one-scorer worker's result";
  EXPECT_EQ(scorer_list("", "torchscript-sd"), std::vector<std::string>{"hpsv2"});
}

TEST(ScoreTarget, BadBlendsAreRefusedWithTheReason) {
  for (const char* bad : {"sim:0", "sim:-1", "sim:x", "sim:", "sim:1,sim:2", ":1", "sim,,judge", "../x", "sim:inf"})
    EXPECT_THROW(parse_score_target(bad), std::invalid_argument) << bad;
}

TEST(ScoreChecks, TheDefaultHasNoProblem) { EXPECT_TRUE(problems_of({}).empty()); }

TEST(ScoreChecks, EachBadKeyIsNamedWithWhereItWasSet) {
  auto one = [](std::vector<std::string> o) {
    auto p = problems_of(std::move(o));
    EXPECT_EQ(p.size(), 1u);
    return p.empty() ? std::string() : p.front();
  };
  std::string p = one({"score.optimize=hpsv2"});
  EXPECT_NE(p.find("key 'score.optimize': 'hpsv2' is not one of the workers' scorers (score.scorers: sim)"),
            std::string::npos)
      << p;
  p = one({"score.scorers=sim,judge", "score.optimize=sim:0.5,judge:-2"});
  EXPECT_NE(p.find("key 'score.optimize'"), std::string::npos) << p;
  EXPECT_NE(p.find("the weight of 'judge' must be a number above 0, got '-2'"), std::string::npos) << p;
  p = one({"score.scorers=sim,judge", "score.judges=judge,other"});
  EXPECT_NE(p.find("key 'score.judges': 'other' is not one of"), std::string::npos) << p;
  p = one({"score.scorers=sim,judge", "score.judges=sim"});
  EXPECT_NE(p.find("'sim' is optimized (score.optimize defaults to the first scorer)"), std::string::npos) << p;
  p = one({"score.scorers=sim,judge", "score.optimize=judge", "score.judges=judge"});
  EXPECT_NE(p.find("key 'score.judges': 'judge' is optimized (score.optimize)"), std::string::npos) << p;
  p = one({"score.scorers=sim,sim"});
  EXPECT_NE(p.find("key 'score.scorers': 'sim,sim': 'sim' is named twice"), std::string::npos) << p;
  EXPECT_TRUE(problems_of({"score.scorers=sim,judge", "score.optimize=sim:0.7,judge:0.3"}).empty());
  EXPECT_TRUE(problems_of({"score.scorers=sim,judge", "score.judges=judge"}).empty());
}

}  // namespace
}  // namespace bigpe::engine
