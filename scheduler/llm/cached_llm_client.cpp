#include "scheduler/llm/cached_llm_client.h"

#include <chrono>
#include <stdexcept>

#include <msgpack.hpp>

#include "common/content_hash.h"
#include "schemas/versioned_body.h"
#include "common/redis/redis_keys.h"

namespace bigpe {

namespace {

constexpr const char* kRecordName = "llm record";

std::string encode_record(const std::string& model_id, const ChatRequest& request,
                          const ChatResponse& response) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  return schemas::write_body(7, [&](schemas::MapWriter& w) {
    w.field("model", request.model.empty() ? model_id : request.model);
    w.field("role", std::string(role_name(request.role)));
    w.field("text", response.text);
    w.field("prompt_tokens", response.prompt_tokens);
    w.field("completion_tokens", response.completion_tokens);
    w.field("latency_ms", response.latency_ms);
    w.field("created_at", now);
  });
}

ChatResponse decode_record(const std::string& bytes, const std::string& key) {
  ChatResponse r;
  try {
    schemas::read_body(bytes, kRecordName, [&](const schemas::MapReader& m) {
      r.text = m.required<std::string>("text");
      r.prompt_tokens = m.optional<int>("prompt_tokens", 0);
      r.completion_tokens = m.optional<int>("completion_tokens", 0);
      r.latency_ms = m.optional<double>("latency_ms", 0.0);
    });
  } catch (const schemas::DecodeError& e) {
    throw LlmError("LLM cache: the record at " + key + " does not decode: " + e.what());
  }
  r.cached = true;
  return r;
}

}  // namespace

std::string llm_cache_key(const std::string& model_id, const ChatRequest& request) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(7);
  pk.pack(std::string("bigpe-llm-v1"));
  pk.pack(model_id);
  pk.pack(request.model);
  pk.pack(std::string(role_name(request.role)));
  pk.pack_array(static_cast<uint32_t>(request.messages.size()));
  for (const ChatMessage& m : request.messages) {
    pk.pack_array(2);
    pk.pack(m.role);
    pk.pack(m.content);
  }
  pk.pack(request.temperature);  // always a float64, so 1 and 1.0 agree
  pk.pack(static_cast<int64_t>(request.sample_index));
  return redis_keys::llm(sha256_hex(std::string(buf.data(), buf.size())));
}

CachedLlmClient::CachedLlmClient(std::unique_ptr<LlmClient> inner, std::shared_ptr<RedisClient> redis)
    : inner_(std::move(inner)), redis_(std::move(redis)) {
  if (!inner_ || !redis_) throw std::invalid_argument("CachedLlmClient: inner client and Redis are required");
}

ChatResponse CachedLlmClient::complete(const ChatRequest& request) {
  const std::string key = llm_cache_key(inner_->model_id(), request);
  RedisReply hit;
  {
    std::lock_guard<std::mutex> lock(redis_mu_);
    hit = redis_->command({"GET", key});
  }
  if (hit.type == RedisReply::Type::kString) return decode_record(hit.str, key);

  // Two threads missing on the same key both call the inner client; the
  // second SET overwrites with an equally valid answer, which is cheaper
  // than holding a lock across a slow LLM call.
  ChatResponse response = inner_->complete(request);
  response.cached = false;
  const std::string record = encode_record(inner_->model_id(), request, response);
  {
    std::lock_guard<std::mutex> lock(redis_mu_);
    redis_->command({"SET", key, record});
  }
  return response;
}

}  // namespace bigpe
