"""Table 1 (training scores per cell) and Table 2 (held-out comparison).

A *cell* is the set of experiments that share a variant (a campaign's grid
point), or, with --group-by, the same values of the given config keys. Its
experiments are the repeats.

Table 1, per cell: the best batch score of the first iteration ("initial",
the paper's column) and of the last iteration, their change, and the
held-out gains of the optimized instruction over I0 and over the
professional prompt; each as the mean over repeats with a 95% t-interval.
The training columns are the paper's metric, kept for comparison; it is
noisy (fresh batch every iteration), and the held-out gain is the one to
read (sim-v1 section 5).

Table 2, per cell and method: the mean score with a 95% interval, and for
every method but the baseline the paired difference to the baseline (I0
through the generator) with its interval, the Wilcoxon signed-rank p-value
and the share of pairs it wins. The unit of pairing is the (experiment,
query, seed) cell when the group has one experiment, and the experiment's
mean otherwise (run-to-run variance dominates, so pooling the cells of many
runs would overstate certainty); --unit overrides it.

Intervals follow the one rule (stats.py): over experiments the t-interval,
the same numbers `bigpe campaign` prints for the same repeats; over cells
the bootstrap, from at least 10 of them. An interval from fewer than 5
values is marked "*".

The held-out judges' tables (Table 2 per judge, the judges table) are in
judge_tables.py; they reuse cell_pairing and paired_gain, Table 2's pairing.
"""
import math

import pandas as pd

from .stats import FEW_REPEATS, cluster_interval, marked, t_interval, wilcoxon_p

METHOD_ORDER = ["plain", "baseline", "professional", "optimized"]


def cell_labels(experiments, group_by=None):
    """experiment_id -> cell label, and the cells in order of first appearance."""
    labels = {}
    order = []
    for _, e in experiments.iterrows():
        if group_by:
            label = ", ".join(f"{k}={e['config'].get(k, '')}" for k in group_by)
        else:
            label = e["variant"] or e["experiment_id"]
        labels[e["experiment_id"]] = label
        if label not in order:
            order.append(label)
    return labels, order


def method_labels(evaluation):
    """A method column in which an experiment's second and later distinct
    optimized instructions are `optimized#2`, `optimized#3`, ..."""
    out = evaluation["method"].astype(str).copy()
    opt = evaluation["method"] == "optimized"
    for _, idx in evaluation[opt].groupby("experiment_id", sort=False).groups.items():
        seen = []
        for i in idx:
            text = evaluation.at[i, "instruction"]
            if text not in seen:
                seen.append(text)
            k = seen.index(text)
            if k:
                out.at[i] = f"optimized#{k + 1}"
    return out


def _method_sort_key(m):
    base = m.split("#")[0]
    rank = METHOD_ORDER.index(base) if base in METHOD_ORDER else len(METHOD_ORDER)
    sub = int(m.split("#")[1]) if "#" in m else 1
    return (rank, sub, m)


def per_experiment(export):
    """One row per experiment: initial, last and change of the best batch
    score, and the held-out gains (mean paired difference over its cells)."""
    rows = []
    it = export.iterations.dropna(subset=["iteration"])
    ev = export.evaluation.copy()
    if len(ev):
        ev["method_label"] = method_labels(ev)
    for _, e in export.experiments.iterrows():
        eid = e["experiment_id"]
        row = {"experiment_id": eid, "variant": e["variant"], "repeat": e["repeat"],
               "iterations": math.nan, "initial": math.nan, "last": math.nan, "change": math.nan,
               "gain_vs_baseline": math.nan, "gain_vs_professional": math.nan,
               "heldout_optimized": math.nan}
        mine = it[it["experiment_id"] == eid].sort_values("iteration")
        if len(mine):
            row["iterations"] = int(mine["iteration"].iloc[-1])
            row["initial"] = float(mine["best"].iloc[0])
            row["last"] = float(mine["best"].iloc[-1])
            row["change"] = row["last"] - row["initial"]
        cells = ev[ev["experiment_id"] == eid] if len(ev) else ev
        if len(cells):
            pivot = cells.pivot_table(index=["query", "seed"], columns="method_label",
                                      values="score", aggfunc="mean")
            if "optimized" in pivot:
                row["heldout_optimized"] = float(pivot["optimized"].mean())
                for ref, col in (("baseline", "gain_vs_baseline"),
                                 ("professional", "gain_vs_professional")):
                    if ref in pivot:
                        d = (pivot["optimized"] - pivot[ref]).dropna()
                        if len(d):
                            row[col] = float(d.mean())
        rows.append(row)
    return pd.DataFrame(rows)


TABLE1_MEASURES = [("initial", "initial"), ("last", "last iteration"), ("change", "change"),
                   ("gain_vs_baseline", "held-out gain vs I0"),
                   ("gain_vs_professional", "held-out gain vs professional")]


