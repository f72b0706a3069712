"""The held-out judges' tables (issue 14): gains that hold on a scorer the
loop never optimized.

- Table 2 per judge (table2_<judge>.{md,csv,tex}): Table 2 computed on the
  export as the judge scored it (export_reader.judged_by): the same cells,
  pairs, Wilcoxon test and stored intervals, the judge's score in place of
  the optimized one.
- The judges table (judges.{md,csv,tex}), one row per cell and judge, over
  the cell's experiments that have the judge: the held-out gain of the
  optimized instruction over I0 on the optimized scorer and on the judge,
  their paired difference judge - optimized (per experiment over repeats,
  per (query, seed) cell for a one-experiment cell) and the judge's share
  (judge gain / optimized gain, of the means). The gains and their
  intervals are the "optimized" rows of Table 2 and of the judge's Table 2;
  the difference follows the same interval rule (stats.cluster_interval).
- per_experiment.csv's gain_vs_baseline@<judge> columns.
Nothing here is produced for an export without judges.
"""
import math

import pandas as pd

from .export_reader import judge_names, judged_by, subset
from .figures import slug
from .stats import cluster_interval
from .tables import FEW_NOTE, TABLE2_CAPTION, cell_pairing, fmt_interval, labelled_evaluation, \
    paired_gain, per_experiment, table2, table2_display, write_table


def optimized_scorers(experiments):
    """The optimized scorers' labels of some experiments, joined ('-' when
    the export does not say)."""
    names = [s for s in dict.fromkeys(experiments["optimized_scorer"]) if s]
    return ", ".join(names) or "-"


def table2_by_judge(export, group_by=None, unit="auto", seed=0):
    """{judge: its Table 2}, judges in order."""
    return {j: table2(judged_by(export, j), group_by, unit=unit, seed=seed)
            for j in judge_names(export)}


def table2_judge_names(judges):
    """{judge: file name table2_<judge slug>}, unique even where two
    judges' slugs are the same."""
    names = {}
    for j in judges:
        name, k = f"table2_{slug(j)}", 2
        while name in names.values():
            name, k = f"table2_{slug(j)}-{k}", k + 1
        names[j] = name
    return names


def table2_judge_caption(export, judge):
    scored = judged_by(export, judge).experiments
    return (f"Judge {judge}, held out: the same images scored by {judge}, which the loop never "
            f"optimized (it optimized {optimized_scorers(scored)}); the same cells and pairs as "
            "Table 2. " + TABLE2_CAPTION)


JUDGE_COLUMNS = ["cell", "judge", "optimized_scorer", "unit", "experiments", "n",
                 "optimized_gain_mean", "optimized_gain_low", "optimized_gain_high",
                 "optimized_gain_n", "judge_gain_mean", "judge_gain_low", "judge_gain_high",
                 "judge_gain_n", "diff_mean", "diff_low", "diff_high", "diff_n", "share"]


def share_meaningful(gain):
    """A share only of a gain that is there: above zero with its interval
    (or, with no interval, its mean); a ratio to noise says nothing. The
    campaign's judge table (C++ judge_gains.cpp) uses the same rule."""
    mean, low, high, n = gain
    return bool(n) and mean > 0 and (math.isnan(low) or low > 0)


def _cell_row(cell, judge, scorer, optimized, judged, unit, seed):
    """One row from the cell's labelled evaluation rows as the optimized
    scorer (`optimized`) and the judge (`judged`) scored them, each a
    (export, rows) pair; None without a gain on both."""
    u, n_exp, pivot_o, interval_o = cell_pairing(*optimized, unit=unit, seed=seed)
    _, _, pivot_j, interval_j = cell_pairing(*judged, unit=u, seed=seed)
    d_o, d_j = paired_gain(pivot_o, "optimized"), paired_gain(pivot_j, "optimized")
    if not len(d_o) or not len(d_j):
        return None
    o = interval_o(d_o.tolist(), "gains", "optimized")
    j = interval_j(d_j.tolist(), "gains", "optimized")
    diff = cluster_interval((d_j - d_o).dropna().tolist(), u, seed=seed)
    row = {"cell": cell, "judge": judge, "optimized_scorer": scorer, "unit": u,
           "experiments": n_exp, "n": diff[3],
           "share": j[0] / o[0] if share_meaningful(o) else math.nan}
    for prefix, (mean, low, high, n) in (("optimized_gain", o), ("judge_gain", j), ("diff", diff)):
        row.update({f"{prefix}_mean": mean, f"{prefix}_low": low, f"{prefix}_high": high,
                    f"{prefix}_n": n})
    return row


