#!/usr/bin/python3
"""Golden values for tests/unit/scheduler/stats/statistics_test.cpp, computed with scipy.

Run with Debian's python3-scipy (1.10.1) and python3-numpy (1.24):
    /usr/bin/python3 scripts/reference/stats_golden.py
and paste the printed values into the test when the samples change.

Wilcoxon: scipy.stats.wilcoxon(d, zero_method="wilcox", correction=False,
alternative="two-sided", method="approx") -- the normal approximation with
zeros dropped and the tie correction of the variance, as bigpe implements.
Bootstrap: scipy.stats.bootstrap(..., method="percentile") with many
resamples; bigpe's own 10,000-resample interval must agree within Monte
Carlo error. Quantiles: numpy.percentile (linear interpolation).
"""
import numpy as np
from scipy import stats

# Ties of |d| (0.5 four times, 2.3 twice) and two exact zeros.
TIES = [0.5, -1.2, 0.0, 2.3, 0.5, -0.5, 1.1, 0.0, 3.0, -2.3, 0.7, 0.5, 1.9, -0.1, 0.8]
# No ties, no zeros: 30 values from a fixed formula.
PLAIN = [round(np.sin(1.7 * k) * 3 + 0.4 + 0.01 * k, 6) for k in range(1, 31)]
# Everything on one side.
POSITIVE = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
# A bootstrap sample: 40 scores.
SCORES = [round(25 + 2 * np.cos(0.9 * k) + 0.05 * k, 6) for k in range(40)]


def wilcoxon(d):
    r = stats.wilcoxon(d, zero_method="wilcox", correction=False, alternative="two-sided", method="approx")
    return r.statistic, r.pvalue


for name, d in [("TIES", TIES), ("PLAIN", PLAIN), ("POSITIVE", POSITIVE)]:
    w, p = wilcoxon(d)
    print(f"{name}: statistic={w!r} p={p!r}")
print("PLAIN =", PLAIN)
print("SCORES =", SCORES)
b = stats.bootstrap((np.array(SCORES),), np.mean, n_resamples=200000, method="percentile",
                    confidence_level=0.95, random_state=np.random.default_rng(0))
print(f"SCORES bootstrap: low={b.confidence_interval.low!r} high={b.confidence_interval.high!r} mean={np.mean(SCORES)!r}")
q = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6]
print("percentiles of", q, [float(np.percentile(q, x)) for x in (2.5, 50, 97.5)])
