#include "scheduler/agents/agent_request.h"

namespace bigpe {

ChatRequest make_request(AgentRole role, const AgentOptions& options,
                         const std::string& system, const std::string& user,
                         int sample_index) {
  ChatRequest r;
  r.role = role;
  r.model = options.model;
  r.temperature = options.temperature;
  r.max_tokens = options.max_tokens;
  r.sample_index = sample_index;
  r.messages = {{"system", system}, {"user", user}};
  return r;
}

ChatRequest retry_request(const ChatRequest& first, const std::string& reminder, int attempt) {
  ChatRequest r = first;
  r.sample_index = first.sample_index + attempt * kRetrySampleOffset;
  for (auto& m : r.messages) {
    if (m.role == "system") {
      m.content += "\n\n" + reminder;
      return r;
    }
  }
  r.messages.insert(r.messages.begin(), ChatMessage{"system", reminder});
  return r;
}

std::string excerpt(const std::string& text, std::size_t n) {
  std::string flat = one_line(text);
  if (flat.size() > n) flat = flat.substr(0, n) + "...";
  return flat;
}

}  // namespace bigpe
