#!/usr/bin/env python3
"""Writes the local files scripts/export_pickscore.py and export_aesthetic.py
read, for the fake transformers next to this file (tests/models/exporters_test.cpp):
  OUT/pickscore/   config.json (a small CLIP with logit_scale 2.5)
  OUT/processor/   preprocessor_config.json (laion's CLIPProcessor settings),
                   merges.txt (a tiny CLIP merges file), vocab.json,
                   special_tokens_map.json
  OUT/clip-l/      config.json
  OUT/head.pth     the improved aesthetic predictor's state dict layout
Usage: fake_checkpoints.py OUT"""
import json
import os
import sys

import torch
from torch import nn


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    for name in ("pickscore", "processor", "clip-l"):
        os.makedirs(os.path.join(out, name), exist_ok=True)
    write_json(os.path.join(out, "pickscore", "config.json"),
               {"seed": 1, "projection_dim": 16, "logit_scale_init_value": 2.5,
                "text_config": {"max_position_embeddings": 77}, "vision_config": {"image_size": 224, "patch_size": 14}})
    write_json(os.path.join(out, "clip-l", "config.json"),
               {"seed": 2, "projection_dim": 12, "logit_scale_init_value": 4.6052,
                "text_config": {"max_position_embeddings": 77}, "vision_config": {"image_size": 224, "patch_size": 14}})
    write_json(os.path.join(out, "processor", "preprocessor_config.json"),
               {"crop_size": 224, "do_center_crop": True, "do_normalize": True, "do_resize": True,
                "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
                "resample": 3, "size": 224})
    with open(os.path.join(out, "processor", "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\na t</w>\nc at</w>\n")
    write_json(os.path.join(out, "processor", "vocab.json"), {"!": 0, "a</w>": 320})
    write_json(os.path.join(out, "processor", "special_tokens_map.json"), {"pad_token": "!"})
    torch.manual_seed(3)
    mlp = nn.Sequential(nn.Linear(12, 8), nn.Dropout(0.2), nn.Linear(8, 4), nn.Dropout(0.1), nn.Linear(4, 1))
    torch.save({"layers." + k: v for k, v in mlp.state_dict().items()}, os.path.join(out, "head.pth"))


if __name__ == "__main__":
    main()
