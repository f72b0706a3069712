#pragma once
// Helpers shared by the agents to build chat requests: one place that fills
// the sampling options, flattens text onto one line and derives the retry
// request. Internal to scheduler/agents.
//
// Thread-safety: pure functions.
#include <string>

#include "common/text_util.h"  // one_line(): prompts and queries go in on one line
#include "scheduler/agents/agent_options.h"
#include "scheduler/llm/llm_client.h"

namespace bigpe {

// A request with a system and a user message.
ChatRequest make_request(AgentRole role, const AgentOptions& options,
                         const std::string& system, const std::string& user,
                         int sample_index);

// The second attempt after an unusable reply: a new sample (sample_index +
// kRetrySampleOffset) with `reminder` appended to the system prompt. The
// user message is left untouched because its exact shape is the contract
// the backends parse (and, for the Generator, the paper's).
ChatRequest retry_request(const ChatRequest& first, const std::string& reminder);

// The first `n` characters of a reply, on one line, for a log message.
std::string excerpt(const std::string& text, std::size_t n = 160);

}  // namespace bigpe
