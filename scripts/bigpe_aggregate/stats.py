"""The statistics behind the tables, each a small pure function.

- t_interval: mean and 95% Student-t interval, for a few repeats of an
  experiment (Table 1, learning-curve bands). One value has no interval.
- bootstrap_interval: mean and 95% percentile bootstrap interval (Table 2),
  seeded so that a report is reproducible.
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


def wilcoxon_p(differences):
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if len(d) == 0 or not np.any(d != 0):
        return math.nan
    try:
        return float(sps.wilcoxon(d).pvalue)
    except ValueError:
        return math.nan
