#include "scheduler/agents/gradient_calculator.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <optional>
#include <stdexcept>

#include "scheduler/agents/agent_request.h"
#include "scheduler/agents/output_parsers.h"

namespace bigpe {
namespace {

std::string score_text(double score) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", score);
  return buf;
}

}  // namespace

GradientCalculator::GradientCalculator(LlmClient& llm, AgentOptions options)
    : llm_(llm), options_(std::move(options)), templates_(PromptTemplates::load()) {}

ChatRequest GradientCalculator::request(const std::string& instruction,
                                        const std::vector<ContrastPair>& pairs,
                                        int sample_index) const {
  std::string user = templates_.gradient_intro + "\n";
  user += "Instruction: <<<" + instruction + ">>>\n";
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const ContrastPair& p = pairs[i];
    user += "low_score_object" + std::to_string(i + 1) + ": " + one_line(p.query) +
            ", low_score_generated_prompt: " + one_line(p.low_prompt) +
            ", score: " + score_text(p.low_score) + "\n";
  }
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const ContrastPair& p = pairs[i];
    user += "high_score_object" + std::to_string(i + 1) + ": " + one_line(p.query) +
            ", high_score_prompt: " + one_line(p.high_prompt) +
            ", score: " + score_text(p.high_score) + "\n";
  }
  user += templates_.gradient_format;
  return make_request(AgentRole::kGradient, options_, templates_.gradient_system, user,
                      sample_index);
}

GradientCalculator::Output GradientCalculator::compute(
    const std::string& instruction, const std::vector<ContrastPair>& pairs,
    int sample_index) const {
  if (pairs.empty())
    throw std::invalid_argument(
        "GradientCalculator::compute: no contrast pairs (use InstructionModifier::fallback)");
  Output out;
  std::optional<std::vector<std::string>> improvements = ask_until_usable(
      llm_, request(instruction, pairs, sample_index), templates_.gradient_retry, counters_,
      [](const std::string& reply) -> std::optional<std::vector<std::string>> {
        std::vector<std::string> items = parse_improvements(reply);
        if (items.empty()) return std::nullopt;
        return items;
      },
      out.raw);
  out.inferences = parse_inferences(out.raw);
  if (improvements) {
    out.improvements = std::move(*improvements);
    return out;
  }
  spdlog::warn("gradient calculator: no improvements in the reply (sample {}) after {} attempts; "
               "the instruction gets no children from it; last reply: '{}'",
               sample_index, kAgentAttempts, excerpt(out.raw));
  return out;
}

}  // namespace bigpe
