#pragma once
// UCB exactly as the paper's code runs it: for slot i = 0..keep-1,
//   argmax_x mean(h_x) + c*sqrt(ln(t + i) / n_x),   t = 1 + iteration*keep,
// where n_x starts at 1 and is incremented right after each bonus is
// computed, i.e. every time x is *considered*, chosen or not (the quirk).
#include "scheduler/selection/selector.h"

namespace bigpe::engine {

class UcbPaperSelector : public Selector {
 public:
  explicit UcbPaperSelector(double c) : c_(c) {}
  std::vector<int> select(const std::vector<Candidate>& candidates, int keep, int iteration,
                          HistoryTable& history, SeededRng& rng) override;
  std::string name() const override { return "ucb-paper"; }

 private:
  double c_;
};

}  // namespace bigpe::engine
