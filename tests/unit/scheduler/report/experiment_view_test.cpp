// An experiment's progress and ETA (experiment_view.h): iterations done of
// planned, or of a render budget the renders spent, whichever is further,
// so a budget run (which plans far more iterations than it reaches) does not
// sit at 0% until it ends.
#include <gtest/gtest.h>

#include "scheduler/report/experiment_view.h"

namespace bigpe::engine {
namespace {

ExperimentView training(int done, int planned, long budget = 0, long spent = 0) {
  ExperimentView v;
  v.phase = "training";
  v.iterations_done = done;
  v.iterations = planned;
  v.render_budget = budget;
  v.renders_spent = spent;
  return v;
}

TEST(ExperimentView, ProgressIsIterationsOrTheRenderBudgetWhicheverIsFurther) {
  EXPECT_DOUBLE_EQ(training(3, 10).progress(), 0.3);
  EXPECT_DOUBLE_EQ(training(0, 0).progress(), 0.0);
  EXPECT_DOUBLE_EQ(training(9, 100000, 270, 135).progress(), 0.5);
  EXPECT_DOUBLE_EQ(training(8, 10, 1000, 100).progress(), 0.8);
  EXPECT_DOUBLE_EQ(training(9, 100000, 270, 290).progress(), 1.0);  // a round may overshoot the budget
  ExperimentView v = training(9, 100000, 270, 200);
  v.phase = "evaluation";
  EXPECT_DOUBLE_EQ(v.progress(), 1.0);
}

TEST(ExperimentView, EtaIsTheRemainingIterationsOrTheRemainingBudgetAtTheLastPace) {
  ExperimentView v = training(4, 10);
  EXPECT_LT(v.eta_seconds(), 0.0);  // no pace yet
  v.seconds_per_iteration = 2.0;
  EXPECT_DOUBLE_EQ(v.eta_seconds(), 12.0);
  ExperimentView b = training(9, 100000, 270, 170);
  b.seconds_per_iteration = 2.0;
  b.rate = 10.0;  // renders per second
  EXPECT_DOUBLE_EQ(b.eta_seconds(), 10.0);
  b.phase = "done";
  EXPECT_DOUBLE_EQ(b.eta_seconds(), 0.0);
}

}  // namespace
}  // namespace bigpe::engine
