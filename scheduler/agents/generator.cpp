#include "scheduler/agents/generator.h"

#include <spdlog/spdlog.h>

#include "scheduler/agents/agent_request.h"
#include "scheduler/agents/output_parsers.h"

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
  ChatRequest req = request(instruction, query, sample_index);
  std::string raw;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt > 0) req = retry_request(req, templates_.generator_retry);
    raw = llm_.complete(req).text;
    std::string prompt = parse_generated_prompt(raw);
    if (!prompt.empty()) return prompt;
  }
  // Rendering the plain query keeps the iteration going; the score then
  // reflects the failed generation rather than a crash.
  spdlog::warn("generator: no usable prompt for query '{}' (sample {}), using the query; "
               "last reply: '{}'",
               query, sample_index, excerpt(raw));
  return query;
}

}  // namespace bigpe
