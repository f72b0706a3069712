#pragma once
// GradientCalculator (the paper's GC): shown the worst instruction and its
// contrast pairs, an LLM infers why the low prompts lost and proposes
// improvements to the instruction, as "Inference k: ..." and
// "Improvement k: ..." lines. The improvements play the role of a gradient.
//
// User message format (a contract with the heuristic backend):
//   <intro sentence>
//   Instruction: <<<I_low, possibly several lines>>>
//   low_score_object1: Q, low_score_generated_prompt: Y, score: 26.367
//   ...
//   high_score_object1: Q, high_score_prompt: Y*, score: 27.271
//   ...
//   <format reminder>
// Prompts are written on one line (line breaks become spaces).
//
// Thread-safety: immutable after construction; compute() may be called from
// several threads at once.
#include <string>
#include <vector>

#include "scheduler/agents/agent_counters.h"
#include "scheduler/agents/agent_options.h"
#include "scheduler/agents/contrast_pair.h"
#include "scheduler/agents/prompt_templates.h"
#include "scheduler/llm/llm_client.h"

namespace bigpe {

class GradientCalculator {
 public:
  struct Output {
    std::vector<std::string> improvements;
    std::vector<std::string> inferences;
    std::string raw;  // the last reply received, for the iteration record
  };

  // REQUIRES: `llm` outlives this object.
  GradientCalculator(LlmClient& llm, AgentOptions options);

  // One GC call. A reply without parseable improvements is asked again
  // (kAgentAttempts in all, each a new sample with a stricter reminder); if
  // every attempt fails, the Output has no improvements and a warning is
  // logged. Throws
  // std::invalid_argument when `pairs` is empty (the caller should use the
  // fallback instead) and LlmError when the endpoint fails.
  Output compute(const std::string& instruction,
                 const std::vector<ContrastPair>& pairs,
                 int sample_index) const;

  // The exact request compute() sends first.
  ChatRequest request(const std::string& instruction,
                      const std::vector<ContrastPair>& pairs,
                      int sample_index) const;

  // What this agent's calls came to so far.
  AgentTally tally() const { return counters_.tally(); }

 private:
  LlmClient& llm_;
  AgentOptions options_;
  PromptTemplates templates_;
  mutable AgentCounters counters_;
};

}  // namespace bigpe
