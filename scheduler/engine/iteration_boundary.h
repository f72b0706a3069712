#pragma once
// IterationBoundary: the end of one iteration of either loop (an iteration
// of the paper loop, a step of the budget loop), written once. Made where
// the loop starts counting renders, it remembers the counters; commit() adds the
// iteration's renders to the state, appends its summary and stores state,
// iteration record and new instructions in one transaction with the
// progress event, between the iter:N:before-commit and iter:N:committed
// fault points. A kill before the commit repeats the whole iteration.
#include <stdexcept>
#include <string>
#include <vector>

#include "scheduler/engine/engine_context.h"
#include "scheduler/experiment/experiment_state.h"
#include "scheduler/experiment/iteration_record.h"

namespace bigpe::engine {

// "iter:N" (1-based), the prefix of an iteration's fault points.
std::string iteration_tag(int iteration);

// Most of an iteration's LLM replies were outside the templates' formats:
// going on would evolve nothing while spending renders. The run stops,
// resumable (a fixed endpoint or model is asked anew).
class UnusableLlmReplies : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Adds renders delivered since a snapshot to the state's counters.
void add_renders(ExperimentState& state, const RenderCounts& since);

class IterationBoundary {
 public:
  // REQUIRES: ctx outlives the boundary.
  IterationBoundary(const EngineContext& ctx, int iteration);

  // REQUIRES: state.next_iteration and state.finished already say what
  // comes next. Fills sum's iteration and render counters, adds the
  // iteration's LLM calls to state.llm and the event. Throws
  // UnusableLlmReplies, before anything is committed, when most of the
  // iteration's agent calls got no usable reply; warns when an unfinished
  // run's iteration gave no new instruction.
  void commit(ExperimentState& state, IterationSummary sum, const IterationRecord& rec,
              const std::vector<InstructionRecord>& born) const;

 private:
  const EngineContext& ctx_;
  int iteration_;
  RenderCounts renders_before_;
  std::map<std::string, AgentTally> llm_before_;  // per agent
};

}  // namespace bigpe::engine
