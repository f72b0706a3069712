#pragma once
// InstructionModifier (the paper's IM): rewrites an instruction according to
// one improvement suggestion, or, when there were no contrast pairs, asks
// for several more specific and diverse variants (the fallback).
//
// User message formats (a contract with the heuristic backend):
//   modify:   Improvement suggestion: <<<impr>>>
//             Current instruction: <<<I_low>>>
//             <request for one short, general instruction>
//   fallback: Current instruction: <<<I_low>>>
//             <request for 3 instructions, each starting "Instruction k:">
//
// Thread-safety: immutable after construction; modify() and fallback() may
// be called from several threads at once.
#include <optional>
#include <string>
#include <vector>

#include "scheduler/agents/agent_counters.h"
#include "scheduler/agents/agent_options.h"
#include "scheduler/agents/prompt_templates.h"
#include "scheduler/llm/llm_client.h"

namespace bigpe {

class InstructionModifier {
 public:
  // REQUIRES: `llm` outlives this object.
  InstructionModifier(LlmClient& llm, AgentOptions options);

  // The new instruction (free text plus optional directive lines), cleaned.
  // An empty or unparseable reply is asked again (kAgentAttempts in all,
  // each a new sample with a stricter reminder); then std::nullopt and a
  // logged warning. Never returns an empty instruction. Throws LlmError when the
  // endpoint fails.
  std::optional<std::string> modify(const std::string& improvement,
                                    const std::string& instruction,
                                    int sample_index) const;

  // Up to three new instructions derived from `instruction`. A reply with
  // none is retried (kAgentAttempts in all); after that the result may be empty (logged). Every
  // returned instruction is non-empty.
  std::vector<std::string> fallback(const std::string& instruction,
                                    int sample_index) const;

  // The exact requests modify() and fallback() send first.
  ChatRequest modify_request(const std::string& improvement,
                             const std::string& instruction,
                             int sample_index) const;
  ChatRequest fallback_request(const std::string& instruction,
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
