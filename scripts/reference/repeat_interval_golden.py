#!/usr/bin/python3
"""Golden vectors of the repeat-interval rule (docs/campaigns.md, "Statistics"),
computed with scipy, for both implementations of it:
scheduler/stats/repeat_interval.cpp (tests/unit/scheduler/stats/
repeat_interval_test.cpp) and scripts/bigpe_aggregate/stats.py
(tests/aggregate/aggregate_test.py).

    /usr/bin/python3 scripts/reference/repeat_interval_golden.py > tests/unit/scheduler/stats/repeat_intervals.json

Rule: the mean over n repeats with the 95% Student-t interval
mean +- t.ppf(0.975, n - 1) * sd(ddof=1) / sqrt(n); no interval for n < 2;
an interval from fewer than 5 repeats is marked "*". Text: "mean [low, high]"
with 2 decimals (signed: a leading + or -), then the mark.
"""
import json
import math
import sys

import numpy as np
from scipy import stats

FEW = 5

SAMPLES = {
    # Two repeats of a held-out gain (issue 16 item 9: a bootstrap over
    # them gave [-0.215, -0.059]).
    "two_gains": [-0.215, -0.059],
    "three_scores": [26.5, 27.1, 25.9],
    "four_gains": [0.97, 0.41, 1.35, -0.12],
    "five_gains": [0.97, 0.41, 1.35, -0.12, 0.66],
    "ten_scores": [round(27 + np.sin(1.3 * k) + 0.02 * k, 6) for k in range(10)],
    "thirty_gains": [round(0.8 + 0.6 * np.cos(0.7 * k), 6) for k in range(30)],
    "constant": [1.25, 1.25, 1.25],
    "one": [0.42],
    "empty": [],
}


def interval(values):
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n == 0:
        return None, None, None, 0
    mean = float(x.mean())
    if n < 2:
        return mean, None, None, n
    half = float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def text(mean, low, high, n, signed):
    if n == 0:
        return "-"
    f = "{:+.2f}" if signed else "{:.2f}"
    s = f.format(mean)
    if low is None:
        return s
    return s + f" [{f.format(low)}, {f.format(high)}]" + ("*" if n < FEW else "")


cases = []
for name, values in SAMPLES.items():
    mean, low, high, n = interval(values)
    cases.append({"name": name, "values": values, "n": n, "mean": mean, "low": low, "high": high,
                  "marked": 2 <= n < FEW, "text": text(mean, low, high, n, False),
                  "text_signed": text(mean, low, high, n, True)})
quantiles = [{"p": p, "df": df, "t": float(stats.t.ppf(p, df))}
             for p in (0.975, 0.995, 0.9, 0.025) for df in (1, 2, 3, 4, 9, 29, 99, 1000)]
json.dump({"generator": "scripts/reference/repeat_interval_golden.py (scipy " + __import__("scipy").__version__
           + ")", "level": 0.95, "few_repeats": FEW, "cases": cases, "t_quantiles": quantiles},
          sys.stdout, indent=1)
sys.stdout.write("\n")
