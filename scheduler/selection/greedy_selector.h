#pragma once
// Greedy: keep the top `keep` by this iteration's batch score.
// Eps-greedy: for each slot, with probability epsilon a uniformly random
// remaining candidate, otherwise the best remaining by batch score.
#include "scheduler/selection/selector.h"

namespace bigpe::engine {

class GreedySelector : public Selector {
 public:
  std::vector<int> select(const std::vector<Candidate>& candidates, int keep, int iteration,
                          HistoryTable& history, SeededRng& rng) override;
  std::string name() const override { return "greedy"; }
};

class EpsGreedySelector : public Selector {
 public:
  explicit EpsGreedySelector(double epsilon) : epsilon_(epsilon) {}
  std::vector<int> select(const std::vector<Candidate>& candidates, int keep, int iteration,
                          HistoryTable& history, SeededRng& rng) override;
  std::string name() const override { return "eps-greedy"; }

 private:
  double epsilon_;
};

}  // namespace bigpe::engine
