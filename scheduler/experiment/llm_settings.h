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
};

}  // namespace bigpe
