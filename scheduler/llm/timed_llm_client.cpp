#include "scheduler/llm/timed_llm_client.h"

#include <stdexcept>

#include "common/unix_time.h"

namespace bigpe {
TimedLlmClient::TimedLlmClient(std::unique_ptr<LlmClient> inner, Observer observer)
    : inner_(std::move(inner)), observer_(std::move(observer)) {
  if (!inner_) throw std::invalid_argument("TimedLlmClient needs an inner client");
}

ChatResponse TimedLlmClient::complete(const ChatRequest& request) {
  const double start = unix_seconds();
  try {
    ChatResponse r = inner_->complete(request);
    if (observer_) observer_(request.role, start, unix_seconds());
    return r;
  } catch (...) {
    if (observer_) observer_(request.role, start, unix_seconds());
    throw;
  }
}

}  // namespace bigpe
