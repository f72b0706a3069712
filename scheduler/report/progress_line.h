#pragma once
// The one-line progress report printed after each iteration:
//   iter 3/10  best 27.412  mean 26.903  pool 4  renders 81 done 12 cached
//   elapsed 6.2s  eta 14.5s
// The ETA extrapolates from the iterations run in this process (a resumed
// run does not count the time before it was interrupted).
#include <chrono>
#include <string>

#include "scheduler/experiment/experiment_state.h"

namespace bigpe::engine {

class ProgressLine {
 public:
  ProgressLine(int iterations, int first_iteration)
      : iterations_(iterations), first_(first_iteration), start_(std::chrono::steady_clock::now()) {}
  std::string line(const ExperimentState& state) const;

 private:
  int iterations_;
  int first_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace bigpe::engine
