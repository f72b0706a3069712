#pragma once
// The campaign's judge table (issue 14): per variant and held-out judge
// (score.judges), the held-out gain over I0 on the optimized score and on
// the judge, each the mean over finished repeats with the 95% t-interval
// (repeat_interval.h), their paired per-repeat difference judge −
// optimized, and the share judge gain / optimized gain. A gain that the
// judge does not confirm is the metric being exploited, not the images
// improving. Only experiments that have the judge count for it.
//
// Thread-safety: pure functions.
#include <string>
#include <vector>

#include "scheduler/report/campaign_summary.h"
#include "scheduler/stats/repeat_interval.h"

namespace bigpe::engine {

struct JudgeGainRow {
  std::string variant;
  std::string optimized_scorer;  // what the variant's loop optimized
  std::string judge;
  RepeatInterval optimized_gain, judge_gain, difference;  // difference: judge − optimized
  double share = 0.0;  // judge_gain.mean / optimized_gain.mean (0 when that is 0)
};

// Rows in order of variant, then judge as the experiments list them; empty
// when no finished experiment has a judge.
std::vector<JudgeGainRow> judge_gain_rows(const std::vector<ExperimentSummary>& rows);
// Only a gain that is there has a share: the optimized gain above zero
// with its interval (or its mean, from one repeat). A ratio to a gain near
// zero says nothing; scripts/aggregate's judges table uses the same rule.
bool share_meaningful(const JudgeGainRow& r);
// The judges any experiment has, in order of first appearance.
std::vector<std::string> judge_names(const std::vector<ExperimentSummary>& rows);

// The table as Markdown (summary.md) and as fixed-width text (the console);
// "" when there are no rows.
std::string judge_table_markdown(const std::vector<JudgeGainRow>& rows);
std::string judge_table_text(const std::vector<JudgeGainRow>& rows);
// judges.csv: one row per judge_gain_rows() row, each interval as
// _mean, _ci_low, _ci_high (empty where there is none). Throws naming the
// path when it cannot be written. The share, here as in the tables, only
// where the gain on the optimized score is above zero with its interval.
void write_judge_csv(const std::string& path, const std::vector<JudgeGainRow>& rows);

}  // namespace bigpe::engine
