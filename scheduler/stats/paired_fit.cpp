#include "scheduler/stats/paired_fit.h"

#include <algorithm>
#include <cmath>

namespace bigpe::engine {

PairedFit fit_paired(const std::vector<const std::vector<double>*>& arms, double shrink, int sweeps) {
  PairedFit fit;
  std::size_t cells = 0;
  for (const auto* a : arms) cells = std::max(cells, a->size());
  std::vector<double> gamma(cells, 0.0), sum(cells);
  std::vector<int> count(cells);
  fit.means.assign(arms.size(), 0.0);
  for (int it = 0; it < sweeps; ++it) {
    for (std::size_t a = 0; a < arms.size(); ++a) {
      const std::vector<double>& x = *arms[a];
      if (x.empty()) continue;
      double s = 0;
      for (std::size_t c = 0; c < x.size(); ++c) s += x[c] - gamma[c];
      fit.means[a] = s / static_cast<double>(x.size());
    }
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(count.begin(), count.end(), 0);
    for (std::size_t a = 0; a < arms.size(); ++a)
      for (std::size_t c = 0; c < arms[a]->size(); ++c) {
        sum[c] += (*arms[a])[c] - fit.means[a];
        ++count[c];
      }
    for (std::size_t c = 0; c < cells; ++c) gamma[c] = sum[c] / (count[c] + shrink);
  }
  double ss = 0;
  long n = 0;
  for (std::size_t a = 0; a < arms.size(); ++a)
    for (std::size_t c = 0; c < arms[a]->size(); ++c) {
      const double r = (*arms[a])[c] - fit.means[a] - gamma[c];
      ss += r * r;
      ++n;
    }
  fit.residual_sd = n > 1 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0;
  return fit;
}

}  // namespace bigpe::engine
