#include "scheduler/selection/ucb_selector.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bigpe::engine {

std::vector<int> UcbSelector::select(const std::vector<Candidate>& candidates, int keep, int,
                                     HistoryTable& history, SeededRng&) {
  double total = 0;
  for (const auto& [text, h] : history) total += static_cast<double>(h.scores.size());
  std::vector<double> index(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const ArmHistory& h = history.at(candidates[i].text);
    double n = std::max<double>(1.0, static_cast<double>(h.scores.size()));
    index[i] = h.mean() + c_ * std::sqrt(std::log(1.0 + total) / n);
  }
  std::vector<int> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  // Stable: ties keep pool order, so the choice never depends on sort internals.
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return index[a] > index[b]; });
  if (static_cast<int>(order.size()) > keep) order.resize(keep);
  return order;
}

}  // namespace bigpe::engine
