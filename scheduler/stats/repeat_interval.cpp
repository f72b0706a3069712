#include "scheduler/stats/repeat_interval.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace bigpe::engine {
namespace {

// Continued fraction of the regularized incomplete beta function I_x(a, b)
// (modified Lentz), accurate where x < (a + 1) / (a + b + 2).
double beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-15;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double f = d;
  for (int m = 1; m <= 1000; ++m) {
    // Even step: d_2m = m (b - m) x / ((a + 2m - 1)(a + 2m)).
    double num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
    d = 1.0 + num * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + num / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    f *= d * c;
    // Odd step: d_2m+1 = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    num = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
    d = 1.0 + num * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + num / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double step = d * c;
    f *= step;
    if (std::fabs(step - 1.0) < kEps) break;
  }
  return f;
}

double incomplete_beta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
                           b * std::log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_fraction(a, b, x) / a;
  return 1.0 - std::exp(log_front) * beta_fraction(b, a, 1.0 - x) / b;
}

// P(T <= t) for t >= 0.
double student_t_cdf_upper_half(double t, double df) {
  return 1.0 - 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
}

}  // namespace

double student_t_quantile(double p, double df) {
  if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("student_t_quantile: p must be in (0, 1)");
  if (!(df > 0.0)) throw std::invalid_argument("student_t_quantile: df must be positive");
  if (p < 0.5) return -student_t_quantile(1.0 - p, df);
  if (p == 0.5) return 0.0;
  double lo = 0.0, hi = 1.0;
  while (student_t_cdf_upper_half(hi, df) < p) hi *= 2.0;
  // Bisection to the last bit: the CDF is monotone, and this runs a few
  // times per table.
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_cdf_upper_half(mid, df) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

RepeatInterval repeat_interval(const std::vector<double>& values, double level) {
  RepeatInterval r;
  r.n = static_cast<int>(values.size());
  if (values.empty()) return r;
  double sum = 0.0;
  for (double v : values) sum += v;
  r.mean = sum / static_cast<double>(r.n);
  r.low = r.high = r.mean;
  if (r.n < 2) return r;
  double ss = 0.0;
  for (double v : values) ss += (v - r.mean) * (v - r.mean);
  const double se = std::sqrt(ss / static_cast<double>(r.n - 1) / static_cast<double>(r.n));
  const double half = student_t_quantile(0.5 + level / 2.0, static_cast<double>(r.n - 1)) * se;
  r.low = r.mean - half;
  r.high = r.mean + half;
  return r;
}

std::string format_repeat_interval(const RepeatInterval& r, int digits, bool signed_) {
  if (r.n == 0) return "-";
  const char* spec = signed_ ? "%+.*f" : "%.*f";
  auto number = [&](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, digits, v);
    return std::string(buf);
  };
  std::string out = number(r.mean);
  if (!r.has_interval()) return out;
  out += " [" + number(r.low) + ", " + number(r.high) + "]";
  if (r.few()) out += "*";
  return out;
}

}  // namespace bigpe::engine
