"""Reads one or more `bigpe export` folders into pandas tables.

An export folder holds experiments.jsonl, iterations.jsonl,
instructions.jsonl, evaluation.jsonl and images/<experiment_id>/*.png (the
layout `bigpe export EXPERIMENT|CAMPAIGN --out DIR` writes). Several folders
are concatenated; an experiment found in more than one folder is kept from
the first and reported once. Image paths, relative to their folder in the
export, become absolute (`image_abs`), so later steps need not know which
folder a row came from.
"""
import json
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


def _read_jsonl(path, required):
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
            rows.append(row)
    return rows


# Fields a reader cannot do without; everything else is optional.
REQUIRED = {
    "experiments": ("experiment_id",),
    "iterations": ("experiment_id", "iteration", "best", "mean"),
    "instructions": ("experiment_id", "id", "text"),
    "evaluation": ("experiment_id", "method", "query", "seed", "score"),
}

COLUMNS = {
    "experiments": ["experiment_id", "campaign_id", "variant", "repeat", "config",
                    "config_hash", "status", "final_instruction", "iterations", "export_dir",
                    "eval_intervals"],
    "iterations": ["experiment_id", "iteration", "best", "mean", "renders"],
    "instructions": ["experiment_id", "id", "text", "parent", "born", "improvement",
                     "score_mean", "score_best", "score_n"],
    "evaluation": ["experiment_id", "method", "instruction", "query", "seed", "score",
                   "prompt", "image", "image_abs"],
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
        exps = _read_jsonl(path, REQUIRED["experiments"])
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
            for row in _read_jsonl(path, REQUIRED[name]):
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
    it = frames["iterations"]
    for col in ("iteration", "best", "mean", "renders"):  # renders: absent from older exports
        it[col] = pd.to_numeric(it[col], errors="coerce")
    ev = frames["evaluation"]
    ev["score"] = pd.to_numeric(ev["score"], errors="coerce")
    for col in ("instruction", "prompt", "image", "image_abs"):
        ev[col] = ev[col].fillna("").astype(str)
    ins = frames["instructions"]
    ins["parent"] = ins["parent"].fillna("").astype(str)
    ins["born"] = pd.to_numeric(ins["born"], errors="coerce").fillna(0).astype(int)
    ins["improvement"] = ins["improvement"].fillna("").astype(str)
    for col in ("score_mean", "score_best", "score_n"):  # absent from older exports
        ins[col] = pd.to_numeric(ins[col], errors="coerce")
    return Export(**frames)
