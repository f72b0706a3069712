#pragma once
// Held-out evaluation (sim-v1 section 3, generalising the paper's Table 2):
// a fixed query set (by default the held-out queries), `eval.seeds` image
// seeds per query shared by every method, and the generator's samples
// shared too (common random numbers), so methods are compared pairwise on
// the same (query, seed) cells. Cells are query-major, seed-minor: cell c is
// query c / seeds with seed seed_base + c % seeds.
//
// Methods: plain (the query itself), baseline (I0 through the generator),
// professional (the database's first prompt for the query), and optimized
// instructions through the generator. Each method keeps, per cell, the
// score, the prompt that was rendered and the image path (when written).
// Intervals are 95% percentile bootstrap intervals over cells
// (bootstrap.h), seeded by the method's name, so they are reproducible.
//
// Thread-safety: evaluate*() runs on the experiment's thread (it drives its
// RenderService); the rest are pure functions.
#include <cstdint>
#include <string>
#include <vector>

#include "scheduler/engine/engine_context.h"

namespace bigpe::engine {

struct MethodResult {
  std::string method;
  std::string instruction;  // for baseline and optimized
  double mean = 0.0;
  double ci_low = 0.0;   // 95% bootstrap interval of the mean
  double ci_high = 0.0;
  int n = 0;
  std::vector<double> values;        // per cell: paired across methods
  std::vector<std::string> prompts;  // per cell; empty for old records
  std::vector<std::string> images;   // per cell image path ("" when none)
};

// The evaluation's cells and the one rule that gives each its query and
// image seed (query-major, seed-minor). Every method renders the same cells.
struct EvalCells {
  std::vector<std::string> queries;
  int seeds = 0;
  int64_t seed_base = 0;
  std::size_t size() const { return queries.size() * static_cast<std::size_t>(seeds); }
  const std::string& query_of(std::size_t cell) const { return queries[cell / seeds]; }
  int64_t seed_of(std::size_t cell) const { return seed_base + static_cast<int64_t>(cell % seeds); }
  // The generator's sample index on a cell: the same sample for every
  // instruction on it, in this and in every other experiment.
  int sample_of(std::size_t cell) const { return static_cast<int>(cell % seeds); }
};

// One held-out judge's scores (score.judges, scheduler/render/
// score_target.h) of the same cells: the methods again, in the same order,
// their values that judge's scores.
struct JudgeResult {
  std::string judge;
  std::vector<MethodResult> methods;
};

struct EvaluationResult : EvalCells {
  std::vector<MethodResult> methods;  // the optimized score (score.optimize)
  std::vector<JudgeResult> judges;    // empty without score.judges
  const MethodResult* find(const std::string& method) const;
  // This evaluation as `judge` scored it: the same cells and methods with
  // that judge's values, so every table and statistic of an evaluation
  // (the same paired bootstrap) applies to it unchanged. Throws
  // std::out_of_range for a judge it does not have.
  EvaluationResult judged_by(const std::string& judge) const;
};

// What a method renders on each cell.
struct EvalMethod {
  enum class Kind { kPlain, kProfessional, kGenerated };
  std::string name;
  Kind kind = Kind::kGenerated;
  std::string instruction;  // kGenerated only
};

// Mean and 95% bootstrap interval of m.values.
void summarize(MethodResult& m);
// Paired difference a - b (per cell) with its interval, as a MethodResult
// named name. The interval's bootstrap stream is named by the pair, never
// by the label, so that every table (the console's, report.md, report.json,
// `bigpe eval`, an export) shows the same interval for the same difference.
MethodResult paired_difference(const MethodResult& a, const MethodResult& b, const std::string& name);

// plain, baseline, professional, optimized (the final instruction) on the
// held-out queries.
EvaluationResult evaluate(EngineContext& ctx, const std::string& final_instruction);
// How many renders evaluate() asks for (cells x methods), cached or not.
long evaluation_render_count(const EngineContext& ctx);
// Any methods on any queries, ctx.settings.eval_seeds seeds from
// ctx.settings.eval_seed_base. All renders are submitted at once.
EvaluationResult evaluate_methods(EngineContext& ctx, const std::vector<std::string>& queries,
                                  const std::vector<EvalMethod>& methods);

// The renders of the methods that do not depend on the final instruction
// (plain, baseline, professional), so they can be submitted early.
std::vector<RenderJob> evaluation_fixed_jobs(EngineContext& ctx);

std::string encode_evaluation(const EvaluationResult& r);
// Throws schemas::DecodeError naming the field.
EvaluationResult decode_evaluation(const std::string& bytes);

}  // namespace bigpe::engine
