"""The statistics behind the tables, each a small pure function.

The one interval rule (docs/campaigns.md, "Statistics"; the C++ side is
scheduler/stats/repeat_interval.cpp, and both reproduce the golden vectors
of tests/unit/scheduler/stats/repeat_intervals.json):
- over repeats (experiments), always t_interval: the mean and its 95%
  Student-t interval (Table 1, Table 2 over experiments, curve bands, and
  `bigpe campaign`'s tables); one value has no interval; an interval from
  fewer than FEW_REPEATS values is marked (`marked`);
- over the cells of one experiment, bootstrap_interval, but only from at
  least BOOTSTRAP_MIN_UNITS cells (`cluster_interval` chooses): a bootstrap
  over a handful of values is about their min and max.

- t_interval: mean and 95% Student-t interval.
- bootstrap_interval: mean and 95% percentile bootstrap interval, seeded so
  that a report is reproducible.
- wilcoxon_p: two-sided Wilcoxon signed-rank p-value of paired
  differences, exactly as scipy.stats.wilcoxon computes it with its
  defaults (zero differences dropped, exact or normal approximation chosen
  by scipy); NaN when it is undefined (no non-zero difference).
"""
import math

import numpy as np
from scipy import stats as sps

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 10000
# Intervals from fewer values than this are marked "*".
FEW_REPEATS = 5
# A bootstrap needs at least this many units; fewer get the t-interval.
BOOTSTRAP_MIN_UNITS = 10


def marked(n):
    """Whether an interval from n values carries the "*" mark."""
    return 2 <= n < FEW_REPEATS


def t_interval(values, confidence=CONFIDENCE):
    """(mean, low, high, n); low = high = NaN when n < 2."""
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return (mean, math.nan, math.nan, n)
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return (mean, mean - half, mean + half, n)


def bootstrap_interval(values, seed=0, resamples=BOOTSTRAP_RESAMPLES, confidence=CONFIDENCE):
    """(mean, low, high, n) with a percentile bootstrap of the mean."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return (mean, math.nan, math.nan, n)
    rng = np.random.default_rng(seed)
    # Chunked so that memory stays small for large samples.
    means = np.empty(resamples)
    chunk = max(1, 2_000_000 // n)
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = x[idx].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return (mean, float(low), float(high), n)


def cluster_interval(values, unit, seed=0):
    """The rule's interval of a mean over `unit`s: the t-interval over
    experiments (repeats) or over too few units for a bootstrap, else the
    seeded percentile bootstrap. Returns (mean, low, high, n)."""
    x = [v for v in values if v is not None and not math.isnan(v)]
    if unit == "experiment" or len(x) < BOOTSTRAP_MIN_UNITS:
        return t_interval(x)
    return bootstrap_interval(x, seed=seed)


def wilcoxon_p(differences):
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if len(d) == 0 or not np.any(d != 0):
        return math.nan
    try:
        return float(sps.wilcoxon(d).pvalue)
    except ValueError:
        return math.nan
