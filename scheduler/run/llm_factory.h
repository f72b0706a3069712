#pragma once
// Builds the configured LLM backend. The Redis cache is added by the caller
// (CachedLlmClient), which owns the Redis connection.
//
// Thread-safety: make_llm_client is reentrant.
#include <memory>
#include <string>

#include "scheduler/llm/heuristic/heuristic_llm.h"
#include "scheduler/llm/llm_client.h"
#include "scheduler/llm/openai_client.h"

namespace bigpe {

struct LlmSettings {
  std::string backend = "heuristic";  // "heuristic" | "openai"
  OpenAiOptions openai;
  HeuristicOptions heuristic;
  // Vocabulary for the heuristic backend; empty = sim::default_vocabulary_path().
  std::string vocabulary_path;
};

// Throws LlmError for an unknown backend name (listing the known ones), and
// passes on the backend's own construction errors (unreadable vocabulary,
// missing API key variable).
std::unique_ptr<LlmClient> make_llm_client(const LlmSettings& settings);

}  // namespace bigpe
