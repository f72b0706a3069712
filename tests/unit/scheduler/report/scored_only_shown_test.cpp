// Items only scored (stored images, new scorers; experiment_state.h
// renders_scored) are shown beside renders done and cached, and only when
// there are any, so a run without reads exactly as before: the progress
// line, report.json and report.md.
#include <gtest/gtest.h>

#include "common/json_strict.h"
#include "scheduler/report/progress_line.h"
#include "scheduler/report/report.h"
#include "scheduler/report/scored_only_text.h"

namespace bigpe::engine {
namespace {

ExperimentState one_iteration(long scored) {
  ExperimentState s;
  s.next_iteration = 1;
  s.renders_done = 24;
  s.renders_cached = 3;
  s.renders_scored = scored;
  IterationSummary it;
  it.renders_done = 24;
  it.renders_cached = 3;
  it.renders_scored = scored;
  s.summaries.push_back(it);
  return s;
}

TEST(ScoredOnlyShown, TheTextIsEmptyForNone) {
  EXPECT_EQ(scored_only_text(0), "");
  EXPECT_EQ(scored_only_text(640), ", 640 scored only");
  EXPECT_EQ(scored_only_text(5, " "), " 5 scored only");
}

TEST(ScoredOnlyShown, InTheProgressLine) {
  const auto start = ProgressLine::Clock::now();
  ProgressLine progress(10, ExperimentState{}, 0, start);
  EXPECT_NE(progress.line(one_iteration(0), start).find("renders 24 done 3 cached  llm"), std::string::npos);
  EXPECT_NE(progress.line(one_iteration(5), start).find("renders 24 done 3 cached 5 scored only  llm"),
            std::string::npos)
      << progress.line(one_iteration(5), start);
}

TEST(ScoredOnlyShown, InReportJsonAndMarkdown) {
  ExperimentSettings settings;
  for (long scored : {0L, 5L}) {
    const ExperimentState state = one_iteration(scored);
    ReportInput in{"exp", "hash", &settings, &state};
    const nlohmann::ordered_json renders = json::parse_strict(report_json(in)).at("renders");
    EXPECT_EQ(renders.at("done").get<long>(), 24);
    EXPECT_EQ(renders.contains("scored"), scored != 0) << renders.dump();
    if (scored) EXPECT_EQ(renders.at("scored").get<long>(), 5);
    const std::string md = report_markdown(in);
    EXPECT_NE(md.find(scored ? "- renders: 24 done, 3 cached, 5 scored only\n" : "- renders: 24 done, 3 cached\n"),
              std::string::npos)
        << md;
    EXPECT_EQ(md.find("| scored only |") != std::string::npos, scored != 0) << md;
  }
}

}  // namespace
}  // namespace bigpe::engine
