#pragma once
// AgentOptions: the sampling settings every agent (Generator, Gradient
// Calculator, Instruction Modifier) sends with its chat requests. A plain
// value type; copy it freely.
#include <string>

namespace bigpe {

struct AgentOptions {
  std::string model;  // passed through to the endpoint; empty = its default
  double temperature = 1.0;
  int max_tokens = 512;
};

// The offset added to a sample index when an agent asks again after an
// unusable reply, so that the retry is a different sample (a different
// cache key and heuristic stream) rather than a replay of the bad one.
inline constexpr int kRetrySampleOffset = 1000;

// Attempts per agent call: the first and two retries, each a new sample
// (and so its own cache entry: a resumed run asks nothing again).
inline constexpr int kAgentAttempts = 3;

}  // namespace bigpe
