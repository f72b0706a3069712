#pragma once
// The one interval rule for a mean over repeats (docs/campaigns.md,
// "Statistics"): every table that summarises repeated experiments (the
// campaign tables, scripts/aggregate's Table 1, its Table 2 over
// experiments, the learning-curve bands, `bigpe bench optimizer`) reports
// the 95% Student-t interval
//
//   mean ± t(1 - (1-level)/2, n-1) · sd / sqrt(n),   sd with n-1,
//
// no interval for one repeat, and marks an interval from fewer than
// kFewRepeats repeats with "*". A comparison of two variants or methods is
// paired per repeat: pass the per-repeat differences. No resampling: a
// bootstrap over a handful of repeats is about their min and max and looks
// far surer than it is. scripts/bigpe_aggregate/stats.py implements the
// same rule; tests/unit/scheduler/stats/repeat_intervals.json holds the
// golden vectors (from scipy) that both implementations must reproduce.
//
// Thread-safety: pure functions.
#include <string>
#include <vector>

namespace bigpe::engine {

// Intervals from fewer repeats than this are marked.
inline constexpr int kFewRepeats = 5;

struct RepeatInterval {
  double mean = 0.0;
  double low = 0.0;   // valid only when has_interval()
  double high = 0.0;
  int n = 0;
  bool has_interval() const { return n >= 2; }
  bool few() const { return has_interval() && n < kFewRepeats; }
};

RepeatInterval repeat_interval(const std::vector<double>& values, double level = 0.95);

// The p-quantile of Student's t with df degrees of freedom.
// REQUIRES: 0 < p < 1, df > 0 (else throws std::invalid_argument).
double student_t_quantile(double p, double df);

// "mean [low, high]" with `digits` decimals (a leading sign when `signed_`),
// then "*" when the interval is marked; the mean alone for one repeat; "-"
// for none. scripts/bigpe_aggregate's fmt_interval writes the same text.
std::string format_repeat_interval(const RepeatInterval& r, int digits, bool signed_);

}  // namespace bigpe::engine
