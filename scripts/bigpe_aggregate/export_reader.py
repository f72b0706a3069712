"""Reads one or more `bigpe export` folders into pandas tables.

An export folder holds experiments.jsonl, iterations.jsonl,
instructions.jsonl, evaluation.jsonl and images/<experiment_id>/*.png (the
layout `bigpe export EXPERIMENT|CAMPAIGN --out DIR` writes). Several folders
are concatenated; an experiment found in more than one folder is kept from
the first and reported once. Image paths, relative to their folder in the
export, become absolute (`image_abs`), so later steps need not know which
folder a row came from.

Held-out judges (issue 14, optional; older exports have none): an
experiment row may name `optimized_scorer` (what the loop optimized, e.g.
"sim" or "hpsv2:0.7,pickscore:0.3") and `judges` (the held-out scorers, in
order), and its `eval_intervals` may hold `judges: {judge: {"methods",
"gains"}}`; an evaluation row may hold `judges: {judge: score}`, each
judge's score of the same image (`score` stays the optimized one).
`judged_by(export, judge)` is the export as that judge scored it, the
mirror of the C++ EvaluationResult::judged_by.
"""
import json
import math
import os
import sys
from dataclasses import dataclass

import pandas as pd

FILES = ("experiments", "iterations", "instructions", "evaluation")


class ExportError(Exception):
    """A missing file or a malformed row, named with its path and line."""


@dataclass
class Export:
    experiments: pd.DataFrame
    iterations: pd.DataFrame
    instructions: pd.DataFrame
    evaluation: pd.DataFrame


