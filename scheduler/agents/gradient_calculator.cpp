#include "scheduler/agents/gradient_calculator.h"

#include <spdlog/spdlog.h>

#include <cstdio>
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
  ChatRequest req = request(instruction, pairs, sample_index);
  Output out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt > 0) req = retry_request(req, templates_.gradient_retry);
    out.raw = llm_.complete(req).text;
    out.improvements = parse_improvements(out.raw);
    out.inferences = parse_inferences(out.raw);
    if (!out.improvements.empty()) return out;
  }
  spdlog::warn("gradient calculator: no improvements in the reply (sample {}); "
               "the instruction gets no children from it; last reply: '{}'",
               sample_index, excerpt(out.raw));
  return out;
}

}  // namespace bigpe
