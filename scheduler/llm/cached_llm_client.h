#pragma once
// CachedLlmClient: decorates any LlmClient with the Redis LLM cache, so a
// resumed or repeated run replays paid calls instead of making them again.
//
// Key: bigpe:llm:<hex SHA-256 of the canonical msgpack array
//   ("bigpe-llm-v1", inner model_id(), request model, role name,
//    [[role, content]...], temperature, sample_index)>.
// The inner client's model_id() is part of the key, so two heuristic
// configurations (or two servers) sharing one Redis never read each other's
// answers.
// Value: msgpack map {v, model, role, text, prompt_tokens, completion_tokens,
//   latency_ms, created_at} (model: the request's model, else model_id();
//   created_at: Unix seconds).
// A hit returns the stored response with cached = true without calling the
// inner client; a miss calls it and stores the answer. Inner errors pass
// through and are never cached. A Redis failure throws RedisError; a stored
// record that does not decode throws LlmError naming the key.
//
// Thread-safety: safe from many threads. RedisClient is not, so Redis access
// is serialized by a mutex; the inner call runs outside the lock so slow
// LLM calls overlap.
#include <memory>
#include <mutex>
#include <string>

#include "common/redis/redis_client.h"
#include "scheduler/llm/llm_client.h"

namespace bigpe {

class CachedLlmClient : public LlmClient {
 public:
  // REQUIRES: inner and redis non-null.
  CachedLlmClient(std::unique_ptr<LlmClient> inner, std::shared_ptr<RedisClient> redis);

  ChatResponse complete(const ChatRequest& request) override;
  std::string name() const override { return "cached(" + inner_->name() + ")"; }
  std::string model_id() const override { return inner_->model_id(); }

 private:
  std::unique_ptr<LlmClient> inner_;
  std::shared_ptr<RedisClient> redis_;
  std::mutex redis_mu_;
};

// "bigpe:llm:<hex>" for a request to a client with this model_id (see above).
std::string llm_cache_key(const std::string& model_id, const ChatRequest& request);

}  // namespace bigpe
