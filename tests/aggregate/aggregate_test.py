#!/usr/bin/python3
"""scripts/aggregate on the fake export of make_fixture.py: every output is
written and its numbers agree with hand computations and with scipy called
directly on the same numbers. Exits 77 (CTest: skipped) without pandas,
matplotlib or scipy."""
import csv
import glob
import html.parser
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))

try:
    import pandas  # noqa: F401
    import matplotlib  # noqa: F401
    from scipy import stats as sps
except ImportError as e:
    print(f"SKIP: {e}; install python3-pandas python3-matplotlib python3-scipy (scripts/setup)")
    sys.exit(77)

from make_fixture import _write_jsonl, make_fixture  # noqa: E402
from bigpe_aggregate import cli  # noqa: E402


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def t_half_width(values):
    n = len(values)
    return sps.t.ppf(0.975, n - 1) * statistics.stdev(values) / math.sqrt(n)


def run_aggregate(*argv):
    return cli.run(cli.parse_args([*argv, "--lineage", "none", "--quiet"]))


class Figures(html.parser.HTMLParser):
    """A gallery page's figures: [{query, title, score, judges: {name: (text, best)}}]."""
    def __init__(self):
        super().__init__()
        self.figures, self.query, self.where, self.text = [], None, None, ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self.where, self.text = "h2", ""
        elif tag == "figure":
            self.figures.append({"query": self.query, "judges": {}})
        elif tag == "b" and self.figures:
            self.where, self.text = "title", ""
        elif tag == "div" and "data-judge" in a:
            self.where, self.text = ("judge", a["data-judge"], "best" in a["class"].split()), ""

    def handle_endtag(self, tag):
        if tag == "h2" and self.where == "h2":
            self.query = self.text.split(" (seed")[0].strip()
        elif tag == "b" and self.where == "title":
            self.figures[-1]["title"] = self.text
        elif tag == "div" and isinstance(self.where, tuple):
            self.figures[-1]["judges"][self.where[1]] = (self.text, self.where[2])
        else:
            return
        self.where = None

    def handle_data(self, data):
        if self.where:
            self.text += data


class AggregateOnFixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="bigpe-aggregate-")
        cls.export = os.path.join(cls.tmp, "export")
        cls.rows = make_fixture(cls.export, seed=7)
        cls.out = os.path.join(cls.tmp, "report")
        # The real entry point, as a user runs it.
        r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "aggregate"),
                            cls.export, "--out", cls.out, "--gallery", "all"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise AssertionError(f"aggregate failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        cls.stdout = r.stdout

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers over the fixture's own rows (the "hand" side) ---------------
    def experiments_of(self, variant):
        return [e["experiment_id"] for e in self.rows["experiments"] if e["variant"] == variant]

    def best_at(self, eid, which):
        its = sorted((r for r in self.rows["iterations"] if r["experiment_id"] == eid),
                     key=lambda r: r["iteration"])
        return its[0]["best"] if which == "first" else its[-1]["best"]

    def scores(self, eid, method):
        return {(r["query"], r["seed"]): r["score"] for r in self.rows["evaluation"]
                if r["experiment_id"] == eid and r["method"] == method}

    def gain(self, eid, ref):
        opt, base = self.scores(eid, "optimized"), self.scores(eid, ref)
        return statistics.mean(opt[k] - base[k] for k in opt)

    # -- outputs --------------------------------------------------------------
    def test_every_output_file_is_written(self):
        for name in ["table1.md", "table1.csv", "table1.tex", "table2.md", "table2.csv",
                     "table2.tex", "per_experiment.csv", "report.md", "curves/curves.csv",
                     "curves/ucb_b3.png", "curves/greedy_b3.png", "curves/overview.png",
                     "gallery/index.html"]:
            path = os.path.join(self.out, name)
            self.assertTrue(os.path.isfile(path) and os.path.getsize(path) > 0, name)
        for e in self.rows["experiments"]:
            eid = e["experiment_id"]
            for name in (f"lineage/{eid}.png", f"lineage/{eid}.txt", f"gallery/{eid}.html"):
                self.assertTrue(os.path.isfile(os.path.join(self.out, name)), name)
        for png in glob.glob(os.path.join(self.out, "**", "*.png"), recursive=True):
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", png)

    def test_table1_cell_mean_and_interval_match_hand_computation(self):
        t1 = {r["cell"]: r for r in read_csv(os.path.join(self.out, "table1.csv"))}
        self.assertEqual(list(t1), ["ucb_b3", "greedy_b3"])  # campaign order kept
        for variant in ("ucb_b3", "greedy_b3"):
            ids = self.experiments_of(variant)
            initial = [self.best_at(e, "first") for e in ids]
            last = [self.best_at(e, "last") for e in ids]
            row = t1[variant]
            self.assertEqual(int(row["n"]), 3)
            self.assertAlmostEqual(float(row["initial_mean"]), sum(initial) / 3, places=4)
            self.assertAlmostEqual(float(row["last_mean"]), sum(last) / 3, places=4)
            change = [b - a for a, b in zip(initial, last)]
            self.assertAlmostEqual(float(row["change_mean"]), sum(change) / 3, places=4)
            half = t_half_width(last)
            self.assertAlmostEqual(float(row["last_low"]), sum(last) / 3 - half, places=4)
            self.assertAlmostEqual(float(row["last_high"]), sum(last) / 3 + half, places=4)

    def test_table1_heldout_gain_is_the_mean_paired_difference_per_experiment(self):
        t1 = {r["cell"]: r for r in read_csv(os.path.join(self.out, "table1.csv"))}
        for variant in ("ucb_b3", "greedy_b3"):
            ids = self.experiments_of(variant)
            g = [self.gain(e, "baseline") for e in ids]
            p = [self.gain(e, "professional") for e in ids]
            self.assertAlmostEqual(float(t1[variant]["gain_vs_baseline_mean"]), statistics.mean(g),
                                   places=4)
            self.assertAlmostEqual(float(t1[variant]["gain_vs_professional_mean"]),
                                   statistics.mean(p), places=4)

    def test_table2_over_repeats_pairs_experiment_means_and_matches_scipy(self):
        t2 = read_csv(os.path.join(self.out, "table2.csv"))
        rows = {(r["cell"], r["method"]): r for r in t2}
        self.assertEqual([r["method"] for r in t2 if r["cell"] == "ucb_b3"],
                         ["plain", "baseline", "professional", "optimized"])
        ids = self.experiments_of("ucb_b3")
        opt = [statistics.mean(self.scores(e, "optimized").values()) for e in ids]
        base = [statistics.mean(self.scores(e, "baseline").values()) for e in ids]
        row = rows[("ucb_b3", "optimized")]
        self.assertEqual(row["unit"], "experiment")
        self.assertAlmostEqual(float(row["mean"]), statistics.mean(opt), places=4)
        d = [a - b for a, b in zip(opt, base)]
        self.assertAlmostEqual(float(row["diff_mean"]), statistics.mean(d), places=4)
        self.assertAlmostEqual(float(row["wilcoxon_p"]), sps.wilcoxon(d).pvalue, places=9)
        self.assertEqual(rows[("ucb_b3", "baseline")]["diff_mean"], "")

    def test_table2_over_repeats_uses_the_t_interval_of_the_per_repeat_differences(self):
        # The campaign table's rule (repeat_interval.h): a bootstrap over 3
        # repeats would report about their range instead.
        rows = {(r["cell"], r["method"]): r for r in read_csv(os.path.join(self.out, "table2.csv"))}
        ids = self.experiments_of("greedy_b3")
        opt = [statistics.mean(self.scores(e, "optimized").values()) for e in ids]
        base = [statistics.mean(self.scores(e, "baseline").values()) for e in ids]
        d = [a - b for a, b in zip(opt, base)]
        row = rows[("greedy_b3", "optimized")]
        self.assertAlmostEqual(float(row["low"]), statistics.mean(opt) - t_half_width(opt), places=4)
        self.assertAlmostEqual(float(row["diff_low"]), statistics.mean(d) - t_half_width(d), places=4)
        self.assertAlmostEqual(float(row["diff_high"]), statistics.mean(d) + t_half_width(d), places=4)

    def test_intervals_from_fewer_than_five_repeats_are_marked_in_every_table(self):
        with open(os.path.join(self.out, "table1.md"), encoding="utf-8") as f:
            t1 = f.read()
        with open(os.path.join(self.out, "table2.md"), encoding="utf-8") as f:
            t2 = f.read()
        # 3 repeats per cell: every interval carries the (escaped) mark.
        cells1 = re.findall(r"\[[^\]]+\](\\\*)?", t1)
        self.assertGreaterEqual(len(cells1), 10)
        self.assertTrue(all(m for m in cells1), t1)
        cells2 = re.findall(r"\[[^\]]+\](\\\*)?", t2)
        self.assertGreaterEqual(len(cells2), 14)
        self.assertTrue(all(m for m in cells2), t2)
        self.assertIn("fewer than 5", t1)

    def test_repeat_intervals_match_the_golden_vectors_shared_with_cpp(self):
        from bigpe_aggregate.stats import marked, t_interval
        from bigpe_aggregate.tables import fmt_interval
        with open(os.path.join(ROOT, "tests", "unit", "scheduler", "stats", "repeat_intervals.json"),
                  encoding="utf-8") as f:
            golden = json.load(f)
        self.assertGreaterEqual(len(golden["cases"]), 8)
        for c in golden["cases"]:
            mean, low, high, n = t_interval(c["values"])
            self.assertEqual(n, c["n"], c["name"])
            self.assertEqual(marked(n), c["marked"], c["name"])
            if c["low"] is None:
                self.assertTrue(math.isnan(low), c["name"])
            else:
                self.assertAlmostEqual(low, c["low"], places=9, msg=c["name"])
                self.assertAlmostEqual(high, c["high"], places=9, msg=c["name"])
            nan = float("nan")
            m = nan if mean is None else mean
            self.assertEqual(fmt_interval(m, low, high, n=n), c["text"], c["name"])
            self.assertEqual(fmt_interval(m, low, high, signed=True, n=n), c["text_signed"], c["name"])

    def test_table2_per_cell_wilcoxon_p_matches_scipy_called_directly(self):
        out = os.path.join(self.tmp, "report-cells")
        res = cli.run(cli.parse_args([self.export, "--out", out, "--unit", "cell",
                                      "--gallery", "none", "--lineage", "none", "--quiet"]))
        t2 = res["table2"]
        for variant in ("ucb_b3", "greedy_b3"):
            for method in ("plain", "professional", "optimized"):
                d = []
                for e in self.experiments_of(variant):
                    m, b = self.scores(e, method), self.scores(e, "baseline")
                    d += [m[k] - b[k] for k in sorted(m)]
                row = t2[(t2["cell"] == variant) & (t2["method"] == method)].iloc[0]
                self.assertEqual(row["pairs"], 36)
                self.assertAlmostEqual(row["diff_mean"], statistics.mean(d), places=9)
                self.assertAlmostEqual(row["wilcoxon_p"], sps.wilcoxon(d).pvalue, places=12)
                self.assertAlmostEqual(row["wins"], sum(x > 0 for x in d) / len(d), places=12)
                self.assertLess(row["diff_low"], row["diff_mean"])
                self.assertLess(row["diff_mean"], row["diff_high"])

    def test_bootstrap_interval_is_reproducible_and_brackets_the_mean(self):
        from bigpe_aggregate.stats import bootstrap_interval
        x = [self.rows["evaluation"][i]["score"] for i in range(0, 200, 4)]
        a, b = bootstrap_interval(x, seed=3), bootstrap_interval(x, seed=3)
        self.assertEqual(a, b)
        mean, low, high, n = a
        self.assertAlmostEqual(mean, statistics.mean(x), places=12)
        self.assertEqual(n, len(x))
        self.assertLess(low, mean)
        self.assertLess(mean, high)
        # The percentile interval is close to the normal one for 50 values.
        se = statistics.stdev(x) / math.sqrt(len(x))
        self.assertAlmostEqual(high - low, 2 * 1.96 * se, delta=0.3 * 2 * 1.96 * se)

    def test_markdown_and_latex_tables_have_one_row_per_cell(self):
        with open(os.path.join(self.out, "table1.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertEqual(len(re.findall(r"^\| (ucb_b3|greedy_b3) \|", md, re.M)), 2)
        with open(os.path.join(self.out, "table1.tex"), encoding="utf-8") as f:
            tex = f.read()
        self.assertIn(r"\begin{tabular}", tex)
        self.assertIn(r"ucb\_b3", tex)  # underscores escaped
        self.assertEqual(len(re.findall(r"\\\\$", tex, re.M)), 3)  # header + 2 cells
        with open(os.path.join(self.out, "table2.tex"), encoding="utf-8") as f:
            self.assertEqual(len(re.findall(r"\\\\$", f.read(), re.M)), 1 + 8)

    def test_learning_curve_numbers_match_hand_means(self):
        rows = read_csv(os.path.join(self.out, "curves", "curves.csv"))
        ids = self.experiments_of("greedy_b3")
        for it in (1, 3):
            for measure in ("best", "mean"):
                want = statistics.mean(r[measure] for r in self.rows["iterations"]
                                       if r["experiment_id"] in ids and r["iteration"] == it)
                got = [r for r in rows if r["cell"] == "greedy_b3" and r["measure"] == measure
                       and int(r["iteration"]) == it]
                self.assertEqual(len(got), 1)
                self.assertAlmostEqual(float(got[0]["mean"]), want, places=4)

    def test_learning_curves_are_also_plotted_against_renders(self):
        rows = read_csv(os.path.join(self.out, "curves", "curves.csv"))
        ids = self.experiments_of("ucb_b3")
        for it in (1, 4):
            want = statistics.mean(r["renders"] for r in self.rows["iterations"]
                                   if r["experiment_id"] in ids and r["iteration"] == it)
            got = [r for r in rows if r["cell"] == "ucb_b3" and r["measure"] == "best"
                   and int(r["iteration"]) == it]
            self.assertAlmostEqual(float(got[0]["renders"]), want, places=6)
        # Two panels side by side (iterations | renders): twice the width of
        # one (5.5 in at 110 dpi), read from the PNG's IHDR.
        for name in ("ucb_b3.png", "overview.png"):
            with open(os.path.join(self.out, "curves", name), "rb") as f:
                width = int.from_bytes(f.read(24)[16:20], "big")
            self.assertGreater(width, 1100, name)

    def test_lineage_nodes_carry_their_scores(self):
        eid = self.rows["experiments"][1]["experiment_id"]
        with open(os.path.join(self.out, "lineage", f"{eid}.txt"), encoding="utf-8") as f:
            lines = {ln.split("\t")[0].split(" ")[0]: ln for ln in f.read().splitlines()
                     if not ln.startswith("#")}
        unscored = 0
        for i in (i for i in self.rows["instructions"] if i["experiment_id"] == eid):
            if i["score_n"]:
                self.assertIn(f"\tmean={i['score_mean']:.2f} n={i['score_n']} "
                              f"best={i['score_best']:.2f}\t", lines[i["id"]])
            else:
                unscored += 1
                self.assertIn("\tunscored\t", lines[i["id"]])
        self.assertGreater(unscored, 0)  # the last iteration's children were never rendered
        self.assertLess(unscored, len(lines))

    def test_lineage_lists_every_instruction_with_its_parent(self):
        eid = self.rows["experiments"][0]["experiment_id"]
        mine = [i for i in self.rows["instructions"] if i["experiment_id"] == eid]
        with open(os.path.join(self.out, "lineage", f"{eid}.txt"), encoding="utf-8") as f:
            lines = [ln for ln in f.read().splitlines() if not ln.startswith("#")]
        self.assertEqual(len(lines), len(mine))
        for i in mine:
            line = next(ln for ln in lines if ln.split("\t")[0].split(" ")[0] == i["id"])
            self.assertIn(f"parent={i['parent'] or '-'}", line)
            self.assertIn(f"born={i['born']}", line)
        self.assertEqual(sum("(final)" in ln for ln in lines), 1)

    def test_lineage_layout_puts_nodes_at_their_iteration_and_parents_between_children(self):
        from bigpe_aggregate.figures import lineage_layout
        pos = lineage_layout([{"id": "a", "parent": "", "born": 0},
                              {"id": "b", "parent": "a", "born": 1},
                              {"id": "c", "parent": "a", "born": 1},
                              {"id": "d", "parent": "c", "born": 2}])
        self.assertEqual([pos[k][0] for k in "abcd"], [0, 1, 1, 2])
        self.assertEqual(pos["a"][1], (pos["b"][1] + pos["c"][1]) / 2)

    def test_gallery_links_copied_images_by_relative_paths(self):
        gallery = os.path.join(self.out, "gallery")
        for e in self.rows["experiments"]:
            with open(os.path.join(gallery, f"{e['experiment_id']}.html"), encoding="utf-8") as f:
                page = f.read()
            srcs = re.findall(r'<img src="([^"]+)"', page)
            # Repeat 0 has an image for every cell: 4 queries x 4 methods.
            self.assertEqual(len(srcs), 16 if e["repeat"] == 0 else 0, e["experiment_id"])
            for s in srcs:
                self.assertFalse(os.path.isabs(s) or s.startswith(("file:", "..")), s)
                path = os.path.realpath(os.path.join(gallery, s))
                self.assertTrue(path.startswith(os.path.realpath(gallery) + os.sep), s)
                self.assertTrue(os.path.isfile(path), s)
            for q in ("A cactus", "City with parade", "A lava flow", "An icy tundra"):
                self.assertIn(f"<h2>{q} ", page)
            self.assertIn("golden hour &amp; dramatic light", page)  # prompts escaped
            self.assertIn("refined &lt;plainly&gt;", page)

    def test_report_links_tables_and_figures(self):
        with open(os.path.join(self.out, "report.md"), encoding="utf-8") as f:
            report = f.read()
        self.assertIn("## Table 1", report)
        self.assertIn("](curves/overview.png)", report)
        self.assertIn("gallery/index.html", report)

    def test_a_report_elsewhere_links_figures_relative_to_itself(self):
        doc = os.path.join(self.tmp, "docs", "results.md")
        out = os.path.join(self.tmp, "docs", "results")
        cli.run(cli.parse_args([self.export, "--out", out, "--report", doc, "--gallery", "none",
                                "--lineage", "none", "--quiet", "--note", "Made by: `x`"]))
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("Made by: `x`", text)
        links = re.findall(r"\]\(([^)]+\.png)\)", text)
        self.assertIn("results/curves/overview.png", links)
        for link in links:
            self.assertTrue(os.path.isfile(os.path.join(os.path.dirname(doc), link)), link)

    def test_an_experiment_in_two_exports_is_counted_once(self):
        out = os.path.join(self.tmp, "report-twice")
        err = []
        import io
        import contextlib
        buf = io.StringIO()
        with contextlib.redirect_stderr(buf):
            res = cli.run(cli.parse_args([self.export, self.export, "--out", out, "--gallery",
                                          "none", "--lineage", "none", "--quiet"]))
        err.append(buf.getvalue())
        self.assertEqual(len(res["per_experiment"]), 6)
        self.assertIn("keeping the first", err[0])

    def test_a_malformed_row_is_reported_with_file_and_line(self):
        bad = os.path.join(self.tmp, "bad")
        shutil.copytree(self.export, bad)
        with open(os.path.join(bad, "iterations.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps({"experiment_id": "x", "iteration": 1}) + "\n{not json\n")
        r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "aggregate"), bad,
                            "--out", os.path.join(self.tmp, "bad-out")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"iterations\.jsonl:25: missing field\(s\) best, mean")


class JudgesOnFixture(unittest.TestCase):
    """The held-out judges (issue 14): the fixture's ucb_b3 experiments carry
    a fake judge, sim-judge; greedy_b3's have none."""
    JUDGE = "sim-judge"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="bigpe-aggregate-judges-")
        cls.export = os.path.join(cls.tmp, "export")
        cls.rows = make_fixture(cls.export, seed=7)
        cls.out = os.path.join(cls.tmp, "report")
        cls.res = run_aggregate(cls.export, "--out", cls.out, "--gallery", "all")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def experiments_of(self, variant):
        return [e["experiment_id"] for e in self.rows["experiments"] if e["variant"] == variant]

    def scores(self, eid, method, judge=None):
        return {(r["query"], r["seed"]): r["judges"][judge] if judge else r["score"]
                for r in self.rows["evaluation"]
                if r["experiment_id"] == eid and r["method"] == method}

    def gain(self, eid, judge=None):
        opt, base = self.scores(eid, "optimized", judge), self.scores(eid, "baseline", judge)
        return statistics.mean(opt[k] - base[k] for k in opt)

    def test_judges_table_matches_hand_computation_over_repeats(self):
        rows = read_csv(os.path.join(self.out, "judges.csv"))
        self.assertEqual([(r["cell"], r["judge"]) for r in rows], [("ucb_b3", self.JUDGE)])
        r = rows[0]
        self.assertEqual((r["optimized_scorer"], r["unit"], r["experiments"]), ("sim", "experiment", "3"))
        ids = self.experiments_of("ucb_b3")
        o = [self.gain(e) for e in ids]
        j = [self.gain(e, self.JUDGE) for e in ids]
        d = [b - a for a, b in zip(o, j)]
        for prefix, values in (("optimized_gain", o), ("judge_gain", j), ("diff", d)):
            mean, half = statistics.mean(values), t_half_width(values)
            self.assertAlmostEqual(float(r[f"{prefix}_mean"]), mean, places=5, msg=prefix)
            self.assertAlmostEqual(float(r[f"{prefix}_low"]), mean - half, places=5, msg=prefix)
            self.assertAlmostEqual(float(r[f"{prefix}_high"]), mean + half, places=5, msg=prefix)
            self.assertEqual(r[f"{prefix}_n"], "3")
        self.assertAlmostEqual(float(r["share"]), statistics.mean(j) / statistics.mean(o), places=5)
        with open(os.path.join(self.out, "judges.md"), encoding="utf-8") as f:
            md = f.read()
        marks = re.findall(r"\[[^\]]+\](\\\*)?", md)
        self.assertEqual(len(marks), 3)  # three intervals from 3 repeats, each marked
        self.assertTrue(all(marks), md)
        self.assertIn(f"{100 * statistics.mean(j) / statistics.mean(o):.0f}%", md)

    def test_judges_table_pairs_cells_for_a_one_experiment_cell(self):
        res = run_aggregate(self.export, "--out", os.path.join(self.tmp, "by-seed"), "--group-by",
                            "seed,selector.kind", "--gallery", "none")
        t = res["judges"]
        self.assertEqual(list(t["cell"]), [f"seed={k}, selector.kind=ucb" for k in range(3)])
        eid = self.experiments_of("ucb_b3")[1]
        r = t[t["cell"] == "seed=1, selector.kind=ucb"].iloc[0]
        o, b = self.scores(eid, "optimized"), self.scores(eid, "baseline")
        jo, jb = (self.scores(eid, m, self.JUDGE) for m in ("optimized", "baseline"))
        d = [(jo[k] - jb[k]) - (o[k] - b[k]) for k in sorted(o)]  # in the pivot's order
        self.assertEqual((r["unit"], r["n"]), ("cell", 12))
        self.assertAlmostEqual(r["diff_mean"], statistics.mean(d), places=9)
        # 12 cells: the rule's bootstrap, seeded as --seed's default.
        from bigpe_aggregate.stats import bootstrap_interval
        low, high = bootstrap_interval(d, seed=0)[1:3]
        self.assertAlmostEqual(r["diff_low"], low, places=9)
        self.assertAlmostEqual(r["diff_high"], high, places=9)
        # The gains and their intervals are Table 2's and the judge's Table 2's.
        for t2, prefix in ((res["table2"], "optimized_gain"),
                           (res["table2_by_judge"][self.JUDGE], "judge_gain")):
            row = t2[(t2["cell"] == r["cell"]) & (t2["method"] == "optimized")].iloc[0]
            self.assertEqual([row["diff_mean"], row["diff_low"], row["diff_high"], row["pairs"]],
                             [r[f"{prefix}_{k}"] for k in ("mean", "low", "high", "n")], prefix)

    def write_export(self, name, evaluation, experiments):
        d = os.path.join(self.tmp, name)
        os.makedirs(d)
        _write_jsonl(os.path.join(d, "experiments.jsonl"), experiments)
        _write_jsonl(os.path.join(d, "evaluation.jsonl"), evaluation)
        return d

    def test_table2_of_a_judge_is_table2_of_the_export_scored_by_it(self):
        judged = set(self.experiments_of("ucb_b3"))
        rescored = [dict(r, score=r["judges"][self.JUDGE]) for r in self.rows["evaluation"]
                    if r["experiment_id"] in judged]
        for r in rescored:
            del r["judges"]
        exps = [{k: v for k, v in e.items() if k != "judges"} for e in self.rows["experiments"]
                if e["experiment_id"] in judged]
        plain = self.write_export("rescored", rescored, exps)
        for unit in ("auto", "cell"):
            a, b = os.path.join(self.tmp, f"judged-{unit}"), os.path.join(self.tmp, f"rescored-{unit}")
            run_aggregate(self.export, "--out", a, "--unit", unit, "--gallery", "none")
            run_aggregate(plain, "--out", b, "--unit", unit, "--gallery", "none")
            with open(os.path.join(a, f"table2_{self.JUDGE}.csv"), encoding="utf-8") as f:
                got = f.read()
            with open(os.path.join(b, "table2.csv"), encoding="utf-8") as f:
                want = f.read()
            self.assertEqual(got, want, unit)
            self.assertEqual(got.count("\nucb_b3,"), 4)  # the judge's experiments only
        with open(os.path.join(self.out, f"table2_{self.JUDGE}.md"), encoding="utf-8") as f:
            self.assertIn(f"Judge {self.JUDGE}, held out", f.read())
        with open(os.path.join(self.out, "report.md"), encoding="utf-8") as f:
            report = f.read()
        self.assertIn(f"## Table 2 (judge {self.JUDGE}, held out)", report)
        self.assertIn("## Judges: gain on the optimized scorer", report)

    def test_stored_judge_intervals_are_used_for_a_one_experiment_cell(self):
        # As `bigpe export` writes them: the run's own intervals, the
        # judges' under eval_intervals.judges; distinctive bounds, so that
        # their use is seen.
        eid = self.experiments_of("ucb_b3")[0]

        def stored(judge, shift):
            opt = self.scores(eid, "optimized", judge)
            gain = self.gain(eid, judge)
            mean = statistics.mean(opt.values())
            return {"methods": {"optimized": {"mean": mean, "low": mean - shift, "high": mean + 1,
                                              "n": 12}},
                    "gains": {"optimized": {"mean": gain, "low": gain - shift, "high": gain + 1,
                                            "n": 12}}}
        exps = [dict(e) for e in self.rows["experiments"]]
        for e in exps:
            if e["experiment_id"] == eid:
                e["eval_intervals"] = dict(stored(None, 0.125),
                                           judges={self.JUDGE: stored(self.JUDGE, 0.375)})
        d = self.write_export("stored", self.rows["evaluation"], exps)
        res = run_aggregate(d, "--out", os.path.join(self.tmp, "stored-out"), "--group-by",
                            "seed,selector.kind", "--gallery", "none")
        cell = "seed=0, selector.kind=ucb"
        t2 = res["table2_by_judge"][self.JUDGE]
        row = t2[(t2["cell"] == cell) & (t2["method"] == "optimized")].iloc[0]
        self.assertAlmostEqual(row["mean"] - row["low"], 0.375, places=9)
        self.assertAlmostEqual(row["diff_mean"] - row["diff_low"], 0.375, places=9)
        main = res["table2"]
        row = main[(main["cell"] == cell) & (main["method"] == "optimized")].iloc[0]
        self.assertAlmostEqual(row["diff_mean"] - row["diff_low"], 0.125, places=9)
        j = res["judges"].set_index("cell").loc[cell]
        self.assertAlmostEqual(j["optimized_gain_mean"] - j["optimized_gain_low"], 0.125, places=9)
        self.assertAlmostEqual(j["judge_gain_mean"] - j["judge_gain_low"], 0.375, places=9)
        other = res["judges"].set_index("cell").loc["seed=1, selector.kind=ucb"]
        self.assertNotAlmostEqual(other["judge_gain_mean"] - other["judge_gain_low"], 0.375, places=3)

    def test_per_experiment_has_a_gain_column_per_judge(self):
        per = {r["experiment_id"]: r for r in read_csv(os.path.join(self.out, "per_experiment.csv"))}
        col = f"gain_vs_baseline@{self.JUDGE}"
        for eid in self.experiments_of("ucb_b3"):
            self.assertAlmostEqual(float(per[eid][col]), self.gain(eid, self.JUDGE), places=5)
            self.assertAlmostEqual(float(per[eid]["gain_vs_baseline"]), self.gain(eid), places=5)
        for eid in self.experiments_of("greedy_b3"):
            self.assertEqual(per[eid][col], "")

    def test_an_export_without_judges_writes_no_judge_output_and_the_same_tables(self):
        d = os.path.join(self.tmp, "no-judges")
        make_fixture(d, seed=7, with_judges=False)
        with open(os.path.join(d, "evaluation.jsonl"), encoding="utf-8") as f:
            self.assertNotIn("judges", f.read())
        out = os.path.join(self.tmp, "no-judges-out")
        run_aggregate(d, "--out", out, "--gallery", "all")
        self.assertEqual(glob.glob(os.path.join(out, "table2_*")) + glob.glob(os.path.join(out, "judges.*")), [])
        for name in ("report.md", "per_experiment.csv", "gallery/index.html",
                     "gallery/fixture-ucb_b3-r0.html"):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                text = f.read()
            self.assertNotIn("sim-judge", text, name)
            self.assertNotIn("data-judge", text, name)
        # The judges' own stream leaves the fixture's other numbers as they were.
        for name in ("table1.csv", "table2.csv"):
            with open(os.path.join(out, name), encoding="utf-8") as a, \
                    open(os.path.join(self.out, name), encoding="utf-8") as b:
                self.assertEqual(a.read(), b.read(), name)

    def test_a_share_is_given_only_for_an_optimized_gain_above_zero_with_its_interval(self):
        from bigpe_aggregate.judge_tables import share_meaningful
        nan = math.nan
        self.assertTrue(share_meaningful((0.5, 0.1, 0.9, 3)))
        self.assertFalse(share_meaningful((0.5, -0.1, 1.1, 3)))  # the interval holds zero
        self.assertFalse(share_meaningful((-0.5, -0.9, -0.1, 3)))
        self.assertTrue(share_meaningful((0.5, nan, nan, 1)))  # one repeat: its mean
        self.assertFalse(share_meaningful((0.0, nan, nan, 1)))

    def test_a_malformed_judge_score_is_reported_with_file_line_and_field(self):
        cases = [("evaluation.jsonl", {"experiment_id": "x", "method": "plain", "query": "q",
                                       "seed": 1, "score": 1.0, "judges": {self.JUDGE: "high"}},
                  r'field judges\.sim-judge: not a number \("high"\)', len(self.rows["evaluation"])),
                 ("evaluation.jsonl", {"experiment_id": "x", "method": "plain", "query": "q",
                                       "seed": 1, "score": 1.0, "judges": [2.5]},
                  r"field judges: must be an object", len(self.rows["evaluation"])),
                 ("experiments.jsonl", {"experiment_id": "x", "judges": "sim-judge"},
                  r"field judges: must be a list", len(self.rows["experiments"]))]
        for k, (name, row, message, lines) in enumerate(cases):
            bad = os.path.join(self.tmp, f"bad-judge-{k}")
            shutil.copytree(self.export, bad)
            with open(os.path.join(bad, name), "a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")
            r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "aggregate"), bad,
                                "--out", os.path.join(self.tmp, f"bad-judge-out-{k}")],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertRegex(r.stderr, re.escape(f"{name}:{lines + 1}: ") + message)

    def test_gallery_shows_each_judge_score_and_the_best_per_judge(self):
        gallery = os.path.join(self.out, "gallery")
        eid = self.experiments_of("ucb_b3")[0]
        parser = Figures()
        with open(os.path.join(gallery, f"{eid}.html"), encoding="utf-8") as f:
            parser.feed(f.read())
        titles = {"plain query": "plain", "LLM baseline (I0)": "baseline",
                  "professional prompt": "professional", "optimized instruction": "optimized"}
        self.assertEqual(len(parser.figures), 16)
        seed = 1000000  # the first seed: every method has its image
        best_seen = 0
        for fig in parser.figures:
            method, query = titles[fig["title"]], fig["query"]
            judged = self.scores(eid, method, self.JUDGE)
            mean = statistics.mean(v for (q, _), v in judged.items() if q == query)
            text, best = fig["judges"][self.JUDGE]
            self.assertEqual(" ".join(text.split()),
                             f"{self.JUDGE} {judged[(query, seed)]:.2f} (mean {mean:.2f})")
            top = max(self.scores(eid, m, self.JUDGE)[(query, seed)] for m in titles.values())
            self.assertEqual(best, judged[(query, seed)] == top, (query, method))
            best_seen += best
        self.assertEqual(best_seen, 4)  # one best image per query on the judge
        parser = Figures()
        with open(os.path.join(gallery, f"{self.experiments_of('greedy_b3')[0]}.html"),
                  encoding="utf-8") as f:
            parser.feed(f.read())
        self.assertEqual([f["judges"] for f in parser.figures], [{}] * 16)
        with open(os.path.join(gallery, "index.html"), encoding="utf-8") as f:
            index = f.read()
        self.assertIn(f"<th>held-out gain vs I0, judge {self.JUDGE}</th>", index)
        row = re.search(rf"<tr><td><a href=\"{eid}\.html\">.*?</tr>", index).group(0)
        cells = re.findall(r"<td>([^<]*)</td>", row)
        self.assertEqual(cells[-3:-1], [f"{self.gain(eid):+.2f}", f"{self.gain(eid, self.JUDGE):+.2f}"])

if __name__ == "__main__":
    unittest.main(verbosity=2)
