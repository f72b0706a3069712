#include "scheduler/llm/timed_llm_client.h"

#include <chrono>
#include <stdexcept>

namespace bigpe {
namespace {

double unix_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

TimedLlmClient::TimedLlmClient(std::unique_ptr<LlmClient> inner, Observer observer)
    : inner_(std::move(inner)), observer_(std::move(observer)) {
  if (!inner_) throw std::invalid_argument("TimedLlmClient needs an inner client");
}

ChatResponse TimedLlmClient::complete(const ChatRequest& request) {
  const double start = unix_s();
  try {
    ChatResponse r = inner_->complete(request);
    if (observer_) observer_(request.role, start, unix_s());
    return r;
  } catch (...) {
    if (observer_) observer_(request.role, start, unix_s());
    throw;
  }
}

}  // namespace bigpe
