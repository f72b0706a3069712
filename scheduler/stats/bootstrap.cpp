#include "scheduler/stats/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/seeded_rng.h"

namespace bigpe::engine {

double mean_of_values(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double linear_quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) throw std::invalid_argument("linear_quantile: empty sample");
  const double h = (static_cast<double>(sorted.size()) - 1.0) * q;
  const std::size_t lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

Interval bootstrap_mean_interval(const std::vector<double>& values, const std::string& stream,
                                 const BootstrapOptions& options) {
  if (values.empty()) return {};
  const double mean = mean_of_values(values);
  const bool constant = std::all_of(values.begin(), values.end(), [&](double v) { return v == values[0]; });
  if (values.size() == 1 || constant || options.resamples < 2) return {mean, mean};
  SeededRng rng("bootstrap|" + stream);
  const int64_t n = static_cast<int64_t>(values.size());
  std::vector<double> means(static_cast<std::size_t>(options.resamples));
  for (double& m : means) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += values[static_cast<std::size_t>(rng.below(n))];
    m = sum / static_cast<double>(n);
  }
  std::sort(means.begin(), means.end());
  const double tail = (1.0 - options.level) / 2.0;
  return {linear_quantile(means, tail), linear_quantile(means, 1.0 - tail)};
}

}  // namespace bigpe::engine
