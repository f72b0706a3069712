#pragma once
// Helpers shared by the agents to build chat requests: one place that fills
// the sampling options, flattens text onto one line and derives the retry
// request. Internal to scheduler/agents.
//
// Thread-safety: pure functions.
#include <optional>
#include <string>

#include "common/text_util.h"  // one_line(): prompts and queries go in on one line
#include "scheduler/agents/agent_counters.h"
#include "scheduler/agents/agent_options.h"
#include "scheduler/llm/llm_client.h"

namespace bigpe {

// A request with a system and a user message.
ChatRequest make_request(AgentRole role, const AgentOptions& options,
                         const std::string& system, const std::string& user,
                         int sample_index);

// Attempt `attempt` (1, 2, ...) after an unusable reply: a new sample
// (sample_index + attempt * kRetrySampleOffset) with `reminder` appended to
// the system prompt. The user message is left untouched because its exact
// shape is the contract the backends parse (and, for the Generator, the
// paper's).
ChatRequest retry_request(const ChatRequest& first, const std::string& reminder, int attempt = 1);

// Sends `first`, then retries with `reminder` until `parse(reply)` gives a
// value or kAgentAttempts are spent; counts every call, retry, final
// failure, cached answer and the tokens of the others in `counters`.
// `last_reply` receives the last reply either way.
// Throws LlmError when the endpoint itself fails.
template <typename Parse>
auto ask_until_usable(LlmClient& llm, const ChatRequest& first, const std::string& reminder, AgentCounters& counters,
                      Parse parse, std::string& last_reply) -> decltype(parse(std::string())) {
  for (int attempt = 0; attempt < kAgentAttempts; ++attempt) {
    if (attempt > 0) counters.retry();
    counters.call();
    const ChatResponse reply = llm.complete(attempt == 0 ? first : retry_request(first, reminder, attempt));
    counters.answered(reply.cached, reply.prompt_tokens, reply.completion_tokens);
    last_reply = reply.text;
    if (auto value = parse(last_reply)) return value;
  }
  counters.unusable();
  return std::nullopt;
}

// The first `n` characters of a reply, on one line, for a log message.
std::string excerpt(const std::string& text, std::size_t n = 160);

}  // namespace bigpe
