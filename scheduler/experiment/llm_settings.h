#pragma once
// LlmSettings: which LLM backend the agents talk to and that backend's
// options; filled from the experiment's llm.* and heuristic.* keys
// (experiment_config.cpp), read by make_llm_client (run/llm_factory.h).
#include <string>

#include "scheduler/llm/heuristic/heuristic_llm.h"
#include "scheduler/llm/openai_client.h"
#include "scheduler/llm/simulated_latency_client.h"

namespace bigpe {

struct LlmSettings {
  std::string backend = "heuristic";  // "heuristic" | "openai"
  OpenAiOptions openai;
  HeuristicOptions heuristic;
  // Timing of a real server for the heuristic backend (its seed: the
  // experiment seed, set by the wiring).
  SimLatencyOptions sim_latency;
  // Vocabulary for the heuristic backend; empty = sim::default_vocabulary_path().
  std::string vocabulary_path;
  // Prices per 1M tokens, for the cost in reports (0: not priced).
  double price_prompt_per_1m = 0.0;
  double price_completion_per_1m = 0.0;

  double cost_of(long prompt_tokens, long completion_tokens) const {
    return (static_cast<double>(prompt_tokens) * price_prompt_per_1m +
            static_cast<double>(completion_tokens) * price_completion_per_1m) / 1e6;
  }
};

}  // namespace bigpe
