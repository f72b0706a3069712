#pragma once
// ArmAllocator: how the budget loop (budget_loop.h) spends one step's
// renders on the instructions it is comparing, and which of them survive.
// Unlike a paper-loop Selector, which only prunes a pool that was rendered
// in full, an allocator decides where every render goes, so the choice of
// rule changes what is measured (docs/sim-v1.md section 5.4).
//
// An arm's evidence is its per-cell scores: arm a has been rendered on
// cells 0..cells(a)-1 of one shared sequence of (query, seed, sample)
// cells, so any two arms are compared on the cells they share. The panel
// turns that into a paired estimate per arm (estimate()).
//
// Rules (selector.kind): ucb, greedy, eps-greedy pull `chunk` cells at a
// time after giving each arm `min_cells`; successive-halving and
// successive-rejects (Audibert et al. 2010, as in ProTeGi) raise the least
// sampled survivors' cells phase by phase and drop the worst. All
// randomness comes from the rng passed in. Not thread-safe.
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/seeded_rng.h"
#include "scheduler/selection/selector.h"

namespace bigpe::engine {

// The arms of one round and the renders left to spend on them.
class ArmPanel {
 public:
  virtual ~ArmPanel() = default;
  virtual std::size_t size() const = 0;
  // Cells the arm has been rendered on (in earlier steps too).
  virtual int cells(std::size_t arm) const = 0;
  // Paired estimate of the arm's mean score (comparable across arms).
  virtual double estimate(std::size_t arm) const = 0;
  // Renders this round may still spend (>= 0).
  virtual long budget_left() const = 0;
  // Renders each (arm, count) on its next `count` cells, all in one
  // submission; requests beyond budget_left() are cut, in order.
  virtual void pull(const std::vector<std::pair<std::size_t, int>>& requests) = 0;
};

// The selector's rule (kind, c in score points, epsilon) plus the budget
// loop's cell counts.
struct AllocatorSettings : SelectorSettings {
  int min_cells{};  // cells every arm gets before it is compared
  int chunk{};      // cells per pull
};

class ArmAllocator {
 public:
  virtual ~ArmAllocator() = default;
  // Spends the panel's budget by this rule and returns the arms to keep
  // (at most `keep`, at least one when the panel is not empty), best first
  // by estimate. REQUIRES: keep >= 1.
  virtual std::vector<std::size_t> run_round(ArmPanel& panel, int keep, SeededRng& rng) = 0;
  virtual std::string name() const = 0;
};

// Throws std::invalid_argument naming an unknown kind (ucb-paper has no
// meaning here: it only prunes).
std::unique_ptr<ArmAllocator> make_allocator(const AllocatorSettings& settings);
AllocatorSettings allocator_settings(const SelectorSettings& selector, int min_cells, int chunk);

// Arms ordered by estimate, best first (ties keep panel order).
std::vector<std::size_t> ranked_arms(const ArmPanel& panel);
// Raises the least-sampled of `arms` one cell at a time until `renders`
// are placed or all reach `target` cells ("water filling"), then pulls.
void fill_up(ArmPanel& panel, const std::vector<std::size_t>& arms, int target, long renders);

}  // namespace bigpe::engine
