#pragma once
// TimedLlmClient: tells an observer when each call to the inner client
// started and ended, and for which agent role (timing.timeline). Sits
// below CachedLlmClient, so only calls that reach the backend are told.
// Answers, errors and model_id() are the inner client's.
//
// Thread-safety: as the inner client; the observer is called from the
// calling thread.
#include <functional>
#include <memory>

#include "scheduler/llm/llm_client.h"

namespace bigpe {

class TimedLlmClient : public LlmClient {
 public:
  // Unix seconds at the call's start and end (also when it threw).
  using Observer = std::function<void(AgentRole role, double start_unix_s, double end_unix_s)>;
  // REQUIRES: inner non-null.
  TimedLlmClient(std::unique_ptr<LlmClient> inner, Observer observer);

  ChatResponse complete(const ChatRequest& request) override;
  std::string name() const override { return inner_->name(); }
  std::string model_id() const override { return inner_->model_id(); }

 private:
  std::unique_ptr<LlmClient> inner_;
  Observer observer_;
};

}  // namespace bigpe
