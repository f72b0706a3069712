#pragma once
// BudgetLoop (`loop: budget`): the BIGPE search with every render placed by
// a best-arm-identification rule, for a fixed total render budget.
//
// The paper's loop re-renders every pooled instruction on every batch, so
// most of its renders re-measure instructions it already knows and its
// selector only prunes. Here:
//   - an instruction's scores persist (state.history, by text): it is never
//     re-rendered to be compared;
//   - renders go only to the arms the allocator picks (arm_allocator.h), on
//     the shared cell sequence (budget_cells.h), so every comparison is
//     paired and estimates come from paired_fit.h;
//   - professional prompts are rendered once, budget.pro_share of the
//     budget on the first cells (budget.pro_per_cell each), and stay as
//     exemplars and as phrase evidence;
//   - each step expands the best budget.expand survivors: contrast pairs of
//     their prompts against better prompts for the same query
//     (professional ones included) -> gradient calculator (budget.gradients
//     calls) -> one instruction-modifier child per improvement. The first
//     budget.evidence calls are built around phrases that the evidence of
//     all paid renders rates well (phrase_evidence.h, evidence_pairs.h);
//     the rest see the best prompt per query;
//   - children are screened by a predicted gain that costs no render
//     (their prompts are generated, not rendered): at most
//     budget.children enter the beam;
//   - the allocator retires the rest; pool_size survivors form the beam;
//   - the run ends when budget.renders renders are spent (or after
//     `iterations` steps).
//
// One step = one allocator round of budget.round renders (the first, with
// I0 alone, covers only the professional cells), then expansion, then a
// commit (ctx.store when non-null). Every random choice comes from
// (seed, step) streams and every LLM call has a fixed sample index, so a
// step interrupted and run again repeats exactly from the caches.
// Not thread-safe.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/selection/arm_allocator.h"
#include "scheduler/engine/budget_cells.h"
#include "scheduler/engine/engine_context.h"
#include "scheduler/experiment/experiment_state.h"
#include "scheduler/experiment/iteration_record.h"
#include "scheduler/engine/optimization_loop.h"
#include "scheduler/stats/paired_fit.h"

namespace bigpe::engine {

class BudgetLoop : public OptimizationLoop {
 public:
  // Throws std::invalid_argument when the selector cannot allocate renders
  // or budget.expand x budget.gradients exceeds 16 (the sample-index room):
  // loop_problems() (experiment_checks.h), which `bigpe run` checks first.
  explicit BudgetLoop(EngineContext& ctx);
  void run_iteration(ExperimentState& state) override;

  // The history entry that holds the professional prompts' scores (cell
  // order, then the order of CellPlan::professional), beside the
  // instructions' entries.
  static const std::string kProfessionalKey;

  // Renders left under budget.renders (a large number when there is none).
  long budget_left(const ExperimentState& state) const;

 private:
  friend class RoundPanel;
  const std::string& prompt(const std::string& text, int cell);
  void prepare(const std::vector<std::pair<std::string, int>>& wanted);
  void render_professional(ExperimentState& state);
  PairedFit fit(const ExperimentState& state, std::vector<std::string>* texts) const;
  std::vector<std::string> expand(ExperimentState& state, const std::vector<std::string>& parents,
                                  IterationRecord& rec, int step);
  std::vector<std::size_t> screen(ExperimentState& state,
                                  const std::vector<std::pair<std::string, std::string>>& children,
                                  const std::vector<std::string>& born_from, std::vector<std::size_t> fresh,
                                  const std::map<std::string, double>& effects);

  EngineContext& ctx_;
  std::unique_ptr<ArmAllocator> allocator_;
  CellPlan cells_;
  std::map<std::pair<std::string, int>, std::string> prompts_;  // (instruction, cell) -> prompt
};

}  // namespace bigpe::engine
