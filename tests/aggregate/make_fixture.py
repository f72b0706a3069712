#!/usr/bin/python3
"""TEST FIXTURE: writes a small, fake `bigpe export` folder.

Not produced by bigpe. The numbers are random (seeded) and the PNGs are 8x8
solid squares; only the layout is real: the one `bigpe export ... --out DIR`
writes (experiments.jsonl, iterations.jsonl, instructions.jsonl,
evaluation.jsonl, images/<experiment_id>/*.png). The aggregate tests run on
it so that they need neither a build nor a campaign.

    make_fixture.py OUT_DIR [--seed N] [--no-judges]

As a module: make_fixture(out_dir, seed=0) returns the rows it wrote, so a
test can compute expected numbers from them by hand.

Held-out judges: the experiments of JUDGED_VARIANTS name JUDGES and every
evaluation row of theirs carries each judge's score (a fake judge
correlated with `score`, from its own seeded stream, so the other numbers
are those of a fixture without judges); every experiment names
`optimized_scorer` "sim". With with_judges=False (--no-judges) the export
has none of these fields, as an export from before judges.
"""
import argparse
import hashlib
import json
import os
import random
import struct
import sys
import zlib

VARIANTS = [
    ("ucb_b3", {"selector.kind": "ucb", "batch_size": "3"}),
    ("greedy_b3", {"selector.kind": "greedy", "batch_size": "3"}),
]
REPEATS = 3
ITERATIONS = 4
QUERIES = ["A cactus", "City with parade", "A lava flow", "An icy tundra"]
SEEDS = [1000000, 1000001, 1000002]
METHODS = ["plain", "baseline", "professional", "optimized"]
JUDGES = ["sim-judge"]
JUDGED_VARIANTS = {"ucb_b3"}
I0 = "This is the original prompt that you need to carefully refine"


