#include "scheduler/agents/generator.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "scheduler/agents/agent_request.h"
#include "scheduler/agents/output_parsers.h"
#include "scheduler/agents/prompt_checks.h"

namespace bigpe {

Generator::Generator(LlmClient& llm, AgentOptions options)
    : llm_(llm), options_(std::move(options)), templates_(PromptTemplates::load()) {}

ChatRequest Generator::request(const std::string& instruction, const std::string& query,
                               int sample_index) const {
  // The paper's exact user message; the heuristic backend splits on it.
  return make_request(AgentRole::kGenerator, options_, templates_.generator_system,
                      instruction + ", Prompt or subject to refine : " + query,
                      sample_index);
}

std::string Generator::generate(const std::string& instruction, const std::string& query,
                                int sample_index) const {
  std::string raw;
  std::optional<std::string> prompt = ask_until_usable(
      llm_, request(instruction, query, sample_index), templates_.generator_retry, counters_,
      [](const std::string& reply) -> std::optional<std::string> {
        // A refusal ("as an AI language model I cannot see images") is no
        // prompt, however cleanly it parses.
        std::string p = parse_generated_prompt(reply);
        if (p.empty() || looks_like_refusal(p)) return std::nullopt;
        return p;
      },
      raw);
  if (!prompt) {
    // Rendering the plain query keeps the iteration going; the score then
    // reflects the failed generation rather than a crash.
    spdlog::warn("generator: no usable prompt for query '{}' (sample {}) after {} attempts, using the query; "
                 "last reply: '{}'",
                 query, sample_index, kAgentAttempts, excerpt(raw));
    return query;
  }
  if (!keeps_subject(*prompt, query)) {
    counters_.subject_dropped();
    spdlog::debug("generator: the prompt for '{}' (sample {}) holds no word of the query: '{}'", query,
                  sample_index, excerpt(*prompt));
  }
  return *prompt;
}

}  // namespace bigpe
