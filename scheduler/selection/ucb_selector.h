#pragma once
// Textbook UCB over per-query scores: index = mean(h) + c*sqrt(ln(1 + N)/n),
// with n = the arm's per-query score count and N the total over all arms.
// Counts are pulls (scores received), not considerations.
#include "scheduler/selection/selector.h"

namespace bigpe::engine {

class UcbSelector : public Selector {
 public:
  explicit UcbSelector(double c) : c_(c) {}
  std::vector<int> select(const std::vector<Candidate>& candidates, int keep, int iteration,
                          HistoryTable& history, SeededRng& rng) override;
  std::string name() const override { return "ucb"; }

 private:
  double c_;
};

}  // namespace bigpe::engine