def png_bytes(rgb, size=8):
    """A size x size solid-colour RGB PNG (zlib + struct, no imaging library)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    row = b"\x00" + bytes(rgb) * size
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(row * size)) +
            chunk(b"IEND", b""))


def _write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def make_fixture(out_dir, seed=0, with_images=True, with_judges=True):
    rng = random.Random(seed)
    judge_rng = random.Random(seed + 7919)  # apart, so that `rng`'s numbers stay as they were
    os.makedirs(out_dir, exist_ok=True)
    experiments, iterations, instructions, evaluation = [], [], [], []
    for variant, overrides in VARIANTS:
        for repeat in range(REPEATS):
            exp_id = f"fixture-{variant}-r{repeat}"
            config = {"seed": str(repeat), "sim.taste_seed": str(repeat),
                      "iterations": str(ITERATIONS), "pool_size": "3"}
            config.update(overrides)
            # Lineage: I0, then each iteration I_low (a random pool member)
            # gets two children.
            instr = [{"experiment_id": exp_id, "id": "i0", "text": I0, "parent": "",
                      "born": 0, "improvement": ""}]
            pool = ["i0"]
            for it in range(1, ITERATIONS + 1):
                best = round(26.0 + rng.gauss(0.2 * it, 0.6), 4)
                mean = round(best - abs(rng.gauss(0.8, 0.3)), 4)
                low = rng.choice(pool)
                children = []
                for k in range(2):
                    cid = f"i{len(instr)}"
                    text = f"Refine the prompt, variant {it}.{k} of {low}: add lighting & style"
                    instr.append({"experiment_id": exp_id, "id": cid, "text": text,
                                  "parent": low, "born": it,
                                  "improvement": f"Improvement {k + 1}: detail {it}"})
                    children.append(cid)
                arms = [{"id": a, "text": next(x["text"] for x in instr if x["id"] == a),
                         "prompts": [f"{q}, prompt by {a}" for q in QUERIES[:3]],
                         "scores": [round(best - rng.random(), 4) for _ in range(3)],
                         "batch_score": round(mean, 4)} for a in pool]
                iterations.append({
                    "experiment_id": exp_id, "iteration": it, "best": best, "mean": mean,
                    # Render jobs spent by the iteration's end; repeats spend
                    # a little differently, as budget loops do.
                    "renders": it * 24 + 2 * repeat,
                    "queries": QUERIES[:3], "arms": arms,
                    "professional": [{"query": q, "prompt": f"pro {q}", "score": 26.5}
                                     for q in QUERIES[:3]],
                    "selected": pool[:3], "i_low": low, "pairs": 2,
                    "gradient_text": "Inference 1: flat\nImprovement 1: add light",
                    "improvements": ["add light", "add style"], "children": children})
                pool = [p for p in pool if p != low] + children
                pool = pool[-3:]
            mine = [r for r in iterations if r["experiment_id"] == exp_id]
            for ins in instr:  # the scores bigpe export gives each lineage node
                scores = [v for r in mine for a in r["arms"] if a["text"] == ins["text"]
                          for v in a["scores"]]
                batches = [a["batch_score"] for r in mine for a in r["arms"] if a["id"] == ins["id"]]
                ins["score_n"] = len(scores)
                ins["score_mean"] = sum(scores) / len(scores) if scores else None
                ins["score_best"] = max(batches) if batches else None
            final = instr[-1]["text"]
            experiments.append({
                "experiment_id": exp_id, "campaign_id": "fixture", "variant": variant,
                "repeat": repeat, "config": config, "config_hash": hashlib.sha256(exp_id.encode()).hexdigest()[:16],
                "status": "done", "final_instruction": final, "iterations": ITERATIONS})
            judged = with_judges and variant in JUDGED_VARIANTS
            if with_judges:
                experiments[-1].update(optimized_scorer="sim", judges=JUDGES if judged else [])
            instructions.extend(instr)
            # Evaluation: every (query, seed) cell for every method. Images
            # only for repeat 0 (the others leave `image` empty, as an export
            # without images does).
            img_dir = os.path.join(out_dir, "images", exp_id)
            if with_images and repeat == 0:
                os.makedirs(img_dir, exist_ok=True)
            for qi, q in enumerate(QUERIES):
                for si, s in enumerate(SEEDS):
                    base = 26.0 + rng.gauss(0, 0.7)
                    for mi, m in enumerate(METHODS):
                        lift = {"plain": -1.0, "baseline": 0.0, "professional": -0.3,
                                "optimized": 0.6}[m]
                        score = round(base + lift + rng.gauss(0, 0.5), 4)
                        image = ""
                        if with_images and repeat == 0:
                            name = f"{m}-q{qi}-s{si}.png"
                            with open(os.path.join(img_dir, name), "wb") as f:
                                f.write(png_bytes((40 * mi + 20, 30 * qi + 10, 60 * si + 30)))
                            image = f"images/{exp_id}/{name}"
                        instruction = {"baseline": I0, "optimized": final}.get(m, "")
                        prompt = {"plain": q, "baseline": f"{q}, refined <plainly>",
                                  "professional": f"{q}, trending on artstation, 8k",
                                  "optimized": f"{q}, golden hour & dramatic light"}[m]
                        evaluation.append({
                            "experiment_id": exp_id, "method": m, "instruction": instruction,
                            "query": q, "seed": s, "score": score, "prompt": prompt,
                            "image": image})
                        if judged:
                            evaluation[-1]["judges"] = {
                                j: round(0.6 * score + 10.0 + judge_rng.gauss(0, 0.3), 4)
                                for j in JUDGES}
    _write_jsonl(os.path.join(out_dir, "experiments.jsonl"), experiments)
    _write_jsonl(os.path.join(out_dir, "iterations.jsonl"), iterations)
    _write_jsonl(os.path.join(out_dir, "instructions.jsonl"), instructions)
    _write_jsonl(os.path.join(out_dir, "evaluation.jsonl"), evaluation)
    return {"experiments": experiments, "iterations": iterations,
            "instructions": instructions, "evaluation": evaluation}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-judges", action="store_true", help="an export without held-out judges")
    args = ap.parse_args(argv)
    make_fixture(args.out, args.seed, with_judges=not args.no_judges)
    print(f"fixture export written to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