def judge_table(export, group_by=None, unit="auto", seed=0):
    """One row per cell (Table 1's cells, in order) and judge; empty
    without judges."""
    _, order = labelled_evaluation(export, group_by)
    rows = []
    for judge in judge_names(export):
        judged = judged_by(export, judge)
        optimized = subset(export, set(judged.experiments["experiment_id"]))
        ev_o, _ = labelled_evaluation(optimized, group_by)
        ev_j, _ = labelled_evaluation(judged, group_by)
        if not len(ev_o) or not len(ev_j):
            continue
        for cell in order:
            g_o, g_j = ev_o[ev_o["cell"] == cell], ev_j[ev_j["cell"] == cell]
            if not len(g_o) or not len(g_j):
                continue
            scorer = optimized_scorers(
                optimized.experiments[optimized.experiments["experiment_id"].isin(
                    set(g_j["experiment_id"]))])
            row = _cell_row(cell, judge, scorer, (optimized, g_o), (judged, g_j), unit,
                            seed)
            if row:
                rows.append(row)
    rows.sort(key=lambda r: order.index(r["cell"]))  # cells first, judges in order within
    return pd.DataFrame(rows, columns=JUDGE_COLUMNS)


def judge_table_display(t):
    out = []
    for _, r in t.iterrows():
        iv = {p: fmt_interval(r[f"{p}_mean"], r[f"{p}_low"], r[f"{p}_high"], signed=True,
                              n=r[f"{p}_n"])
              for p in ("optimized_gain", "judge_gain", "diff")}
        out.append({"cell": r["cell"], "optimized scorer": r["optimized_scorer"],
                    "judge": r["judge"], "n": f"{r['n']} {r['unit']}s",
                    "gain on optimized": iv["optimized_gain"], "gain on judge": iv["judge_gain"],
                    "judge - optimized": iv["diff"],
                    "judge share": "-" if math.isnan(r["share"]) else f"{100 * r['share']:.0f}%"})
    return pd.DataFrame(out, columns=["cell", "optimized scorer", "judge", "n",
                                      "gain on optimized", "gain on judge", "judge - optimized",
                                      "judge share"])


JUDGES_CAPTION = ("Held-out gain of the optimized instruction over I0 (the baseline) on the scorer "
                  "the loop optimized and on each held-out judge it never saw, the same images "
                  "and cells; their paired difference judge - optimized, and the judge's share "
                  "(judge gain / optimized gain, of the means; \"-\" unless the optimized gain is above "
                  "zero with its interval). 95% intervals: t over "
                  "experiments, bootstrap over 10 or more cells of one experiment (t over "
                  "fewer); the gains are those of Table 2 and the judge's Table 2." + FEW_NOTE)


def add_judge_gains(per, export):
    """per_experiment's rows with a gain_vs_baseline@<judge> column per
    judge (NaN for an experiment the judge did not score)."""
    per = per.copy()
    for judge in judge_names(export):
        gains = per_experiment(judged_by(export, judge))
        gains = (gains.set_index("experiment_id")["gain_vs_baseline"] if len(gains)
                 else pd.Series(dtype=float))
        per[f"gain_vs_baseline@{judge}"] = per["experiment_id"].map(gains)
    return per


def write_judge_tables(export, out_dir, group_by=None, unit="auto", seed=0):
    """Writes table2_<judge>.{md,csv,tex} and judges.{md,csv,tex} (nothing
    without judges); returns ({judge: Table 2}, judges table, paths)."""
    by_judge = table2_by_judge(export, group_by, unit, seed)
    names = table2_judge_names(by_judge)
    paths = []
    for judge, t2 in by_judge.items():
        if len(t2):
            paths += write_table(out_dir, names[judge], t2, table2_display(t2),
                                 table2_judge_caption(export, judge))
    t = judge_table(export, group_by, unit, seed)
    if len(t):
        paths += write_table(out_dir, "judges", t, judge_table_display(t), JUDGES_CAPTION)
    return by_judge, t, paths
