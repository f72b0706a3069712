#pragma once
// Generator (the paper's G): turns an instruction I and a plain query X into
// a refined text-to-image prompt Y = G(I, X). The user message has the
// paper's exact shape "{instruction}, Prompt or subject to refine : {query}".
//
// Thread-safety: immutable after construction; generate() may be called
// from several threads at once (the LlmClient must be thread-safe, as its
// contract requires).
#include <string>

#include "scheduler/agents/agent_counters.h"
#include "scheduler/agents/agent_options.h"
#include "scheduler/agents/prompt_templates.h"
#include "scheduler/llm/llm_client.h"

namespace bigpe {

class Generator {
 public:
  // REQUIRES: `llm` outlives this object.
  Generator(LlmClient& llm, AgentOptions options);

  // The refined prompt, cleaned of labels, quotes and trailing
  // explanations. An unusable reply (no prompt, or a refusal) is retried
  // up to kAgentAttempts in all, each a new sample with a stricter
  // reminder; if every attempt fails, the plain query is returned and a
  // warning logged, so a render never gets an empty prompt. A prompt that
  // holds no word of its query is counted as subject_dropped. Throws
  // LlmError when the endpoint itself fails.
  std::string generate(const std::string& instruction, const std::string& query,
                       int sample_index) const;

  // What this generator's calls came to so far.
  AgentTally tally() const { return counters_.tally(); }

  // The exact request generate() sends first (for tests and logs).
  ChatRequest request(const std::string& instruction, const std::string& query,
                      int sample_index) const;

 private:
  LlmClient& llm_;
  AgentOptions options_;
  PromptTemplates templates_;
  mutable AgentCounters counters_;
};

}  // namespace bigpe
