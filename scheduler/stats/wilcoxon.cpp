#include "scheduler/stats/wilcoxon.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bigpe::engine {

WilcoxonResult wilcoxon_signed_rank(const std::vector<double>& differences) {
  std::vector<double> d;
  for (double v : differences)
    if (v != 0.0) d.push_back(v);
  WilcoxonResult r;
  r.n = static_cast<int>(d.size());
  if (d.empty()) return r;

  std::vector<std::size_t> order(d.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return std::fabs(d[a]) < std::fabs(d[b]); });
  double tie_term = 0.0;  // sum of t^3 - t over tie groups
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && std::fabs(d[order[j + 1]]) == std::fabs(d[order[i]])) ++j;
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;  // 1-based average
    const double t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    for (std::size_t k = i; k <= j; ++k) (d[order[k]] > 0 ? r.r_plus : r.r_minus) += rank;
    i = j + 1;
  }
  const double n = static_cast<double>(r.n);
  r.statistic = std::min(r.r_plus, r.r_minus);
  const double mean = n * (n + 1.0) / 4.0;
  const double var = n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - tie_term / 48.0;
  if (var <= 0.0) return r;
  r.z = (r.statistic - mean) / std::sqrt(var);
  r.p_value = std::erfc(std::fabs(r.z) / std::sqrt(2.0));  // = 2·(1 - Φ(|z|))
  if (r.p_value > 1.0) r.p_value = 1.0;
  return r;
}

}  // namespace bigpe::engine
