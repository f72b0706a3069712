#include "scheduler/engine/iteration_boundary.h"

#include <spdlog/spdlog.h>

#include "common/fault_point.h"
#include "scheduler/agents/agent_options.h"

namespace bigpe::engine {

std::string iteration_tag(int iteration) { return "iter:" + std::to_string(iteration + 1); }

void add_renders(ExperimentState& state, const RenderCounts& since) {
  state.renders_done += since.done;
  state.renders_cached += since.cached;
  state.renders_scored += since.scored;
}

IterationBoundary::IterationBoundary(const EngineContext& ctx, int iteration)
    : ctx_(ctx),
      iteration_(iteration),
      renders_before_(ctx.renders.counts()),
      llm_before_(agent_tallies(ctx)) {}

void IterationBoundary::commit(ExperimentState& state, IterationSummary sum, const IterationRecord& rec,
                               const std::vector<InstructionRecord>& born) const {
  const std::map<std::string, AgentTally> by_agent = tallies_since(llm_before_, agent_tallies(ctx_));
  AgentTally llm;
  for (const auto& [agent, t] : by_agent) llm += t;
  // More than half of the iteration's agent calls unusable, over enough
  // calls to mean something.
  const long agent_calls = llm.calls - llm.retries;
  if (agent_calls >= 2 && 2 * llm.unusable > agent_calls)
    throw UnusableLlmReplies(
        "iteration " + std::to_string(iteration_ + 1) + ": " + std::to_string(llm.unusable) + " of " +
        std::to_string(agent_calls) + " agent calls got no usable reply after " + std::to_string(kAgentAttempts) +
        " attempts each; the LLM answers outside the templates' formats. Check llm.model and llm.base_url "
        "(BIGPE_TEMPLATE_DIR for custom templates)");
  if (born.empty() && !state.finished)
    spdlog::warn("iteration {}: no new instruction ({} of the iteration's agent calls unusable)", iteration_ + 1,
                 llm.unusable);
  add_llm(state, by_agent);
  add_renders(state, ctx_.renders.counts() - renders_before_);
  sum.iteration = iteration_;
  sum.renders_done = state.renders_done;
  sum.renders_cached = state.renders_cached;
  sum.renders_scored = state.renders_scored;
  sum.renders_spent = state.renders_spent;
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
                        {"renders_cached", std::to_string(sum.renders_cached)},
                        {"renders_scored", std::to_string(sum.renders_scored)},
                        {"llm_calls", std::to_string(state.llm.calls)},
                        {"llm_retries", std::to_string(state.llm.retries)},
                        {"llm_unusable", std::to_string(state.llm.unusable)},
                        {"llm_subject_dropped", std::to_string(state.llm.subject_dropped)},
                        {"llm_cached", std::to_string(state.llm.cached)},
                        {"llm_prompt_tokens", std::to_string(state.llm.prompt_tokens)},
                        {"llm_completion_tokens", std::to_string(state.llm.completion_tokens)}});
  fault_point(iteration_tag(iteration_) + ":committed");
}

}  // namespace bigpe::engine
