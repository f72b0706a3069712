#include "scheduler/report/eval_tables.h"

#include <algorithm>
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

// Names are never cut (two pairs of long method names would then read
// alike): the first column is as wide as the longest name.
std::string eval_table_text(const EvaluationResult& r, const std::vector<PairComparison>& pairs) {
  std::size_t width = 34;
  for (const MethodResult& m : r.methods) width = std::max(width, m.method.size());
  for (const PairComparison& p : pairs) width = std::max(width, p.a.size() + 3 + p.b.size());
  auto pad_right = [](std::string text, std::size_t to) {
    if (text.size() < to) text.append(to - text.size(), ' ');
    return text;
  };
  std::ostringstream out;
  char line[320];
  std::snprintf(line, sizeof line, "%8s  %-19s %5s\n", "mean", "95% bootstrap CI", "n");
  out << pad_right("method", width) << " " << line;
  for (const MethodResult& m : r.methods) {
    std::snprintf(line, sizeof line, "%8.3f  [%7.3f, %7.3f] %5d\n", m.mean, m.ci_low, m.ci_high, m.n);
    out << pad_right(m.method, width) << " " << line;
  }
  std::snprintf(line, sizeof line, "%8s  %-19s %9s\n", "mean", "95% bootstrap CI", "Wilcoxon p");
  out << "\n" << pad_right("paired difference", width) << " " << line;
  for (const PairComparison& p : pairs) {
    std::snprintf(line, sizeof line, "%+8.3f  [%+7.3f, %+7.3f] %9.3g\n", p.difference.mean, p.difference.ci_low,
                  p.difference.ci_high, p.wilcoxon.p_value);
    out << pad_right(p.a + " - " + p.b, width) << " " << line;
  }
  return out.str();
}

}  // namespace bigpe::engine
