#pragma once
// LlmClient: one chat completion. Stateless: every request carries its whole
// conversation (no shared threads, unlike the paper's Assistants API).
//
// Implementations: "openai" (any /v1/chat/completions server) and
// "heuristic" (the offline sim-v1 agents). cached_llm_client.h decorates any
// of them with the Redis cache. Implementations must be safe to call from
// several threads at once.
#include <stdexcept>
#include <string>
#include <vector>

namespace bigpe {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

// Which agent is asking. Not sent to a server; the heuristic backend uses it
// to choose its behaviour, and logs use it.
enum class AgentRole { kGenerator, kGradient, kModifier, kFallback };

// Stable name of a role for logs, cache keys and random-stream keys:
// "generator", "gradient", "modifier", "fallback".
const char* role_name(AgentRole role);

struct ChatRequest {
  AgentRole role = AgentRole::kGenerator;
  std::string model;
  std::vector<ChatMessage> messages;
  double temperature = 1.0;
  int max_tokens = 512;
  // Distinguishes repeated samples of the same request: part of the cache
  // key, and the heuristic backend's random stream.
  int sample_index = 0;
};

struct ChatResponse {
  std::string text;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  double latency_ms = 0.0;
  bool cached = false;
};

class LlmError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LlmClient {
 public:
  virtual ~LlmClient() = default;
  // Throws LlmError (with the endpoint and the reason) once retries are
  // exhausted.
  virtual ChatResponse complete(const ChatRequest& request) = 0;
  virtual std::string name() const = 0;
  // Identifies what produces the answers, for cache keys: the server and
  // model, or the heuristic's version, options and vocabulary. Two clients
  // with equal model_id() answer the same request alike.
  virtual std::string model_id() const { return name(); }
};

}  // namespace bigpe
