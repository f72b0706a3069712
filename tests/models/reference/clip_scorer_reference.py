#!/usr/bin/env python3
"""Scores of a pickscore or aesthetic model folder computed in Python as the
reference implementations do, for tests/models/scorer_values_test.cpp:
the preprocessing of clip_preprocess_reference.py (Hugging Face
CLIPProcessor for pickscore, OpenAI CLIP's for aesthetic), the folder's
TorchScript modules, then
  pickscore  logit_scale.exp() * (text_embs @ image_embs.T) of the
             L2-normalized embeddings (PickScore's README);
  aesthetic  head(image_embs / np.linalg.norm(image_embs)) (the improved
             aesthetic predictor's simple_inference.py).
The token ids come from the caller (the C++ tokenizer, checked on its own).

Usage: clip_scorer_reference.py DEVICE MODEL_DIR IDS IN.rgb WIDTH HEIGHT [IN2.rgb WIDTH HEIGHT ...]
DEVICE: cpu or cuda, where the tiny modules were traced (a trace keeps its device).
IDS: the 77 comma-separated token ids of the text (pickscore), or - (aesthetic).
Prints one score per image, one per line."""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_preprocess_reference import hf, load_rgb, openai  # noqa: E402


def manifest_value(folder, key):
    """A top-level scalar of manifest.yaml (enough for family and logit_scale)."""
    with open(os.path.join(folder, "manifest.yaml"), encoding="utf-8") as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip().strip('"')
    raise SystemExit("%s/manifest.yaml has no %s" % (folder, key))


def main():
    args = sys.argv[1:]
    if len(args) < 6 or (len(args) - 3) % 3:
        sys.exit(__doc__)
    device, folder, ids = args[0], args[1], args[2]
    family = manifest_value(folder, "family")
    preprocess = hf if family == "pickscore" else openai
    pixels = torch.stack([preprocess(load_rgb(args[i], int(args[i + 1]), int(args[i + 2])))
                          for i in range(3, len(args), 3)]).to(device)
    image = torch.jit.load(os.path.join(folder, "image_encoder.pt"), map_location=device).float().eval()
    with torch.no_grad():
        image_embs = image(pixels)
        if family == "pickscore":
            text = torch.jit.load(os.path.join(folder, "text_encoder.pt"), map_location=device).float().eval()
            text_embs = text(torch.tensor([[int(v) for v in ids.split(",")]], dtype=torch.int64, device=device))
            image_embs = image_embs / torch.norm(image_embs, dim=-1, keepdim=True)
            text_embs = text_embs / torch.norm(text_embs, dim=-1, keepdim=True)
            logit_scale = torch.tensor(float(manifest_value(folder, "logit_scale")))
            scores = logit_scale.exp() * (text_embs @ image_embs.T)[0]
        elif family == "aesthetic":
            a = image_embs.cpu().numpy()
            normalized = a / np.linalg.norm(a, axis=-1, keepdims=True)
            head = torch.jit.load(os.path.join(folder, "head.pt"), map_location=device).float().eval()
            scores = head(torch.from_numpy(normalized).float().to(device))[:, 0]
        else:
            raise SystemExit("family %s: this reference scores pickscore and aesthetic folders" % family)
    for s in scores.tolist():
        assert math.isfinite(s)
        print(repr(s))


if __name__ == "__main__":
    main()
