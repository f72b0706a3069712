#include "scheduler/engine/iteration_boundary.h"

#include "common/fault_point.h"

namespace bigpe::engine {

std::string iteration_tag(int iteration) { return "iter:" + std::to_string(iteration + 1); }

IterationBoundary::IterationBoundary(const EngineContext& ctx, int iteration)
    : ctx_(ctx),
      iteration_(iteration),
      done_before_(ctx.renders.renders_done()),
      cached_before_(ctx.renders.renders_cached()) {}

void IterationBoundary::commit(ExperimentState& state, IterationSummary sum, const IterationRecord& rec,
                               const std::vector<InstructionRecord>& born) const {
  state.renders_done += ctx_.renders.renders_done() - done_before_;
  state.renders_cached += ctx_.renders.renders_cached() - cached_before_;
  sum.iteration = iteration_;
  sum.renders_done = state.renders_done;
  sum.renders_cached = state.renders_cached;
  state.summaries.push_back(sum);
  fault_point(iteration_tag(iteration_) + ":before-commit");
  if (ctx_.store)
    ctx_.store->commit(state, iteration_, encode_iteration(rec), born,
                       {{"type", "iteration"},
                        {"iteration", std::to_string(iteration_ + 1)},
                        {"iterations", std::to_string(ctx_.settings.iterations)},
                        {"best", std::to_string(sum.best)},
                        {"mean", std::to_string(sum.mean)},
                        {"pool", std::to_string(sum.pool)},
                        {"renders_spent", std::to_string(state.renders_spent)},
                        {"renders_done", std::to_string(sum.renders_done)},
                        {"renders_cached", std::to_string(sum.renders_cached)}});
  fault_point(iteration_tag(iteration_) + ":committed");
}

}  // namespace bigpe::engine
