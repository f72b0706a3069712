#pragma once
// PaperLoop: one BIGPE iteration exactly as the paper's code runs it
// (docs/design.md section 1), with our switches
// (images per prompt, paired seeds, render cache reuse, random-mutation
// ablation) applied where they belong.
//
//   Q <- sample batch_size training queries
//   render G(I, q) for every pooled I and every q, plus professional
//   prompts for every q, all submitted at once
//   keep pool_size by the selector; I_low <- worst kept by batch score
//   contrast pairs -> gradient calculator -> one child per improvement
//   (or the fallback), I_low deleted
//
// With llm.overlap (the default) each prompt's renders are submitted as it
// arrives, and once selection is known the next iteration's prompts of the
// surviving instructions are asked for while the gradient calculator and
// the modifier run (prompt_generations.h); the calls and their answers are
// the same, only their timing moves.
//
// The iteration's state is committed at its end (state_store.h); running
// it again after a crash repeats it exactly from the LLM and render caches.
// Not thread-safe.
#include "scheduler/engine/engine_context.h"
#include "scheduler/experiment/experiment_state.h"
#include "scheduler/engine/optimization_loop.h"
#include "scheduler/engine/prompt_generations.h"
#include "scheduler/selection/selector.h"

namespace bigpe::engine {

class PaperLoop : public OptimizationLoop {
 public:
  explicit PaperLoop(EngineContext& ctx);
  // Runs iteration state.next_iteration and commits it.
  void run_iteration(ExperimentState& state) override;

 private:
  EngineContext& ctx_;
  std::unique_ptr<Selector> selector_;
  PromptGenerations generations_;  // may run ahead into the next iteration
};

// Adds I0 (id "i0") to the pool if the pool is empty.
void seed_pool(ExperimentState& state, const std::string& initial_instruction);

}  // namespace bigpe::engine
