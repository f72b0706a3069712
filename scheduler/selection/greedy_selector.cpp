#include "scheduler/selection/greedy_selector.h"

#include <algorithm>
#include <numeric>


namespace bigpe::engine {
namespace {

// Index of the best remaining candidate by batch score; ties keep pool order.
std::size_t best_position(const std::vector<Candidate>& candidates, const std::vector<int>& remaining) {
  std::size_t best = 0;
  for (std::size_t pos = 1; pos < remaining.size(); ++pos)
    if (candidates[remaining[pos]].batch_score > candidates[remaining[best]].batch_score) best = pos;
  return best;
}

}  // namespace

std::vector<int> GreedySelector::select(const std::vector<Candidate>& candidates, int keep, int,
                                        HistoryTable&, SeededRng&) {
  std::vector<int> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return candidates[a].batch_score > candidates[b].batch_score;
  });
  if (static_cast<int>(order.size()) > keep) order.resize(keep);
  return order;
}

std::vector<int> EpsGreedySelector::select(const std::vector<Candidate>& candidates, int keep, int,
                                           HistoryTable&, SeededRng& rng) {
  std::vector<int> remaining(candidates.size());
  std::iota(remaining.begin(), remaining.end(), 0);
  std::vector<int> chosen;
  for (int slot = 0; slot < keep && !remaining.empty(); ++slot) {
    std::size_t pos = rng.chance(epsilon_)
                          ? static_cast<std::size_t>(rng.below(static_cast<int64_t>(remaining.size())))
                          : best_position(candidates, remaining);
    chosen.push_back(remaining[pos]);
    remaining.erase(remaining.begin() + static_cast<long>(pos));
  }
  return chosen;
}

}  // namespace bigpe::engine
