#pragma once
// Held-out evaluation (sim-v1 section 3, generalising the paper's Table 2):
// every held-out query, `eval.seeds` image seeds shared by every method, and
// the generator's samples shared too (common random numbers), so methods
// are compared pairwise on the same (query, seed) cells.
//
// Methods: plain (the query itself), baseline (I0 through the generator),
// professional (the database's first prompt for the query), optimized (the
// final instruction through the generator).
#include <string>
#include <vector>

#include "scheduler/engine/engine_context.h"

namespace bigpe::engine {

struct MethodResult {
  std::string method;
  std::string instruction;  // for baseline and optimized
  double mean = 0.0;
  double ci_low = 0.0;   // 95% interval of the mean (normal approximation)
  double ci_high = 0.0;
  int n = 0;
  std::vector<double> values;  // query-major, seed-minor: paired across methods
};

struct EvaluationResult {
  std::vector<std::string> queries;
  int seeds = 0;
  std::vector<MethodResult> methods;
  const MethodResult* find(const std::string& method) const;
};

// Mean and 95% interval of a sample.
void summarize(MethodResult& m);
// Paired difference a - b with its interval, as a MethodResult named name.
MethodResult paired_difference(const MethodResult& a, const MethodResult& b, const std::string& name);

EvaluationResult evaluate(EngineContext& ctx, const std::string& final_instruction);

// The renders of the methods that do not depend on the final instruction
// (plain, baseline, professional), so they can be submitted early.
std::vector<RenderJob> evaluation_fixed_jobs(EngineContext& ctx);

std::string encode_evaluation(const EvaluationResult& r);
EvaluationResult decode_evaluation(const std::string& bytes);

}  // namespace bigpe::engine