def _read_jsonl(path, required, check=None):
    """The rows of one JSONL file; `check(row)` returns an error text (named
    with path:line here) or None."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ExportError(f"{path}:{lineno}: not JSON: {e}") from None
            if not isinstance(row, dict):
                raise ExportError(f"{path}:{lineno}: a row must be a JSON object")
            missing = [k for k in required if k not in row]
            if missing:
                raise ExportError(f"{path}:{lineno}: missing field(s) {', '.join(missing)}")
            problem = check(row) if check else None
            if problem:
                raise ExportError(f"{path}:{lineno}: {problem}")
            rows.append(row)
    return rows


# Fields a reader cannot do without; everything else is optional.
REQUIRED = {
    "experiments": ("experiment_id",),
    "iterations": ("experiment_id", "iteration", "best", "mean"),
    "instructions": ("experiment_id", "id", "text"),
    "evaluation": ("experiment_id", "method", "query", "seed", "score"),
}

def _is_number(v):
    """A finite JSON number (Python's json reads NaN and Infinity too)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_experiment(row):
    judges = row.get("judges")
    if judges is not None and (not isinstance(judges, list)
                               or not all(isinstance(j, str) and j for j in judges)):
        return f"field judges: must be a list of judge names, not {json.dumps(judges)}"
    scorer = row.get("optimized_scorer")
    if scorer is not None and not isinstance(scorer, str):
        return f"field optimized_scorer: must be a string, not {json.dumps(scorer)}"
    return None


def _check_evaluation(row):
    judges = row.get("judges")
    if judges is None:
        return None
    if not isinstance(judges, dict):
        return f"field judges: must be an object of judge: score, not {json.dumps(judges)}"
    for name, v in judges.items():
        if not _is_number(v):
            return f"field judges.{name}: not a number ({json.dumps(v)})"
    return None


CHECKS = {"experiments": _check_experiment, "evaluation": _check_evaluation}

COLUMNS = {
    "experiments": ["experiment_id", "campaign_id", "variant", "repeat", "config",
                    "config_hash", "status", "final_instruction", "iterations", "export_dir",
                    "eval_intervals", "optimized_scorer", "judges"],
    "iterations": ["experiment_id", "iteration", "best", "mean", "renders"],
    "instructions": ["experiment_id", "id", "text", "parent", "born", "improvement",
                     "score_mean", "score_best", "score_n"],
    "evaluation": ["experiment_id", "method", "instruction", "query", "seed", "score",
                   "prompt", "image", "image_abs", "judges"],
}


def read_exports(dirs, warn=None):
    """Loads every folder in `dirs`; raises ExportError naming what is wrong."""
    tables = {name: [] for name in FILES}
    seen = {}
    duplicates = []
    for d in dirs:
        if not os.path.isdir(d):
            raise ExportError(f"{d}: not a folder (expected a `bigpe export --out` folder)")
        path = os.path.join(d, "experiments.jsonl")
        if not os.path.exists(path):
            raise ExportError(f"{path}: missing (is {d} a `bigpe export` folder?)")
        exps = _read_jsonl(path, REQUIRED["experiments"], CHECKS["experiments"])
        keep = set()
        for e in exps:
            eid = e["experiment_id"]
            if eid in seen:
                duplicates.append(f"{eid} ({seen[eid]}, {d})")
                continue
            seen[eid] = d
            keep.add(eid)
            e = dict(e)
            e["export_dir"] = os.path.abspath(d)
            tables["experiments"].append(e)
        for name in FILES[1:]:
            path = os.path.join(d, f"{name}.jsonl")
            if not os.path.exists(path):
                continue  # an export without evaluation (or iterations) is valid
            for row in _read_jsonl(path, REQUIRED[name], CHECKS.get(name)):
                if row["experiment_id"] not in keep:
                    continue
                if name == "evaluation":
                    image = row.get("image") or ""
                    row["image_abs"] = os.path.abspath(os.path.join(d, image)) if image else ""
                tables[name].append(row)
    if duplicates:
        print(f"aggregate: {len(duplicates)} experiment(s) in more than one export, keeping the "
              f"first copy: {'; '.join(duplicates[:3])}{' ...' if len(duplicates) > 3 else ''}",
              file=warn or sys.stderr)
    frames = {}
    for name in FILES:
        df = pd.DataFrame(tables[name])
        for col in COLUMNS[name]:
            if col not in df.columns:
                df[col] = pd.Series(dtype=object)
        frames[name] = df
    e = frames["experiments"]
    e["variant"] = e["variant"].fillna("").astype(str)
    e["repeat"] = pd.to_numeric(e["repeat"], errors="coerce")
    e["config"] = e["config"].apply(lambda c: c if isinstance(c, dict) else {})
    e["optimized_scorer"] = e["optimized_scorer"].fillna("").astype(str)
    e["judges"] = e["judges"].apply(lambda j: list(j) if isinstance(j, list) else [])
    it = frames["iterations"]
    for col in ("iteration", "best", "mean", "renders"):  # renders: absent from older exports
        it[col] = pd.to_numeric(it[col], errors="coerce")
    ev = frames["evaluation"]
    ev["score"] = pd.to_numeric(ev["score"], errors="coerce")
    for col in ("instruction", "prompt", "image", "image_abs"):
        ev[col] = ev[col].fillna("").astype(str)
    ev["judges"] = ev["judges"].apply(lambda j: j if isinstance(j, dict) else {})
    ins = frames["instructions"]
    ins["parent"] = ins["parent"].fillna("").astype(str)
    ins["born"] = pd.to_numeric(ins["born"], errors="coerce").fillna(0).astype(int)
    ins["improvement"] = ins["improvement"].fillna("").astype(str)
    for col in ("score_mean", "score_best", "score_n"):  # absent from older exports
        ins[col] = pd.to_numeric(ins[col], errors="coerce")
    return Export(**frames)


# ---- held-out judges ----------------------------------------------------------

def judge_names(export):
    """Every judge of the export, in order of first appearance: those the
    experiments name, then any only the evaluation rows carry."""
    names = []
    for js in export.experiments["judges"]:
        names += [j for j in js if j not in names]
    for js in export.evaluation["judges"]:
        names += [j for j in js if j not in names]
    return names


def judge_scores(evaluation, judge):
    """The judge's score of each evaluation row (NaN where it has none)."""
    return pd.to_numeric(evaluation["judges"].apply(lambda js: js.get(judge)), errors="coerce")


def _judge_intervals(stored, judge):
    if not isinstance(stored, dict):
        return None
    iv = (stored.get("judges") or {}).get(judge)
    return iv if isinstance(iv, dict) else None


def judged_by(export, judge):
    """The export as `judge` scored it: only the experiments it judged, each
    evaluation row's `score` the judge's score of that image (rows without
    one dropped) and `eval_intervals` the judge's stored intervals, so that
    Table 2 pairs, tests and reuses stored intervals unchanged. Training
    rows (iterations, instructions) stay the optimized scorer's."""
    ev = export.evaluation.copy()
    ev["score"] = judge_scores(ev, judge)
    ev = ev[ev["score"].notna()].reset_index(drop=True)
    judged = set(ev["experiment_id"])
    e = export.experiments
    keep = set(e[e["experiment_id"].isin(judged)
                 | e["judges"].apply(lambda js: judge in js).astype(bool)]["experiment_id"])
    out = subset(export, keep)
    out.experiments["eval_intervals"] = out.experiments["eval_intervals"].apply(
        lambda s: _judge_intervals(s, judge))
    out.evaluation = ev[ev["experiment_id"].isin(keep)].reset_index(drop=True)
    return out


def subset(export, experiment_ids):
    """The export restricted to some experiments (copies)."""
    def rows(df):
        return df[df["experiment_id"].isin(experiment_ids)].reset_index(drop=True).copy()
    return Export(experiments=rows(export.experiments), iterations=rows(export.iterations),
                  instructions=rows(export.instructions), evaluation=rows(export.evaluation))