def table1(export, group_by=None):
    labels, order = cell_labels(export.experiments, group_by)
    per = per_experiment(export)
    per["cell"] = per["experiment_id"].map(labels)
    rows = []
    for cell in order:
        g = per[per["cell"] == cell]
        its = sorted({int(v) for v in g["iterations"].dropna()})
        row = {"cell": cell, "n": len(g),
               "iterations": "-" if not its else (str(its[0]) if len(its) == 1
                                                  else f"{its[0]}-{its[-1]}")}
        for key, _ in TABLE1_MEASURES:
            mean, low, high, n = t_interval(g[key].tolist())
            row[f"{key}_mean"], row[f"{key}_low"], row[f"{key}_high"] = mean, low, high
            row[f"{key}_n"] = n
        rows.append(row)
    return pd.DataFrame(rows), per


def _run_interval(export, experiment_id, kind, method, values):
    """The interval `bigpe run` printed for one experiment's cells (the
    export's eval_intervals), when it is over exactly these values; else
    None. Using it keeps Table 2 and the run's own table identical."""
    if "eval_intervals" not in export.experiments:
        return None
    rows = export.experiments[export.experiments["experiment_id"] == experiment_id]
    if not len(rows):
        return None
    stored = rows.iloc[0]["eval_intervals"]
    if not isinstance(stored, dict):
        return None
    iv = stored.get(kind, {}).get(method)
    if not iv or iv.get("n") != len(values) or abs(iv["mean"] - sum(values) / len(values)) > 1e-9:
        return None
    return iv["mean"], iv["low"], iv["high"], iv["n"]


def labelled_evaluation(export, group_by=None):
    """The evaluation rows with their `method_label` and `cell`, and the
    cells in order."""
    labels, order = cell_labels(export.experiments, group_by)
    ev = export.evaluation.copy()
    if len(ev):
        ev["method_label"] = method_labels(ev)
        ev["cell"] = ev["experiment_id"].map(labels)
    return ev, order


def cell_pairing(export, g, unit="auto", seed=0):
    """The pairing of one cell's labelled evaluation rows `g`: (unit,
    experiments, pivot, interval). The pivot holds the mean score per unit
    (rows) and method (columns); interval(values, kind, method) is the
    rule's interval, or the run's stored one for a one-experiment cell
    paired by (query, seed) cells."""
    n_exp = g["experiment_id"].nunique()
    u = unit if unit != "auto" else ("cell" if n_exp == 1 else "experiment")
    keys = {"cell": ["experiment_id", "query", "seed"], "query": ["experiment_id", "query"],
            "experiment": ["experiment_id"]}[u]
    pivot = g.pivot_table(index=keys, columns="method_label", values="score", aggfunc="mean")
    only = g["experiment_id"].iloc[0] if n_exp == 1 and u == "cell" else None

    def interval(values, kind, method):
        stored = _run_interval(export, only, kind, method, values) if only is not None else None
        return stored or cluster_interval(values, u, seed=seed)

    return u, n_exp, pivot, interval


def paired_gain(pivot, method):
    """Per-unit differences method - baseline (indexed by unit); empty when
    either column is absent."""
    if method not in pivot or "baseline" not in pivot:
        return pd.Series(dtype=float)
    return (pivot[method] - pivot["baseline"]).dropna()


def table2(export, group_by=None, unit="auto", seed=0):
    ev, order = labelled_evaluation(export, group_by)
    if not len(ev):
        return pd.DataFrame()
    rows = []
    for cell in order:
        g = ev[ev["cell"] == cell]
        if not len(g):
            continue
        u, n_exp, pivot, interval = cell_pairing(export, g, unit, seed)
        for m in sorted(pivot.columns, key=_method_sort_key):
            mean, low, high, n = interval(pivot[m].dropna().tolist(), "methods", m)
            row = {"cell": cell, "method": m, "unit": u, "experiments": n_exp, "n": n,
                   "mean": mean, "low": low, "high": high,
                   "diff_mean": math.nan, "diff_low": math.nan, "diff_high": math.nan,
                   "wilcoxon_p": math.nan, "wins": math.nan, "pairs": 0}
            if m != "baseline":
                d = paired_gain(pivot, m).to_numpy()
                if len(d):
                    dm, dl, dh, dn = interval(d.tolist(), "gains", m)
                    row.update(diff_mean=dm, diff_low=dl, diff_high=dh, pairs=dn,
                               wilcoxon_p=wilcoxon_p(d), wins=float((d > 0).mean()))
            rows.append(row)
    return pd.DataFrame(rows)


# ---- formatting -------------------------------------------------------------

