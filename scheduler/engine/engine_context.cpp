#include "scheduler/engine/engine_context.h"

#include <array>

#include "common/content_hash.h"

namespace bigpe::engine {
namespace {

uint64_t hash64(const std::string& material) {
  std::array<uint8_t, 32> d = sha256(material);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[i];
  return v;
}

}  // namespace

std::string stream_key(const ExperimentSettings& s, const std::string& purpose, int iteration) {
  return "bigpe|" + purpose + "|" + std::to_string(s.seed) + "|" + std::to_string(iteration);
}

int training_sample_index(const ExperimentSettings& s, int iteration) {
  uint64_t h = hash64(stream_key(s, "llm-sample", iteration));
  // Multiples of 64 in [2^29, 2^30): room for +k per child and the agents'
  // +1000 retry offsets without overflow or overlap with evaluation indices.
  uint64_t r = h % (1u << 29);
  return static_cast<int>((1u << 29) + r - r % 64);
}

AgentTally agent_tally(const EngineContext& ctx) {
  AgentTally t = ctx.generator.tally();
  t += ctx.gradient.tally();
  t += ctx.modifier.tally();
  return t;
}

std::map<std::string, AgentTally> agent_tallies(const EngineContext& ctx) {
  return {{"generator", ctx.generator.tally()}, {"gradient", ctx.gradient.tally()}, {"modifier", ctx.modifier.tally()}};
}

std::map<std::string, AgentTally> tallies_since(const std::map<std::string, AgentTally>& before,
                                                const std::map<std::string, AgentTally>& now) {
  std::map<std::string, AgentTally> d;
  for (const auto& [agent, t] : now) {
    auto b = before.find(agent);
    d[agent] = b == before.end() ? t : t - b->second;
  }
  return d;
}

int64_t image_seed(const std::string& material) {
  return static_cast<int64_t>(hash64("image-seed|" + material) >> 33);
}

}  // namespace bigpe::engine
