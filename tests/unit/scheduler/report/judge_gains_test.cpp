// The campaign's judge table (judge_gains.h): per variant and judge, the
// gain on the optimized score, on the judge and their paired difference over
// the finished repeats that have that judge, with the share shown only
// where the optimized gain is there.
#include <gtest/gtest.h>

#include <filesystem>

#include "scheduler/report/judge_gains.h"
#include "tests/support/csv_reader.h"
#include "tests/support/test_paths.h"

namespace bigpe::engine {
namespace {

ExperimentSummary finished(const std::string& variant, int repeat, double gain, std::vector<JudgeSummary> judges) {
  ExperimentSummary s;
  s.member.variant = variant;
  s.member.repeat = repeat;
  s.member.experiment_id = variant + ".r" + std::to_string(repeat);
  s.status = "finished";
  s.evaluated = true;
  s.optimized_scorer = "sim";
  s.gain_over_baseline = gain;
  s.judges = std::move(judges);
  return s;
}

JudgeSummary judge(const std::string& name, double gain) { return {name, 0.0, gain, 0.0}; }

TEST(JudgeGains, RowsPairEachRepeatsGainOnTheJudgeWithItsGainOnTheOptimizedScore) {
  std::vector<ExperimentSummary> rows = {
      finished("ucb", 0, 1.0, {judge("sim-judge", 0.4), judge("pick", 0.9)}),
      finished("ucb", 1, 1.4, {judge("sim-judge", 0.8)}),
      finished("ucb", 2, 1.2, {judge("sim-judge", 0.5)}),
      finished("plain", 0, 0.5, {}),  // no judge: no row
  };
  ExperimentSummary running = finished("ucb", 3, 9.0, {judge("sim-judge", 9.0)});
  running.status = "running";  // not finished: not counted
  rows.push_back(running);

  const std::vector<JudgeGainRow> t = judge_gain_rows(rows);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].variant, "ucb");
  EXPECT_EQ(t[0].judge, "sim-judge");
  EXPECT_EQ(t[0].optimized_scorer, "sim");
  const RepeatInterval opt = repeat_interval({1.0, 1.4, 1.2}), jud = repeat_interval({0.4, 0.8, 0.5}),
                       diff = repeat_interval({0.4 - 1.0, 0.8 - 1.4, 0.5 - 1.2});
  EXPECT_DOUBLE_EQ(t[0].optimized_gain.mean, opt.mean);
  EXPECT_DOUBLE_EQ(t[0].judge_gain.low, jud.low);
  EXPECT_DOUBLE_EQ(t[0].difference.high, diff.high);
  EXPECT_EQ(t[0].judge_gain.n, 3);
  EXPECT_NEAR(t[0].share, jud.mean / opt.mean, 1e-12);
  // Only the repeat that has the judge counts for it.
  EXPECT_EQ(t[1].judge, "pick");
  EXPECT_EQ(t[1].judge_gain.n, 1);
  EXPECT_DOUBLE_EQ(t[1].optimized_gain.mean, 1.0);
  EXPECT_EQ(judge_names(rows), (std::vector<std::string>{"sim-judge", "pick"}));

  const std::string md = judge_table_markdown(t);
  std::string marked = format_repeat_interval(opt, 2, true);  // from 3 repeats: marked "*"
  ASSERT_EQ(marked.back(), '*');
  marked.insert(marked.size() - 1, "\\");  // Markdown would read "*" as emphasis
  EXPECT_NE(md.find("| ucb | sim | sim-judge | 3 | " + marked + " |"), std::string::npos) << md;
  const std::string text = judge_table_text(t);
  EXPECT_NE(text.find(format_repeat_interval(diff, 2, true)), std::string::npos) << text;
}

TEST(JudgeGains, ShareIsShownOnlyWhereTheOptimizedGainIsAboveZeroWithItsInterval) {
  // Gains around zero: a share would be a ratio of noise.
  const std::vector<ExperimentSummary> rows = {finished("a", 0, -0.1, {judge("j", 0.2)}),
                                               finished("a", 1, 0.2, {judge("j", 0.1)}),
                                               finished("b", 0, 1.0, {judge("j", 0.5)}),
                                               finished("b", 1, 1.1, {judge("j", 0.6)}),
                                               finished("b", 2, 1.2, {judge("j", 0.7)})};
  const std::vector<JudgeGainRow> t = judge_gain_rows(rows);
  ASSERT_EQ(t.size(), 2u);
  const std::string text = judge_table_text(t);
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 4u) << text;
  EXPECT_EQ(lines[2].substr(lines[2].size() - 2), " -") << text;
  EXPECT_EQ(lines[3].substr(lines[3].size() - 4), " 55%") << text;

  testing::TempDir dir("bigpe-judge-gains");
  write_judge_csv(dir.file("judges.csv"), t);
  const auto csv = testing::read_csv_rows(dir.file("judges.csv"));
  ASSERT_EQ(csv.size(), 2u);
  EXPECT_EQ(csv[0].at("share"), "");
  EXPECT_NEAR(std::stod(csv[1].at("share")), 0.6 / 1.1, 1e-12);
  EXPECT_NEAR(std::stod(csv[1].at("judge_minus_optimized_mean")), -0.5, 1e-12);
  EXPECT_EQ(csv[1].at("n"), "3");
}

TEST(JudgeGains, NoJudgesNoTable) {
  const std::vector<ExperimentSummary> rows = {finished("a", 0, 1.0, {})};
  EXPECT_TRUE(judge_gain_rows(rows).empty());
  EXPECT_EQ(judge_table_markdown({}), "");
  EXPECT_EQ(judge_table_text({}), "");
}

}  // namespace
}  // namespace bigpe::engine
