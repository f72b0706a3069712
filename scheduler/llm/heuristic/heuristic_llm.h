#pragma once
// HeuristicLlm: the offline, deterministic LLM backend of the sim-v1
// benchmark (docs/sim-v1.md section 2). It reads the same chat messages
// the real agents send (formats in scheduler/agents) and answers in the same
// formats, so every parser and the whole loop run without a model. It knows
// the public modifier vocabulary but never the scorer's hidden weights.
//
// Roles: kGenerator writes a refined prompt, kGradient reads contrast pairs
// and writes "Inference k / Improvement k" lines, kModifier edits an
// instruction's directives, kFallback proposes three children. Randomness is
// a pure function of (seed, role, request content, sample_index); the
// generator's stream depends only on (seed, query, sample_index), so every
// instruction sees common random numbers on the same query and sample.
//
// A request that does not match its role's format throws LlmError naming the
// role and the missing part. The request's model, temperature and max_tokens
// are ignored: sampling diversity comes from sample_index alone.
//
// Thread-safety: complete() is const in effect and safe to call from many
// threads at once.
#include <cstdint>
#include <memory>
#include <string>

#include "backends/sim/sim_vocabulary.h"
#include "scheduler/llm/llm_client.h"

namespace bigpe {

struct HeuristicOptions {
  uint64_t seed = 0;
  // Probability that the gradient calculator writes each contrast-based
  // item (1: ideal contrast reader; 0: generic advice only).
  double gc_specific = 0.5;
  // The paper's run: the fallback's output parsed to one empty instruction.
  bool fallback_quirk = false;
  // Probability that the modifier's rewrite also drops one random Add item
  // (a lossy LLM rewrite). Tests set 0 to check the edits themselves.
  double modifier_drop = 0.1;
};

class HeuristicLlm : public LlmClient {
 public:
  // REQUIRES: vocab non-null and non-empty (else std::invalid_argument);
  // gc_specific and modifier_drop in [0, 1] (else std::invalid_argument).
  HeuristicLlm(std::shared_ptr<const sim::Vocabulary> vocab, HeuristicOptions opts);

  ChatResponse complete(const ChatRequest& request) override;
  std::string name() const override { return "heuristic"; }
  // "heuristic-v1 seed=S gc_specific=G fallback_quirk=Q modifier_drop=D
  // vocab=<hash prefix>".
  std::string model_id() const override { return model_id_; }

 private:
  std::shared_ptr<const sim::Vocabulary> vocab_;
  HeuristicOptions opts_;
  std::string model_id_;
};

}  // namespace bigpe
