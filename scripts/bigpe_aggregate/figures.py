"""Learning curves and instruction lineage trees (matplotlib, Agg backend).

Learning curves: per cell, the best and the mean batch score per iteration,
each as the mean over repeats with a 95% t-band (no band for one repeat;
the repeats rule of stats.py), plotted against the iteration and, beside
it, against the renders spent by then (the mean over repeats of the
export's `renders`: what budget.renders counts, so loops that spend
differently per iteration compare at equal cost), plus one overview figure
of every cell's best-score curve. The numbers behind them go to
curves.csv.

Lineage: per experiment, every instruction as a node placed at the
iteration it was born (x) and an edge from its parent, labelled with its
mean score in the optimization; the final instruction and its ancestors are
drawn in red. A text file beside the figure lists each node's id, parent,
iteration, scores (mean and count of its per-query scores, best batch
score) and text.
"""
import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .stats import FEW_REPEATS, t_interval  # noqa: E402


def slug(s):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(s)).strip("_") or "x"


CURVE_COLUMNS = ["cell", "iteration", "renders", "measure", "mean", "low", "high", "n"]


def curve_table(export, labels):
    """Rows (cell, iteration, renders, measure, mean, low, high, n); renders
    is the mean over repeats of the renders spent by the iteration's end
    (NaN for an export without them)."""
    it = export.iterations.dropna(subset=["iteration"]).copy()
    it["cell"] = it["experiment_id"].map(labels)
    rows = []
    for (cell, iteration), g in it.groupby(["cell", "iteration"], sort=False):
        renders = g["renders"].dropna()
        for measure in ("best", "mean"):
            m, lo, hi, n = t_interval(g[measure].tolist())
            rows.append({"cell": cell, "iteration": int(iteration),
                         "renders": float(renders.mean()) if len(renders) else float("nan"),
                         "measure": measure, "mean": m, "low": lo, "high": hi, "n": n})
    df = pd.DataFrame(rows, columns=CURVE_COLUMNS)
    return df.sort_values(["cell", "measure", "iteration"], kind="stable")


def _band(ax, d, color, label, x="iteration"):
    d = d.dropna(subset=[x])
    ax.plot(d[x], d["mean"], marker="o", ms=3, color=color, label=label)
    ok = d.dropna(subset=["low", "high"])
    if len(ok):
        ax.fill_between(ok[x], ok["low"], ok["high"], color=color, alpha=0.2, lw=0)


def _axes(table, width, height):
    """A figure with one panel against iterations and, when the export has
    render counts, one against renders (the same y axis)."""
    with_renders = table["renders"].notna().any()
    fig, axes = plt.subplots(1, 2 if with_renders else 1, figsize=(width * (2 if with_renders else 1), height),
                             dpi=110, sharey=True, squeeze=False)
    axes = list(axes[0])
    axes[0].set_xlabel("iteration")
    axes[0].xaxis.get_major_locator().set_params(integer=True)
    if with_renders:
        axes[1].set_xlabel("renders spent (budget.renders counts them)")
    for ax in axes:
        ax.grid(alpha=0.3)
    return fig, [("iteration", axes[0])] + ([("renders", axes[1])] if with_renders else [])


def learning_curves(export, labels, order, out_dir):
    """Writes curves/<cell>.png, curves/overview.png and curves/curves.csv."""
    os.makedirs(out_dir, exist_ok=True)
    table = curve_table(export, labels)
    table.to_csv(os.path.join(out_dir, "curves.csv"), index=False, float_format="%.6g")
    paths = {}
    for cell in order:
        d = table[table["cell"] == cell]
        if not len(d):
            continue
        n = int(d["n"].max())
        fig, panels = _axes(d, 5.5, 3.5)
        for x, ax in panels:
            _band(ax, d[d["measure"] == "best"], "tab:blue", "best arm", x)
            _band(ax, d[d["measure"] == "mean"], "tab:orange", "pool mean", x)
        panels[0][1].set_ylabel("batch score")
        panels[0][1].legend(fontsize=8)
        few = f"; fewer than {FEW_REPEATS} repeats: unreliable" if 2 <= n < FEW_REPEATS else ""
        fig.suptitle(f"{cell} ({n} repeat{'s' if n != 1 else ''}, 95% t-band{few})", fontsize=10)
        fig.tight_layout()
        path = os.path.join(out_dir, f"{slug(cell)}.png")
        fig.savefig(path)
        plt.close(fig)
        paths[cell] = path
    if paths:
        fig, panels = _axes(table, 6.5, 4)
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, cell in enumerate(c for c in order if c in paths):
            d = table[(table["cell"] == cell) & (table["measure"] == "best")]
            for x, ax in panels:
                _band(ax, d, colors[i % len(colors)], cell, x)
        panels[0][1].set_ylabel("best batch score")
        panels[0][1].legend(fontsize=7, ncol=2)
        fig.suptitle("best batch score (mean over repeats, 95% t-band)", fontsize=10)
        fig.tight_layout()
        path = os.path.join(out_dir, "overview.png")
        fig.savefig(path)
        plt.close(fig)
        paths["(overview)"] = path
    return paths


