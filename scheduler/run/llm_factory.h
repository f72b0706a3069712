#pragma once
// Builds the configured LLM backend. The Redis cache is added by the caller
// (CachedLlmClient), which owns the Redis connection.
//
// Thread-safety: make_llm_client is reentrant.
#include <memory>
#include <string>

#include "scheduler/experiment/llm_settings.h"
#include "scheduler/llm/llm_client.h"

namespace bigpe {

// Throws LlmError for an unknown backend name (listing the known ones), and
// passes on the backend's own construction errors (unreadable vocabulary,
// missing API key variable).
std::unique_ptr<LlmClient> make_llm_client(const LlmSettings& settings);

}  // namespace bigpe
