#include "scheduler/agents/instruction_modifier.h"

#include <spdlog/spdlog.h>

#include <optional>

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
  std::string raw;
  std::optional<std::string> parsed = ask_until_usable(
      llm_, modify_request(improvement, instruction, sample_index), templates_.modifier_retry, counters_,
      [](const std::string& reply) -> std::optional<std::string> {
        std::string text = parse_instruction(reply);
        if (text.empty()) return std::nullopt;
        return text;
      },
      raw);
  if (parsed) return parsed;
  // The paper's run kept empty instructions here and evolved nothing; an
  // absent child is the honest outcome.
  spdlog::warn("instruction modifier: no usable instruction (sample {}) for improvement '{}'; "
               "last reply: '{}'",
               sample_index, excerpt(improvement), excerpt(raw));
  return std::nullopt;
}

std::vector<std::string> InstructionModifier::fallback(const std::string& instruction,
                                                       int sample_index) const {
  std::string raw;
  std::optional<std::vector<std::string>> parsed = ask_until_usable(
      llm_, fallback_request(instruction, sample_index), templates_.fallback_retry, counters_,
      [](const std::string& reply) -> std::optional<std::vector<std::string>> {
        std::vector<std::string> blocks = parse_instruction_blocks(reply);
        if (blocks.empty()) return std::nullopt;
        if (blocks.size() > kFallbackCount) blocks.resize(kFallbackCount);
        return blocks;
      },
      raw);
  if (parsed) {
    if (parsed->size() < kFallbackCount)
      spdlog::info("instruction modifier (fallback): {} of {} instructions parsed (sample {})", parsed->size(),
                   kFallbackCount, sample_index);
    return *parsed;
  }
  spdlog::warn("instruction modifier (fallback): no instruction parsed (sample {}); "
               "last reply: '{}'",
               sample_index, excerpt(raw));
  return {};
}

}  // namespace bigpe
