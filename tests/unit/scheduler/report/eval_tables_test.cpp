// `bigpe eval`'s text table: method and pair names are shown whole, however
// long, so that pairs of long names stay distinguishable (they used to be
// cut at 34 characters, where "optimized:greedy-with-a-long-name.r0 -
// optimized:ucb..." and "... - optimized:ucb-other..." read the same).
#include <gtest/gtest.h>

#include "scheduler/report/eval_tables.h"

namespace bigpe::engine {
namespace {

MethodResult method(const std::string& name, double offset) {
  MethodResult m;
  m.method = name;
  m.values = {1.0 + offset, 2.0 + offset, 3.5 + offset, 4.0 + offset};
  summarize(m);
  return m;
}

TEST(EvalTables, LongMethodAndPairNamesAreNotCut) {
  EvaluationResult r;
  r.queries = {"a cactus", "a city"};
  r.seeds = 2;
  const std::string a = "optimized:variant-with-a-rather-long-name.r0";
  const std::string b = "optimized:variant-with-a-rather-long-name.r1";
  r.methods = {method("plain", 0.0), method(a, 0.5), method(b, 0.25)};
  const std::vector<PairComparison> pairs = all_pairs(r);
  const std::string text = eval_table_text(r, pairs);
  for (const std::string& name : {a, b, a + " - plain", b + " - plain", b + " - " + a})
    EXPECT_NE(text.find(name + " "), std::string::npos) << name << " is not shown whole in:\n" << text;
  // The number columns stay aligned: every row's interval starts at one column.
  std::vector<std::size_t> mean_columns;
  std::size_t pos = 0;
  for (std::string line; pos < text.size(); pos += line.size() + 1) {
    line = text.substr(pos, text.find('\n', pos) - pos);
    if (line.empty() || line.rfind("method", 0) == 0 || line.rfind("paired", 0) == 0) continue;
    mean_columns.push_back(line.find("  ["));
  }
  ASSERT_EQ(mean_columns.size(), 3u + pairs.size()) << text;
  for (std::size_t c : mean_columns) EXPECT_EQ(c, mean_columns.front()) << text;
}

TEST(EvalTables, ShortNamesKeepTheUsualWidth) {
  EvaluationResult r;
  r.methods = {method("plain", 0.0), method("baseline", 1.0)};
  const std::string text = eval_table_text(r, all_pairs(r));
  // "method" padded to 34 columns, then " %8s" of "mean".
  EXPECT_EQ(text.find("method" + std::string(28, ' ') + " " + "    mean"), 0u) << text;
  EXPECT_NE(text.find("\nbaseline - plain" + std::string(34 - 16, ' ') + " " + "  +1.000"), std::string::npos) << text;
}

}  // namespace
}  // namespace bigpe::engine
