#include "scheduler/llm/heuristic/heuristic_llm.h"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "common/content_hash.h"
#include "backends/sim/sim_text.h"
#include "scheduler/llm/heuristic/heuristic_agents.h"

namespace bigpe {

namespace heuristic {

std::string extract_block(const std::string& text, const std::string& label, const char* role) {
  const std::string open = label + "<<<";
  std::size_t at = text.find(open);
  if (at == std::string::npos)
    throw LlmError(std::string("heuristic ") + role + ": the user message has no '" + open + "'");
  at += open.size();
  std::size_t end = text.find(">>>", at);
  if (end == std::string::npos)
    throw LlmError(std::string("heuristic ") + role + ": '" + open + "' is not closed by '>>>'");
  return text.substr(at, end - at);
}

}  // namespace heuristic

namespace {

const std::string& last_user_message(const ChatRequest& request) {
  for (auto it = request.messages.rbegin(); it != request.messages.rend(); ++it)
    if (it->role == "user") return it->content;
  throw LlmError(std::string("heuristic ") + role_name(request.role) +
                 ": the request has no user message");
}

// The stream of every role but the generator: a function of the whole
// request, so different requests draw independent numbers.
std::string request_stream(const HeuristicOptions& opts, const ChatRequest& request) {
  std::string content;
  for (const ChatMessage& m : request.messages) {
    content += m.role;
    content += '\0';
    content += m.content;
    content += '\0';
  }
  return std::string("heuristic-v1|") + role_name(request.role) + "|" + std::to_string(opts.seed) +
         "|" + sha256_hex(content) + "|" + std::to_string(request.sample_index);
}


}  // namespace

HeuristicLlm::HeuristicLlm(std::shared_ptr<const sim::Vocabulary> vocab, HeuristicOptions opts)
    : vocab_(std::move(vocab)), opts_(opts) {
  if (!vocab_ || vocab_->size() == 0)
    throw std::invalid_argument("HeuristicLlm: the vocabulary is missing or empty");
  for (auto [name, p] : {std::pair<const char*, double>{"gc_specific", opts_.gc_specific},
                         {"modifier_drop", opts_.modifier_drop}})
    if (!(p >= 0.0 && p <= 1.0))
      throw std::invalid_argument(std::string("HeuristicLlm: ") + name + " must lie in [0, 1], got " +
                                  std::to_string(p));
  std::string phrases;
  for (const std::string& p : vocab_->phrases()) phrases += p + "\n";
  char buf[160];
  std::snprintf(buf, sizeof buf, "heuristic-v1 seed=%llu gc_specific=%.17g fallback_quirk=%d modifier_drop=%.17g",
                static_cast<unsigned long long>(opts_.seed), opts_.gc_specific,
                opts_.fallback_quirk ? 1 : 0, opts_.modifier_drop);
  model_id_ = std::string(buf) + " vocab=" + sha256_hex(phrases).substr(0, 16);
}

ChatResponse HeuristicLlm::complete(const ChatRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  const std::string& user = last_user_message(request);
  ChatResponse r;
  if (request.role == AgentRole::kGenerator) {
    r.text = heuristic::generate(*vocab_, opts_, user, request.sample_index);
  } else {
    SeededRng rng(request_stream(opts_, request));
    switch (request.role) {
      case AgentRole::kGradient: r.text = heuristic::calculate_gradient(*vocab_, opts_, user, rng); break;
      case AgentRole::kModifier: r.text = heuristic::modify_instruction(opts_, user, rng); break;
      case AgentRole::kFallback: r.text = heuristic::fallback_instructions(*vocab_, opts_, user, rng); break;
      case AgentRole::kGenerator: break;  // handled above
    }
  }
  // No usage: offline answers spend no tokens, so a run's token and cost
  // accounting counts only what a server reports.
  r.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace bigpe
