#include "scheduler/selection/arm_allocator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace bigpe::engine {

std::vector<std::size_t> ranked_arms(const ArmPanel& panel) {
  std::vector<std::size_t> order(panel.size());
  std::iota(order.begin(), order.end(), 0);
  // An arm never rendered has no estimate: it ranks after every rendered one.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const bool ra = panel.cells(a) > 0, rb = panel.cells(b) > 0;
    if (ra != rb) return ra;
    return ra && panel.estimate(a) > panel.estimate(b);
  });
  return order;
}

void fill_up(ArmPanel& panel, const std::vector<std::size_t>& arms, int target, long renders) {
  renders = std::min(renders, panel.budget_left());
  std::vector<int> planned;
  for (std::size_t a : arms) planned.push_back(panel.cells(a));
  std::vector<int> start = planned;
  for (long placed = 0; placed < renders; ++placed) {
    std::size_t low = arms.size();
    for (std::size_t i = 0; i < arms.size(); ++i)
      if (planned[i] < target && (low == arms.size() || planned[i] < planned[low])) low = i;
    if (low == arms.size()) break;
    ++planned[low];
  }
  std::vector<std::pair<std::size_t, int>> requests;
  for (std::size_t i = 0; i < arms.size(); ++i)
    if (planned[i] > start[i]) requests.push_back({arms[i], planned[i] - start[i]});
  if (!requests.empty()) panel.pull(requests);
}

AllocatorSettings allocator_settings(const SelectorSettings& selector, int min_cells, int chunk) {
  return AllocatorSettings{selector, min_cells, chunk};
}

}  // namespace bigpe::engine