def lineage_layout(nodes):
    """nodes: list of dicts with id, parent, born. Returns id -> (x, y): x is
    the iteration born, y spreads leaves in depth-first order and centres
    each parent over its children, so edges never cross."""
    ids = {n["id"] for n in nodes}
    children = {n["id"]: [] for n in nodes}
    roots = []
    for n in nodes:
        p = n["parent"]
        if p and p in ids and p != n["id"]:
            children[p].append(n["id"])
        else:
            roots.append(n["id"])
    born = {n["id"]: n["born"] for n in nodes}
    pos = {}
    next_leaf = [0.0]
    visiting = set()

    def place(i):
        visiting.add(i)
        kids = [k for k in children[i] if k not in visiting and k not in pos]
        if not kids:
            y = next_leaf[0]
            next_leaf[0] += 1
        else:
            ys = [place(k) for k in kids]
            y = (min(ys) + max(ys)) / 2
        pos[i] = (born[i], y)
        return y

    for r in roots:
        if r not in pos:
            place(r)
    for n in nodes:  # cycles: a malformed export still draws
        if n["id"] not in pos:
            place(n["id"])
    return pos


def _scores_text(node):
    """"mean=26.81 n=12 best=27.40", or "unscored" (never rendered, or an
    export from before bigpe wrote scores)."""
    if pd.isna(node["score_n"]) or int(node["score_n"]) == 0 or pd.isna(node["score_mean"]):
        return "unscored"
    best = "-" if pd.isna(node["score_best"]) else f"{node['score_best']:.2f}"
    return f"mean={node['score_mean']:.2f} n={int(node['score_n'])} best={best}"


def lineage_figure(export, experiment_id, out_dir):
    """Writes lineage/<experiment>.png and .txt; returns the PNG path or None."""
    ins = export.instructions[export.instructions["experiment_id"] == experiment_id]
    if not len(ins):
        return None
    os.makedirs(out_dir, exist_ok=True)
    nodes = [{"id": str(r["id"]), "parent": r["parent"], "born": int(r["born"]),
              "text": str(r["text"]), "improvement": r["improvement"],
              "score_mean": r["score_mean"], "score_best": r["score_best"],
              "score_n": r["score_n"]} for _, r in ins.iterrows()]
    pos = lineage_layout(nodes)
    exp = export.experiments[export.experiments["experiment_id"] == experiment_id]
    final_text = str(exp["final_instruction"].iloc[0]) if len(exp) else ""
    by_id = {n["id"]: n for n in nodes}
    final_ids = [n["id"] for n in nodes if n["text"] == final_text]
    path_ids = set()
    for fid in final_ids[-1:]:
        cur = fid
        while cur in by_id and cur not in path_ids:
            path_ids.add(cur)
            cur = by_id[cur]["parent"]
    leaves = max(1.0, max(y for _, y in pos.values()) + 1)
    max_x = max(x for x, _ in pos.values())
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * max_x + 2.5), max(2.5, 0.32 * leaves + 1.2)),
                           dpi=100)
    for n in nodes:
        p = n["parent"]
        if p in pos and p != n["id"]:
            (x0, y0), (x1, y1) = pos[p], pos[n["id"]]
            on_path = n["id"] in path_ids and p in path_ids
            ax.plot([x0, x0 + 0.5 * (x1 - x0), x0 + 0.5 * (x1 - x0), x1], [y0, y0, y1, y1],
                    color="tab:red" if on_path else "0.6", lw=1.6 if on_path else 0.8, zorder=1)
    for n in nodes:
        x, y = pos[n["id"]]
        final = n["id"] in final_ids
        ax.scatter([x], [y], s=90 if final else 28, marker="*" if final else "o",
                   color="tab:red" if n["id"] in path_ids else "tab:blue", zorder=2)
        label = n["id"] if pd.isna(n["score_mean"]) else f"{n['id']} {n['score_mean']:.2f}"
        ax.annotate(label, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set_xlabel("iteration born (0 = I0)")
    ax.set_yticks([])
    ax.set_xlim(-0.5, max_x + 0.8)
    ax.invert_yaxis()
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"instruction lineage: {experiment_id}\n(red: ancestry of the final "
                 "instruction, star: final; label: id and mean score)", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    base = os.path.join(out_dir, slug(experiment_id))
    fig.savefig(base + ".png")
    plt.close(fig)
    with open(base + ".txt", "w", encoding="utf-8") as f:
        f.write(f"# lineage of {experiment_id}: id, parent, iteration born, scores (mean and "
                "number of its per-query scores, best batch score), text "
                "[improvement that made it]\n")
        for n in sorted(nodes, key=lambda n: (n["born"], pos[n["id"]][1])):
            mark = " (final)" if n["id"] in final_ids else ""
            impr = f" [{n['improvement']}]" if n["improvement"] else ""
            f.write(f"{n['id']}{mark}\tparent={n['parent'] or '-'}\tborn={n['born']}\t"
                    f"{_scores_text(n)}\t{n['text']}{impr}\n")
    return base + ".png"
