// ucb, greedy and eps-greedy as arm allocators: every arm first gets
// min_cells cells (so no estimate rests on one image), then each pull of
// `chunk` cells goes to the arm the rule names, until the round's renders
// are spent. Survivors: the best `keep` by paired estimate.
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "scheduler/selection/arm_allocator.h"

namespace bigpe::engine {
namespace {

class PullingAllocator : public ArmAllocator {
 public:
  explicit PullingAllocator(AllocatorSettings s) : s_(std::move(s)) {}

  std::vector<std::size_t> run_round(ArmPanel& panel, int keep, SeededRng& rng) override {
    std::vector<std::size_t> all(panel.size());
    std::iota(all.begin(), all.end(), 0);
    fill_up(panel, all, s_.min_cells, panel.budget_left());
    while (panel.budget_left() > 0 && !all.empty()) panel.pull({{choose(panel, rng), s_.chunk}});
    std::vector<std::size_t> kept = ranked_arms(panel);
    if (kept.size() > static_cast<std::size_t>(keep)) kept.resize(static_cast<std::size_t>(keep));
    return kept;
  }
  std::string name() const override { return s_.kind; }

 private:
  std::size_t best_by(const ArmPanel& panel, double c) const {
    double total = 0;
    for (std::size_t a = 0; a < panel.size(); ++a) total += panel.cells(a);
    std::size_t best = 0;
    double best_index = -std::numeric_limits<double>::infinity();
    for (std::size_t a = 0; a < panel.size(); ++a) {
      const double n = panel.cells(a);
      // An unrendered arm is pulled first (only reachable when the
      // budget ran out during the initial fill).
      const double index = n == 0 ? std::numeric_limits<double>::infinity()
                                  : panel.estimate(a) + c * std::sqrt(std::log(std::max(total, 1.0)) / n);
      if (index > best_index) {
        best_index = index;
        best = a;
      }
    }
    return best;
  }

  std::size_t choose(const ArmPanel& panel, SeededRng& rng) const {
    if (s_.kind == "ucb") return best_by(panel, s_.c);
    if (s_.kind == "eps-greedy" && rng.chance(s_.epsilon))
      return static_cast<std::size_t>(rng.below(static_cast<int64_t>(panel.size())));
    return best_by(panel, 0.0);
  }

  AllocatorSettings s_;
};

}  // namespace

std::unique_ptr<ArmAllocator> make_elimination_allocator(const AllocatorSettings& s);

std::unique_ptr<ArmAllocator> make_allocator(const AllocatorSettings& s) {
  if (s.kind == "ucb" || s.kind == "greedy" || s.kind == "eps-greedy")
    return std::make_unique<PullingAllocator>(s);
  if (auto a = make_elimination_allocator(s)) return a;
  throw std::invalid_argument("selector.kind: '" + s.kind +
                              "' cannot allocate renders in the budget loop (expected ucb, greedy, "
                              "eps-greedy, successive-halving or successive-rejects)");
}

}  // namespace bigpe::engine
