#pragma once
// The statistics and CSV files of an evaluation (`bigpe eval`): per method
// the mean with its 95% bootstrap interval over cells; per pair of methods
// (every pair; a = the later method in the list, b = the earlier) the
// paired difference a - b over cells with its bootstrap interval and the
// two-sided Wilcoxon signed-rank p-value (wilcoxon.h). Files:
//   methods.csv  method, instruction, mean, ci_low, ci_high, n
//   pairs.csv    a, b, mean_diff, ci_low, ci_high, n, n_nonzero,
//                wilcoxon_statistic, z, p_value
//   cells.csv    method, query, seed, score, prompt, image
//
// Thread-safety: pure functions (the writers touch only their files).
#include <string>
#include <vector>

#include "scheduler/engine/evaluation.h"
#include "scheduler/stats/wilcoxon.h"

namespace bigpe::engine {

struct PairComparison {
  std::string a;
  std::string b;
  MethodResult difference;  // per-cell a - b, its mean and interval
  WilcoxonResult wilcoxon;
};

PairComparison compare_methods(const MethodResult& a, const MethodResult& b);
std::vector<PairComparison> all_pairs(const EvaluationResult& r);

// Writes the three CSV files into dir (created if missing); throws naming
// the file that could not be written.
void write_eval_csv(const std::string& dir, const EvaluationResult& r, const std::vector<PairComparison>& pairs);

// Fixed-width text: the methods, then the pairs.
std::string eval_table_text(const EvaluationResult& r, const std::vector<PairComparison>& pairs);

}  // namespace bigpe::engine
