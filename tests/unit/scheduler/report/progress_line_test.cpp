// The progress line's ETA covers the held-out evaluation still to come, not
// only the iterations: after the last iteration of the quickstart 640 of its
// 880 renders are still ahead, and the ETA used to say 0.0 s.
#include <gtest/gtest.h>

#include "scheduler/report/progress_line.h"

namespace bigpe::engine {
namespace {

using namespace std::chrono_literals;

ExperimentState after_iterations(int done, long renders) {
  ExperimentState s;
  s.next_iteration = done;
  s.renders_done = renders;
  IterationSummary it;
  it.iteration = done - 1;
  s.summaries.push_back(it);
  return s;
}

TEST(ProgressLine, EtaAfterTheLastIterationIsTheEvaluationsRenders) {
  const auto start = ProgressLine::Clock::now();
  ProgressLine progress(10, ExperimentState{}, 640, start);
  // 240 renders in 12 s: 50 ms each, so 640 more take 32 s.
  const ExperimentState done = after_iterations(10, 240);
  EXPECT_NE(progress.line(done, start + 12s).find("eta 32.0s"), std::string::npos) << progress.line(done, start + 12s);
  EXPECT_DOUBLE_EQ(progress.evaluation_eta(done, start + 12s), 32.0);
}

TEST(ProgressLine, EtaMidwayAddsTheIterationsLeftAndTheEvaluation) {
  const auto start = ProgressLine::Clock::now();
  ProgressLine progress(10, ExperimentState{}, 640, start);
  // 5 iterations in 6 s (1.2 s each, 5 left: 6 s) and 120 renders (50 ms
  // each: 32 s for the evaluation).
  const std::string line = progress.line(after_iterations(5, 120), start + 6s);
  EXPECT_NE(line.find("eta 38.0s"), std::string::npos) << line;
}

TEST(ProgressLine, WithoutAnEvaluationOnlyIterationsCount) {
  const auto start = ProgressLine::Clock::now();
  ProgressLine progress(10, ExperimentState{}, 0, start);
  EXPECT_NE(progress.line(after_iterations(10, 240), start + 12s).find("eta 0.0s"), std::string::npos);
}

TEST(ProgressLine, AResumedRunPricesOnlyTheRendersOfThisProcess) {
  const auto start = ProgressLine::Clock::now();
  // Resumed at iteration 8 with 192 renders already done before.
  ProgressLine progress(10, after_iterations(8, 192), 640, start);
  // 48 renders here in 2.4 s: 50 ms each.
  EXPECT_DOUBLE_EQ(progress.evaluation_eta(after_iterations(10, 240), start + 2400ms), 32.0);
}

}  // namespace
}  // namespace bigpe::engine
