"""The HTML gallery: per held-out query, the images of the plain query, the
LLM baseline (I0), the professional prompt and the optimized instruction,
with their prompts and scores side by side.

One page per experiment (gallery/<experiment>.html) and an index. Images
are copied next to the pages (gallery/images/<experiment>/...) and linked
by relative paths, so the folder can be moved or zipped as it is. Each page
shows one seed per query (the first seed that has an image for every
method) and, beside the image's score, the method's mean over all seeds of
that query. An experiment with held-out judges (score.judges) shows, under
the optimized score, each judge's score of the same image with its mean,
and marks the best per judge as well; the index has a column of held-out
gain per judge.

A small script on each page records, once the page has loaded, how many
images loaded (`#image-check`, data-loaded / data-total); the gallery test
reads it from headless Chromium, and a reader sees a warning if some are
missing.
"""
import html
import os
import shutil

from .export_reader import judge_names, judge_scores, subset
from .figures import slug
from .tables import METHOD_ORDER, method_labels

TITLES = {"plain": "plain query", "baseline": "LLM baseline (I0)",
          "professional": "professional prompt", "optimized": "optimized instruction"}

CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;max-width:1400px}
h1{font-size:1.3em} h2{font-size:1.05em;margin:1.4em 0 .4em}
.instr{background:#f4f4f4;padding:.5em .8em;border-radius:4px;font-size:.9em;margin:.3em 0}
.row{display:grid;grid-template-columns:repeat(var(--cols),minmax(0,1fr));gap:12px}
figure{margin:0;border:1px solid #ddd;border-radius:4px;padding:6px;background:#fff}
figure img{width:100%;max-width:256px;image-rendering:pixelated;display:block;margin:auto}
.noimg{height:120px;display:flex;align-items:center;justify-content:center;background:#eee;color:#888}
figcaption{font-size:.8em;margin-top:4px}
.score{font-weight:600} .best{color:#0a7d28} .judge{color:#555} .judge.best{color:#0a7d28}
.prompt{color:#444;word-break:break-word}
#image-check[data-bad]{color:#b00020;font-weight:600}
table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:3px 8px;font-size:.9em}
"""

CHECK_SCRIPT = """
<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var el = document.getElementById('image-check');
  el.dataset.loaded = ok; el.dataset.total = imgs.length;
  if (ok !== imgs.length) { el.dataset.bad = '1';
    el.textContent = (imgs.length - ok) + ' of ' + imgs.length + ' images did not load'; }
  else { el.textContent = ''; }
});
</script>
"""


def _esc(s):
    return html.escape(str(s), quote=True)


def _copy_image(src, gallery_dir, experiment_id, copied):
    """Copies one image under gallery/images/<experiment>/ and returns its
    path relative to the gallery folder ('' when the source is missing)."""
    if not src or not os.path.isfile(src):
        return ""
    if src in copied:
        return copied[src]
    rel = os.path.join("images", slug(experiment_id), os.path.basename(src))
    stem, ext = os.path.splitext(rel)
    k = 1
    while rel in copied.values():
        rel = f"{stem}-{k}{ext}"
        k += 1
    dst = os.path.join(gallery_dir, rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
    copied[src] = rel
    return rel


def experiment_page(export, experiment_id, gallery_dir):
    """Writes gallery/<experiment>.html; returns (file name, images shown)."""
    ev = export.evaluation[export.evaluation["experiment_id"] == experiment_id].copy()
    exp = export.experiments[export.experiments["experiment_id"] == experiment_id].iloc[0]
    ev["method_label"] = method_labels(ev)
    methods = sorted(ev["method_label"].unique(),
                     key=lambda m: (METHOD_ORDER.index(m.split("#")[0])
                                    if m.split("#")[0] in METHOD_ORDER else 99, m))
    judges = judge_names(subset(export, {experiment_id}))
    for k, j in enumerate(judges):  # the judges' scores as columns, NaN where missing
        ev[f"_judge{k}"] = judge_scores(ev, j)
    scorer = exp.get("optimized_scorer", "") or "the optimized scorer"
    judged = (f" Under each score, the held-out judges\u2019 ({_esc(', '.join(judges))}) scores "
              f"of the same image: {_esc(scorer)} is what the loop optimized, the judges it never "
              "saw; the best image per scorer is marked." if judges else "")
    copied = {}
    parts = [f"<h1>Held-out gallery: {_esc(experiment_id)}</h1>",
             f"<p>variant <b>{_esc(exp['variant'] or '-')}</b>, repeat {_esc(exp['repeat'])}, "
             f"campaign {_esc(exp.get('campaign_id', '') or '-')}. "
             "Scores are against the plain query; \u201cmean\u201d is over all seeds of the query."
             f"{judged} <a href=\"index.html\">all experiments</a></p>",
             '<p id="image-check">checking images\u2026</p>']
    for m in methods:
        texts = [t for t in ev.loc[ev["method_label"] == m, "instruction"].unique() if t]
        if texts:
            parts.append(f'<div class="instr"><b>{_esc(TITLES.get(m, m))}</b>: '
                         f"{_esc(texts[0])}</div>")
    shown = 0
    for query in ev["query"].drop_duplicates():
        q = ev[ev["query"] == query]
        seeds = sorted(q["seed"].unique(), key=lambda s: (str(type(s)), s))
        full = [s for s in seeds
                if all((q[(q["seed"] == s) & (q["method_label"] == m)]["image"] != "").any()
                       for m in methods)]
        seed = (full or seeds)[0]
        cells = q[q["seed"] == seed]
        means = q.groupby("method_label")["score"].agg(["mean", "count"])
        judge_means = q.groupby("method_label")[[f"_judge{k}" for k in range(len(judges))]].mean()
        top = cells["score"].max()
        parts.append(f"<h2>{_esc(query)} <small>(seed {_esc(seed)})</small></h2>")
        parts.append(f'<div class="row" style="--cols:{len(methods)}">')
        for m in methods:
            c = cells[cells["method_label"] == m]
            if not len(c):
                parts.append(f"<figure><div class=noimg>no {_esc(m)} cell</div></figure>")
                continue
            c = c.iloc[0]
            rel = _copy_image(c["image_abs"], gallery_dir, experiment_id, copied)
            if rel:
                img = (f'<img src="{_esc(rel.replace(os.sep, "/"))}" '
                       f'alt="{_esc(m)}: {_esc(query)}" loading="eager">')
                shown += 1
            else:
                img = "<div class=noimg>no image</div>"
            best = " best" if c["score"] == top else ""
            name = f"{_esc(scorer)} " if judges else ""
            parts.append(
                f"<figure>{img}<figcaption><div><b>{_esc(TITLES.get(m, m))}</b></div>"
                f'<div class="score{best}">{name}{c["score"]:.2f}'
                f' <small>(mean {means.at[m, "mean"]:.2f}, n={int(means.at[m, "count"])})'
                f"</small></div>{_judge_lines(judges, c, cells, judge_means.loc[m])}"
                f'<div class="prompt">{_esc(c["prompt"])}</div></figcaption></figure>')
        parts.append("</div>")
    name = f"{slug(experiment_id)}.html"
    _write_page(os.path.join(gallery_dir, name), f"bigpe gallery: {experiment_id}", parts)
    return name, shown


def _judge_lines(judges, c, cells, means):
    """One line per judge: its score of this image, marked when it is the
    best of the query's shown images on that judge, and its mean."""
    lines = []
    for k, j in enumerate(judges):
        v = c[f"_judge{k}"]
        if v != v:  # NaN: this image has no score of the judge
            lines.append(f'<div class="judge" data-judge="{_esc(j)}">{_esc(j)} -</div>')
            continue
        best = " best" if v == cells[f"_judge{k}"].max() else ""
        lines.append(f'<div class="judge{best}" data-judge="{_esc(j)}">{_esc(j)} {v:.2f}'
                     f" <small>(mean {means[f'_judge{k}']:.2f})</small></div>")
    return "".join(lines)


def _write_page(path, title, parts):
    with open(path, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
                f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>\n")
        f.write("\n".join(parts))
        f.write(CHECK_SCRIPT + "</body></html>\n")


def choose_experiments(export, labels, order, which):
    """`which`: 'first' (the lowest repeat of each cell), 'all', or a
    comma-separated list of experiment ids."""
    with_eval = set(export.evaluation["experiment_id"])
    exps = export.experiments[export.experiments["experiment_id"].isin(with_eval)]
    if which == "all":
        return list(exps["experiment_id"])
    if which != "first":
        wanted = [w for w in which.split(",") if w]
        unknown = [w for w in wanted if w not in set(exps["experiment_id"])]
        if unknown:
            raise ValueError(f"--gallery: no evaluation for experiment(s) {', '.join(unknown)}")
        return wanted
    chosen = []
    for cell in order:
        mine = exps[exps["experiment_id"].map(labels) == cell]
        if len(mine):
            chosen.append(mine.sort_values("repeat", na_position="last")["experiment_id"].iloc[0])
    return chosen


def _gain(per_experiment, experiment_id, column):
    """An experiment's gain from per_experiment.csv's rows, '' when unknown."""
    if per_experiment is None or column not in per_experiment:
        return ""
    r = per_experiment[per_experiment["experiment_id"] == experiment_id]
    return f"{r[column].iloc[0]:+.2f}" if len(r) and r[column].notna().iloc[0] else ""


def write_gallery(export, labels, order, gallery_dir, which="first", per_experiment=None):
    """Writes the pages and index.html; returns (index path, {experiment: images})."""
    os.makedirs(gallery_dir, exist_ok=True)
    ids = choose_experiments(export, labels, order, which)
    judges = judge_names(subset(export, set(ids)))
    pages = {}
    rows = []
    for eid in ids:
        name, shown = experiment_page(export, eid, gallery_dir)
        pages[eid] = shown
        gains = "".join(f"<td>{_gain(per_experiment, eid, col)}</td>"
                        for col in ["gain_vs_baseline"] + [f"gain_vs_baseline@{j}" for j in judges])
        exp = export.experiments[export.experiments["experiment_id"] == eid].iloc[0]
        rows.append(f"<tr><td><a href=\"{_esc(name)}\">{_esc(eid)}</a></td>"
                    f"<td>{_esc(labels.get(eid, ''))}</td><td>{_esc(exp['repeat'])}</td>"
                    f"{gains}<td>{shown}</td></tr>")
    judge_heads = "".join(f"<th>held-out gain vs I0, judge {_esc(j)}</th>" for j in judges)
    parts = ["<h1>bigpe held-out gallery</h1>",
             '<p id="image-check">checking images\u2026</p>',
             "<table><tr><th>experiment</th><th>cell</th><th>repeat</th>"
             f"<th>held-out gain vs I0</th>{judge_heads}<th>images</th></tr>", *rows, "</table>"]
    index = os.path.join(gallery_dir, "index.html")
    _write_page(index, "bigpe gallery", parts)
    return index, pages
