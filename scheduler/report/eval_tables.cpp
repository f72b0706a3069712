#include "scheduler/report/eval_tables.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "common/csv_writer.h"

namespace bigpe::engine {

PairComparison compare_methods(const MethodResult& a, const MethodResult& b) {
  PairComparison p;
  p.a = a.method;
  p.b = b.method;
  p.difference = paired_difference(a, b, a.method + " - " + b.method);
  p.wilcoxon = wilcoxon_signed_rank(p.difference.values);
  return p;
}

std::vector<PairComparison> all_pairs(const EvaluationResult& r) {
  std::vector<PairComparison> out;
  for (std::size_t j = 1; j < r.methods.size(); ++j)
    for (std::size_t i = 0; i < j; ++i) out.push_back(compare_methods(r.methods[j], r.methods[i]));
  return out;
}

void write_eval_csv(const std::string& dir, const EvaluationResult& r, const std::vector<PairComparison>& pairs) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());

  CsvWriter methods(dir + "/methods.csv", {"method", "instruction", "mean", "ci_low", "ci_high", "n"});
  for (const MethodResult& m : r.methods)
    methods.row({m.method, m.instruction, csv_number(m.mean), csv_number(m.ci_low), csv_number(m.ci_high),
                 std::to_string(m.n)});
  methods.close();

  CsvWriter pw(dir + "/pairs.csv", {"a", "b", "mean_diff", "ci_low", "ci_high", "n", "n_nonzero",
                                    "wilcoxon_statistic", "z", "p_value"});
  for (const PairComparison& p : pairs)
    pw.row({p.a, p.b, csv_number(p.difference.mean), csv_number(p.difference.ci_low),
            csv_number(p.difference.ci_high), std::to_string(p.difference.n), std::to_string(p.wilcoxon.n),
            csv_number(p.wilcoxon.statistic), csv_number(p.wilcoxon.z), csv_number(p.wilcoxon.p_value)});
  pw.close();

  CsvWriter cells(dir + "/cells.csv", {"method", "query", "seed", "score", "prompt", "image"});
  for (const MethodResult& m : r.methods)
    for (std::size_t c = 0; c < m.values.size(); ++c)
      cells.row({m.method, r.query_of(c), std::to_string(r.seed_of(c)), csv_number(m.values[c]),
                 c < m.prompts.size() ? m.prompts[c] : "", c < m.images.size() ? m.images[c] : ""});
  cells.close();
}

std::string eval_table_text(const EvaluationResult& r, const std::vector<PairComparison>& pairs) {
  std::ostringstream out;
  char line[320];
  std::snprintf(line, sizeof line, "%-34s %8s  %-19s %5s\n", "method", "mean", "95% bootstrap CI", "n");
  out << line;
  for (const MethodResult& m : r.methods) {
    std::snprintf(line, sizeof line, "%-34s %8.3f  [%7.3f, %7.3f] %5d\n", m.method.substr(0, 34).c_str(), m.mean,
                  m.ci_low, m.ci_high, m.n);
    out << line;
  }
  std::snprintf(line, sizeof line, "\n%-34s %8s  %-19s %9s\n", "paired difference", "mean", "95% bootstrap CI",
                "Wilcoxon p");
  out << line;
  for (const PairComparison& p : pairs) {
    std::string name = (p.a + " - " + p.b).substr(0, 34);
    std::snprintf(line, sizeof line, "%-34s %+8.3f  [%+7.3f, %+7.3f] %9.3g\n", name.c_str(), p.difference.mean,
                  p.difference.ci_low, p.difference.ci_high, p.wilcoxon.p_value);
    out << line;
  }
  return out.str();
}

}  // namespace bigpe::engine
