#pragma once
// OpenAiClient: chat completions from any OpenAI-compatible server (vLLM,
// llama.cpp server, Ollama, OpenAI) over libcurl.
//
// One POST per attempt to <base_url>/v1/chat/completions (or
// <base_url>/chat/completions when base_url already ends in "/v1"). Retries
// with exponential backoff and jitter on HTTP 429, 5xx, timeouts and
// connection errors, honouring a Retry-After header given in seconds; other
// 4xx answers and malformed bodies fail at once. At most max_concurrent
// requests are in flight across all threads sharing the client (a counting
// semaphore held only while a request is on the wire, not while backing
// off). Errors are LlmError naming the endpoint, the HTTP status and the
// reason; the API key never appears in messages or logs.
//
// Thread-safety: complete() is safe to call from many threads at once.
#include <memory>
#include <string>

#include "scheduler/llm/llm_client.h"

namespace bigpe {

struct OpenAiOptions {
  std::string base_url;     // e.g. "http://127.0.0.1:8000"
  std::string model;        // used when the request's model is empty
  std::string api_key_env;  // env var name holding the key; empty = none
  double timeout_s = 60;    // whole request, per attempt
  int max_retries = 5;      // retries after the first attempt
  double backoff_initial_s = 1;
  double backoff_max_s = 30;
  int max_concurrent = 8;
  int max_tokens = 512;     // cap on the request's max_tokens (used when it is <= 0)
};

class OpenAiClient : public LlmClient {
 public:
  // Throws LlmError when base_url or model is empty, a number is out of
  // range, or api_key_env names a variable that is not set.
  explicit OpenAiClient(OpenAiOptions options);
  ~OpenAiClient() override;
  OpenAiClient(const OpenAiClient&) = delete;
  OpenAiClient& operator=(const OpenAiClient&) = delete;

  ChatResponse complete(const ChatRequest& request) override;
  std::string name() const override { return "openai"; }
  // "openai <endpoint> <model>".
  std::string model_id() const override { return "openai " + endpoint_ + " " + options_.model; }

  // The full URL requests go to.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Attempt;
  Attempt post_once(const std::string& body) const;

  OpenAiOptions options_;
  std::string endpoint_;
  std::string api_key_;  // never logged
  class Semaphore;
  std::unique_ptr<Semaphore> slots_;
};

// The request body for `request` ({"model", "messages", "temperature",
// "max_tokens"}): the request's model or else default_model, and
// min(request.max_tokens, max_tokens_cap) (the cap when the request's is <= 0).
std::string chat_request_json(const ChatRequest& request, const std::string& default_model,
                              int max_tokens_cap);

// Reads a /v1/chat/completions response body: choices[0].message.content and
// usage.{prompt,completion}_tokens (0 when absent). Throws LlmError naming
// the missing or mistyped field, or the JSON parse error.
ChatResponse parse_chat_response(const std::string& body);

}  // namespace bigpe
