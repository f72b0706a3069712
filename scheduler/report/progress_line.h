#pragma once
// The one-line progress report printed after each iteration:
//   iter 3/10  best 27.412  mean 26.903  pool 4  renders 81 done 12 cached
//   elapsed 6.2s  eta 14.5s
// The ETA extrapolates from the iterations run in this process (a resumed
// run does not count the time before it was interrupted) and includes the
// held-out evaluation still to come, priced at this process's time per
// render so far (in the quickstart it is 640 of the 880 renders).
#include <chrono>
#include <string>

#include "scheduler/experiment/experiment_state.h"

namespace bigpe::engine {

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;
  // `evaluation_renders`: renders of the evaluation that follows the loop
  // (0 when it is off or already stored).
  ProgressLine(int iterations, const ExperimentState& at_start, long evaluation_renders,
               Clock::time_point start = Clock::now())
      : iterations_(iterations),
        first_(at_start.next_iteration),
        renders_at_start_(at_start.renders_done),
        evaluation_renders_(evaluation_renders),
        start_(start) {}
  std::string line(const ExperimentState& state, Clock::time_point now = Clock::now()) const;
  // Seconds the evaluation should take at this process's time per render
  // (0 before any render was done here).
  double evaluation_eta(const ExperimentState& state, Clock::time_point now = Clock::now()) const;

 private:
  int iterations_;
  int first_;
  long renders_at_start_;
  long evaluation_renders_;
  Clock::time_point start_;
};

}  // namespace bigpe::engine
