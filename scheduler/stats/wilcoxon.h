#pragma once
// The Wilcoxon signed-rank test for paired samples, two-sided, normal
// approximation; the same numbers as
//   scipy.stats.wilcoxon(d, zero_method="wilcox", correction=False,
//                        alternative="two-sided", method="approx")
// (scipy 1.10):
//   1. drop the differences that are exactly 0 ("wilcox"); n = what is left;
//   2. rank |d| with average ranks for ties (scipy.stats.rankdata);
//   3. R+ = sum of ranks of d > 0, R- = sum of ranks of d < 0,
//      T = min(R+, R-) (the statistic scipy reports for two-sided);
//   4. mean n(n+1)/4; variance n(n+1)(2n+1)/24 - sum over tie groups of
//      t(t^2-1)/48;
//   5. z = (T - mean) / sd (no continuity correction), p = 2·(1 - Φ(|z|)).
// With no non-zero difference the test has no information: p = 1, z = 0
// (scipy returns NaN there). scipy's default method="auto" would use the
// exact distribution for n <= 50 without ties or zeros; we always use the
// approximation so one rule covers every sample size.
//
// Thread-safety: pure function.
#include <vector>

namespace bigpe::engine {

struct WilcoxonResult {
  int n = 0;               // non-zero differences
  double r_plus = 0.0;
  double r_minus = 0.0;
  double statistic = 0.0;  // min(R+, R-)
  double z = 0.0;
  double p_value = 1.0;
};

WilcoxonResult wilcoxon_signed_rank(const std::vector<double>& differences);

}  // namespace bigpe::engine
