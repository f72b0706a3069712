#pragma once
// What the bandit knows about one instruction: every per-query score it has
// received, over all iterations, and the paper's consideration counter.
// Keyed by instruction text (as the paper's code keys its history), so an
// instruction pruned and later regenerated keeps its record.
#include <map>
#include <numeric>
#include <string>
#include <vector>

namespace bigpe::engine {

struct ArmHistory {
  std::vector<double> scores;  // all per-query scores, oldest first
  long considered = 1;         // ucb-paper: starts at 1, +1 per bonus computed
  long pulls = 0;              // iterations in which the arm was rendered

  double mean() const {
    return scores.empty() ? 0.0
                          : std::accumulate(scores.begin(), scores.end(), 0.0) /
                                static_cast<double>(scores.size());
  }
};

using HistoryTable = std::map<std::string, ArmHistory>;

}  // namespace bigpe::engine