def fmt_interval(mean, low, high, signed=False, digits=2, n=None):
    """"mean [low, high]", then "*" when the interval comes from n < 5
    values; the same text as format_repeat_interval in C++."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    f = f"{{:+.{digits}f}}" if signed else f"{{:.{digits}f}}"
    s = f.format(mean)
    if not (math.isnan(low) or math.isnan(high)):
        s += f" [{f.format(low)}, {f.format(high)}]"
        if n is not None and marked(int(n)):
            s += "*"
    return s


def fmt_p(p):
    if p is None or math.isnan(p):
        return "-"
    return f"{p:.2g}" if p >= 0.001 else f"{p:.1e}"


def table1_display(t1):
    out = []
    for _, r in t1.iterrows():
        row = {"cell": r["cell"], "n": str(r["n"]), "iterations": r["iterations"]}
        for key, title in TABLE1_MEASURES:
            signed = key not in ("initial", "last")
            row[title] = fmt_interval(r[f"{key}_mean"], r[f"{key}_low"], r[f"{key}_high"], signed,
                                      n=r[f"{key}_n"])
        out.append(row)
    return pd.DataFrame(out, columns=["cell", "n", "iterations"] + [t for _, t in TABLE1_MEASURES])


def table2_display(t2):
    out = []
    for _, r in t2.iterrows():
        out.append({
            "cell": r["cell"], "method": r["method"], "n": f"{r['n']} {r['unit']}s",
            "score": fmt_interval(r["mean"], r["low"], r["high"], n=r["n"]),
            "vs baseline": fmt_interval(r["diff_mean"], r["diff_low"], r["diff_high"], signed=True,
                                        n=r["pairs"]),
            "Wilcoxon p": fmt_p(r["wilcoxon_p"]),
            "wins": "-" if math.isnan(r["wins"]) else f"{100 * r['wins']:.0f}%",
        })
    return pd.DataFrame(out, columns=["cell", "method", "n", "score", "vs baseline",
                                      "Wilcoxon p", "wins"])


def to_markdown(df):
    def esc(v):  # "*" (the interval mark) would start emphasis
        return str(v).replace("|", "\\|").replace("*", "\\*").replace("\n", " ")
    lines = ["| " + " | ".join(esc(c) for c in df.columns) + " |",
             "|" + "|".join("---" for _ in df.columns) + "|"]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(esc(v) for v in r) + " |")
    return "\n".join(lines) + "\n"


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
        "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def tex_escape(s):
    return "".join(_TEX.get(c, c) for c in str(s))


def to_latex(df, caption, label):
    """A booktabs table (needs \\usepackage{booktabs})."""
    cols = "l" * 1 + "l" * (len(df.columns) - 1)
    lines = [r"\begin{table}[t]", r"\centering", r"\small",
             rf"\begin{{tabular}}{{{cols}}}", r"\toprule",
             " & ".join(tex_escape(c) for c in df.columns) + r" \\", r"\midrule"]
    for _, r in df.iterrows():
        lines.append(" & ".join(tex_escape(v) for v in r) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", rf"\caption{{{tex_escape(caption)}}}",
              rf"\label{{{label}}}", r"\end{table}"]
    return "\n".join(lines) + "\n"


FEW_NOTE = f" *: from fewer than {FEW_REPEATS} values, too few to trust."
TABLE1_CAPTION = ("Best batch score (HPS v2 x 100 or sim score) in the first and the last iteration, "
                  "and held-out gains of the optimized instruction; mean over repeats "
                  "with a 95% t-interval." + FEW_NOTE)
TABLE2_CAPTION = ("Held-out evaluation: mean score per method; paired difference to the baseline "
                  "(I0 through the generator), two-sided Wilcoxon signed-rank p and the share of "
                  "pairs won. 95% intervals: t over experiments, bootstrap over 10 or more cells "
                  "of one experiment (t over fewer)." + FEW_NOTE)


def write_table(out_dir, name, raw, disp, caption):
    """Writes name.{md,csv,tex}; returns the paths."""
    import os
    base = os.path.join(out_dir, name)
    raw.to_csv(base + ".csv", index=False, float_format="%.6g")
    with open(base + ".md", "w", encoding="utf-8") as f:
        f.write(to_markdown(disp) + "\n" + caption + "\n")
    with open(base + ".tex", "w", encoding="utf-8") as f:
        f.write(to_latex(disp, caption, f"tab:bigpe-{name}"))
    return [base + ".md", base + ".csv", base + ".tex"]


def write_tables(t1, t2, out_dir):
    """Writes table1.{md,csv,tex} and table2.{md,csv,tex}; returns the paths."""
    paths = []
    if len(t1):
        paths += write_table(out_dir, "table1", t1, table1_display(t1), TABLE1_CAPTION)
    if len(t2):
        paths += write_table(out_dir, "table2", t2, table2_display(t2), TABLE2_CAPTION)
    return paths
