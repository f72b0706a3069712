#pragma once
// Selector: which instructions stay in the pool after an iteration.
//
// The pool holds the instructions rendered this iteration (candidates, in
// pool order, with this iteration's batch score). A selector keeps at most
// `keep` of them and returns their indices in the order chosen. Some
// selectors update the history (ucb-paper counts considerations); all
// randomness comes from the rng passed in, so a run is reproducible.
//
// Implementations: ucb (pulls-counted, the default), ucb-paper (the paper's
// count-on-consideration quirk), greedy, eps-greedy.
// Not thread-safe; the scheduler calls it from one thread.
#include <memory>
#include <string>
#include <vector>

#include "common/seeded_rng.h"
#include "scheduler/selection/arm_history.h"

namespace bigpe::engine {

struct Candidate {
  std::string text;
  double batch_score = 0.0;  // mean per-query score this iteration
};

class Selector {
 public:
  virtual ~Selector() = default;
  // REQUIRES: history holds an entry for every candidate's text (the
  // scheduler appends this iteration's scores before selecting).
  // `iteration` counts from 0.
  virtual std::vector<int> select(const std::vector<Candidate>& candidates, int keep, int iteration,
                                  HistoryTable& history, SeededRng& rng) = 0;
  virtual std::string name() const = 0;
};

// Filled from the experiment's selector.* keys, which hold the defaults.
struct SelectorSettings {
  std::string kind;  // ucb | ucb-paper | greedy | eps-greedy | successive-halving | successive-rejects
  double c{};        // ucb exploration constant
  double epsilon{};  // eps-greedy exploration
};

// Throws std::invalid_argument naming the kind when it is unknown.
std::unique_ptr<Selector> make_selector(const SelectorSettings& settings);

}  // namespace bigpe::engine
