"""scripts/aggregate: tables, figures and a gallery from `bigpe export` folders.

    scripts/aggregate EXPORT_DIR [EXPORT_DIR ...] --out REPORT_DIR

Writes into REPORT_DIR:
  table1.{md,csv,tex}     training scores per cell (paper Table 1) + held-out gains
  table2.{md,csv,tex}     held-out comparison per method (paper Table 2)
  table2_<judge>.{md,csv,tex}  Table 2 as each held-out judge (score.judges) scored the
                          same images; only for an export with judges
  judges.{md,csv,tex}     per cell and judge: held-out gain over I0 on the optimized scorer
                          and on the judge, their paired difference and the judge's share
  per_experiment.csv      the per-experiment numbers behind Table 1 (+ gain_vs_baseline@<judge>)
  curves/<cell>.png       learning curves (best and mean, 95% band) against iterations and renders
  curves/overview.png     every cell's best-score curve; curves/curves.csv
  lineage/<exp>.png/.txt  instruction lineage trees, each node with its scores
  gallery/index.html      held-out images side by side (portable folder)
  report.md               the tables and links to every figure (or --report PATH)
"""
import argparse
import os
import sys
import time

from .export_reader import ExportError, read_exports
from .figures import learning_curves, lineage_figure, slug
from .gallery import write_gallery
from .judge_tables import JUDGES_CAPTION, add_judge_gains, judge_table_display, \
    table2_judge_caption, write_judge_tables
from .tables import cell_labels, table1, table1_display, table2, table2_display, to_markdown, \
    write_tables, TABLE1_CAPTION, TABLE2_CAPTION


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="aggregate", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("exports", nargs="+", metavar="EXPORT_DIR",
                    help="folders written by `bigpe export ... --out DIR`")
    ap.add_argument("--out", required=True, help="report folder (created)")
    ap.add_argument("--group-by", default="",
                    help="comma-separated config keys that define a cell "
                         "(default: the campaign variant)")
    ap.add_argument("--unit", choices=["auto", "cell", "query", "experiment"], default="auto",
                    help="Table 2 pairing unit (default auto: (query, seed) cells for a single "
                         "experiment, experiment means for several)")
    ap.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    ap.add_argument("--lineage", default="auto",
                    help="auto (every experiment up to 24, else the first repeat of each cell), "
                         "all, none, or comma-separated experiment ids")
    ap.add_argument("--gallery", default="first",
                    help="first (lowest repeat of each cell), all, none, or comma-separated "
                         "experiment ids")
    ap.add_argument("--title", default="bigpe aggregate report")
    ap.add_argument("--note", default="", help="Markdown put under the report's title "
                    "(e.g. the commands that made it)")
    ap.add_argument("--report", default="",
                    help="where to write the Markdown report (default REPORT_DIR/report.md); "
                         "its links are relative to it")
    ap.add_argument("--quiet", action="store_true")
    return ap.parse_args(argv)


def _lineage_ids(export, labels, order, which):
    ids = list(export.experiments["experiment_id"])
    if which == "none":
        return []
    if which == "all" or (which == "auto" and len(ids) <= 24):
        return ids
    if which == "auto":
        e = export.experiments.sort_values("repeat", na_position="last", kind="stable")
        return [e[e["experiment_id"].map(labels) == c]["experiment_id"].iloc[0] for c in order
                if (e["experiment_id"].map(labels) == c).any()]
    return [w for w in which.split(",") if w]


def run(args, log=print):
    t0 = time.time()
    export = read_exports(args.exports)
    if not len(export.experiments):
        raise ExportError("no experiments in " + ", ".join(args.exports))
    os.makedirs(args.out, exist_ok=True)
    group_by = [k for k in args.group_by.split(",") if k]
    labels, order = cell_labels(export.experiments, group_by)

    t1, per = table1(export, group_by)
    t2 = table2(export, group_by, unit=args.unit, seed=args.seed)
    written = write_tables(t1, t2, args.out)
    t2_by_judge, tj, judge_paths = write_judge_tables(export, args.out, group_by,
                                                      unit=args.unit, seed=args.seed)
    written += judge_paths
    per = add_judge_gains(per, export)
    per.to_csv(os.path.join(args.out, "per_experiment.csv"), index=False, float_format="%.6g")

    curves = learning_curves(export, labels, order, os.path.join(args.out, "curves"))
    lineage = {}
    for eid in _lineage_ids(export, labels, order, args.lineage):
        p = lineage_figure(export, eid, os.path.join(args.out, "lineage"))
        if p:
            lineage[eid] = p
    gallery_index, pages = None, {}
    if args.gallery != "none" and len(export.evaluation):
        gallery_index, pages = write_gallery(export, labels, order,
                                             os.path.join(args.out, "gallery"),
                                             which=args.gallery, per_experiment=per)

    report = args.report or os.path.join(args.out, "report.md")
    report_dir = os.path.dirname(os.path.abspath(report))
    os.makedirs(report_dir, exist_ok=True)
    rel = lambda p: os.path.relpath(os.path.abspath(p), report_dir).replace(os.sep, "/")  # noqa
    md = [f"# {args.title}", ""]
    if args.note:
        md += [args.note, ""]
    md += [f"{len(export.experiments)} experiments in {len(order)} cells, from "
           + ", ".join(f"`{d}`" for d in args.exports) + ".", ""]
    md += ["## Table 1: training scores and held-out gains per cell", ""]
    md += [to_markdown(table1_display(t1)), TABLE1_CAPTION, ""] if len(t1) else ["(none)", ""]
    md += ["## Table 2: held-out comparison", ""]
    md += ([to_markdown(table2_display(t2)), TABLE2_CAPTION, ""] if len(t2)
           else ["(no evaluation in the export)", ""])
    for judge, t2j in t2_by_judge.items():
        if len(t2j):
            md += [f"## Table 2 (judge {judge}, held out)", ""]
            md += [to_markdown(table2_display(t2j)), table2_judge_caption(export, judge), ""]
    if len(tj):
        md += ["## Judges: gain on the optimized scorer against gain on each held-out judge", ""]
        md += [to_markdown(judge_table_display(tj)), JUDGES_CAPTION, ""]
    if curves:
        md += ["## Learning curves", ""]
        md += [f"![{c}]({rel(p)})" for c, p in curves.items()] + [""]
    if lineage:
        md += ["## Instruction lineage", ""]
        md += [f"- [{e}]({rel(p)}) ([text]({rel(p[:-4] + '.txt')}))" for e, p in lineage.items()]
        md += [""]
    if gallery_index:
        md += ["## Gallery", "", f"[{rel(gallery_index)}]({rel(gallery_index)}): "
               + ", ".join(f"{e} ({n} images)" for e, n in pages.items()), ""]
    with open(report, "w", encoding="utf-8") as f:
        f.write("\n".join(md))
    if not args.quiet:
        log(f"aggregate: {len(export.experiments)} experiments, {len(order)} cells -> {args.out} "
            f"({len(written)} table files, {len(curves)} curve figures, {len(lineage)} lineage "
            f"trees, {len(pages)} gallery pages) in {time.time() - t0:.1f} s")
    return {"table1": t1, "table2": t2, "table2_by_judge": t2_by_judge, "judges": tj,
            "per_experiment": per, "curves": curves,
            "lineage": lineage, "gallery": gallery_index, "pages": pages}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run(args)
    except (ExportError, ValueError) as e:
        print(f"aggregate: {e}", file=sys.stderr)
        return 2
    return 0


__all__ = ["main", "run", "parse_args", "slug"]
