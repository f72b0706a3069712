#include "scheduler/agents/instruction_modifier.h"

#include <spdlog/spdlog.h>

#include "scheduler/agents/agent_request.h"
#include "scheduler/agents/output_parsers.h"

namespace bigpe {
namespace {

// The fallback asks for three variants; more are not wanted.
constexpr std::size_t kFallbackCount = 3;

}  // namespace

InstructionModifier::InstructionModifier(LlmClient& llm, AgentOptions options)
    : llm_(llm), options_(std::move(options)), templates_(PromptTemplates::load()) {}

ChatRequest InstructionModifier::modify_request(const std::string& improvement,
                                                const std::string& instruction,
                                                int sample_index) const {
  const std::string user = "Improvement suggestion: <<<" + one_line(improvement) + ">>>\n" +
                           "Current instruction: <<<" + instruction + ">>>\n" +
                           templates_.modifier_request;
  return make_request(AgentRole::kModifier, options_, templates_.modifier_system, user,
                      sample_index);
}

ChatRequest InstructionModifier::fallback_request(const std::string& instruction,
                                                  int sample_index) const {
  const std::string user =
      "Current instruction: <<<" + instruction + ">>>\n" + templates_.fallback_request;
  return make_request(AgentRole::kFallback, options_, templates_.modifier_system, user,
                      sample_index);
}

std::optional<std::string> InstructionModifier::modify(const std::string& improvement,
                                                       const std::string& instruction,
                                                       int sample_index) const {
  ChatRequest req = modify_request(improvement, instruction, sample_index);
  std::string raw;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt > 0) req = retry_request(req, templates_.modifier_retry);
    raw = llm_.complete(req).text;
    std::string parsed = parse_instruction(raw);
    if (!parsed.empty()) return parsed;
  }
  // The paper's run kept empty instructions here and evolved nothing; an
  // absent child is the honest outcome.
  spdlog::warn("instruction modifier: no usable instruction (sample {}) for improvement '{}'; "
               "last reply: '{}'",
               sample_index, excerpt(improvement), excerpt(raw));
  return std::nullopt;
}

std::vector<std::string> InstructionModifier::fallback(const std::string& instruction,
                                                       int sample_index) const {
  ChatRequest req = fallback_request(instruction, sample_index);
  std::string raw;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt > 0) req = retry_request(req, templates_.fallback_retry);
    raw = llm_.complete(req).text;
    std::vector<std::string> parsed = parse_instruction_blocks(raw);
    if (parsed.size() > kFallbackCount) parsed.resize(kFallbackCount);
    if (!parsed.empty()) {
      if (parsed.size() < kFallbackCount)
        spdlog::info("instruction modifier (fallback): {} of {} instructions parsed (sample {})",
                     parsed.size(), kFallbackCount, sample_index);
      return parsed;
    }
  }
  spdlog::warn("instruction modifier (fallback): no instruction parsed (sample {}); "
               "last reply: '{}'",
               sample_index, excerpt(raw));
  return {};
}

}  // namespace bigpe
