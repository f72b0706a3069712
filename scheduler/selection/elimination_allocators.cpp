// Successive halving and successive rejects (Audibert, Bubeck and Munos
// 2010; ProTeGi's best-arm identification) as arm allocators. Scores
// persist across steps, so a phase does not give every survivor the same
// number of new cells: it raises the least-sampled survivors (new children)
// towards the others, and an incumbent with many cells is not re-rendered
// just to be compared.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "scheduler/selection/arm_allocator.h"

namespace bigpe::engine {
namespace {

// Keeps the best `count` of `arms` by estimate (order of rank).
std::vector<std::size_t> best_of(const ArmPanel& panel, const std::vector<std::size_t>& arms,
                                 std::size_t count) {
  std::vector<std::size_t> out;
  for (std::size_t a : ranked_arms(panel))
    if (std::find(arms.begin(), arms.end(), a) != arms.end()) out.push_back(a);
  if (out.size() > count) out.resize(count);
  return out;
}

class SuccessiveHalving : public ArmAllocator {
 public:
  std::vector<std::size_t> run_round(ArmPanel& panel, int keep, SeededRng&) override {
    std::vector<std::size_t> alive(panel.size());
    std::iota(alive.begin(), alive.end(), 0);
    const std::size_t k = static_cast<std::size_t>(keep);
    const int phases =
        alive.size() > k ? static_cast<int>(std::ceil(std::log2(static_cast<double>(alive.size()) / k))) : 1;
    for (int p = 0; p < phases; ++p) {
      fill_up(panel, alive, std::numeric_limits<int>::max(), panel.budget_left() / (phases - p));
      const std::size_t half = (alive.size() + 1) / 2;
      alive = best_of(panel, alive, std::max(k, half));
    }
    return best_of(panel, alive, k);
  }
  std::string name() const override { return "successive-halving"; }
};

class SuccessiveRejects : public ArmAllocator {
 public:
  std::vector<std::size_t> run_round(ArmPanel& panel, int keep, SeededRng&) override {
    std::vector<std::size_t> alive(panel.size());
    std::iota(alive.begin(), alive.end(), 0);
    const std::size_t k = static_cast<std::size_t>(keep);
    const long budget = panel.budget_left();
    const std::size_t arms = alive.size();
    if (arms <= k) {
      fill_up(panel, alive, std::numeric_limits<int>::max(), budget);
      return best_of(panel, alive, k);
    }
    // Phase j (1-based) brings each survivor to n_j new cells:
    // n_j = ceil((B - K) / (logbar(K) (K + 1 - j))), logbar(K) = 1/2 + sum_{i=2}^{K} 1/i,
    // with K counting the arms that compete for the kept places.
    const std::size_t K = arms - k + 1;
    double logbar = 0.5;
    for (std::size_t i = 2; i <= K; ++i) logbar += 1.0 / static_cast<double>(i);
    double previous = 0;
    for (std::size_t j = 1; alive.size() > k; ++j) {
      const double n_j = std::ceil(static_cast<double>(std::max<long>(budget - static_cast<long>(K), 0)) /
                                   (logbar * static_cast<double>(K + 1 - j)));
      const bool last = alive.size() == k + 1;
      const long phase = last ? panel.budget_left()
                              : static_cast<long>((n_j - previous) * static_cast<double>(alive.size()));
      fill_up(panel, alive, std::numeric_limits<int>::max(), phase);
      previous = n_j;
      alive = best_of(panel, alive, alive.size() - 1);
    }
    return alive;
  }
  std::string name() const override { return "successive-rejects"; }
};

}  // namespace

std::unique_ptr<ArmAllocator> make_elimination_allocator(const AllocatorSettings& s) {
  if (s.kind == "successive-halving") return std::make_unique<SuccessiveHalving>();
  if (s.kind == "successive-rejects") return std::make_unique<SuccessiveRejects>();
  return nullptr;
}

}  // namespace bigpe::engine
