#pragma once
// Percentile bootstrap intervals for the mean of a sample, as reported by
// every evaluation (`bigpe run`'s held-out table, `bigpe eval`, campaign
// summaries).
//
// Method: draw `resamples` samples of the same size with replacement from
// the values (the cells), take each resample's mean, and report the
// (1-level)/2 and (1+level)/2 quantiles of those means, interpolated
// linearly between order statistics as numpy.percentile's default does
// (position h = (R-1)·q, 0-based). The draws come from SeededRng(stream),
// so an interval is a pure function of (values, stream, resamples, level):
// a resumed or re-read evaluation reports the same numbers. For a paired
// comparison pass the per-cell differences.
//
// Thread-safety: pure functions.
#include <string>
#include <vector>

namespace bigpe::engine {

struct BootstrapOptions {
  int resamples = 10000;
  double level = 0.95;
};

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

double mean_of_values(const std::vector<double>& values);

// The interval of the mean. An empty sample gives {0, 0}; one value (or all
// equal) gives a zero-width interval at the mean.
Interval bootstrap_mean_interval(const std::vector<double>& values, const std::string& stream,
                                 const BootstrapOptions& options = {});

// numpy.percentile(sorted, 100*q) with linear interpolation.
// REQUIRES: `sorted` non-empty and ascending; 0 <= q <= 1.
double linear_quantile(const std::vector<double>& sorted, double q);

}  // namespace bigpe::engine
