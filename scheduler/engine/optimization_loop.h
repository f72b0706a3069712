#pragma once
// OptimizationLoop: one step of an experiment's optimization. The runner
// calls run_iteration() until state.finished; each call commits its
// boundary (through ctx.store when there is one), so a killed run resumes
// at the last committed step and repeats the interrupted one exactly.
//
// Implementations: PaperLoop (`loop: paper`, the paper's algorithm) and
// BudgetLoop (`loop: budget`, renders placed by best-arm identification).
// The factory picks one from ctx.settings.loop.
#include <memory>

#include "scheduler/engine/engine_context.h"
#include "scheduler/experiment/experiment_state.h"

namespace bigpe::engine {

class OptimizationLoop {
 public:
  virtual ~OptimizationLoop() = default;
  virtual void run_iteration(ExperimentState& state) = 0;
};

// Throws std::invalid_argument naming an unknown loop.
std::unique_ptr<OptimizationLoop> make_loop(EngineContext& ctx);

}  // namespace bigpe::engine
