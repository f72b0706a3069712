"""A stand-in for the two things scripts/export_pickscore.py and
export_aesthetic.py take from transformers: CLIPModel.from_pretrained on a
local folder, and the model's config, logit_scale, get_image_features and
get_text_features. Put on PYTHONPATH by tests/models/exporters_test.cpp
(Debian's python3 has no transformers) so the exporters run end to end on a
small random model. The weights come from config.json's "seed"."""
import json
import os
import types

import torch
from torch import nn


def _namespace(d):
    return types.SimpleNamespace(**{k: _namespace(v) if isinstance(v, dict) else v for k, v in d.items()})


class CLIPModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = _namespace(config)
        hidden, proj = 8, self.config.projection_dim
        patch = self.config.vision_config.patch_size
        self.patch = nn.Conv2d(3, hidden, patch, stride=patch)
        self.visual_projection = nn.Linear(hidden, proj, bias=False)
        self.token_embedding = nn.Embedding(49408, hidden)
        self.text_projection = nn.Linear(hidden, proj, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(float(config["logit_scale_init_value"])))

    @classmethod
    def from_pretrained(cls, folder, local_files_only=False, torch_dtype=None):
        if not local_files_only:
            raise RuntimeError("the fake transformers refuses anything but local_files_only=True")
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
        torch.manual_seed(config["seed"])
        return cls(config).to(torch_dtype or torch.float32)

    def get_image_features(self, pixel_values):
        return self.visual_projection(torch.tanh(self.patch(pixel_values)).mean((2, 3)))

    def get_text_features(self, input_ids):
        # A causal running mean, pooled at the first end token (the largest id).
        h = self.token_embedding(input_ids).cumsum(1)
        end = input_ids.argmax(-1)
        return self.text_projection(h[torch.arange(h.shape[0], device=h.device), end] / (end + 1).unsqueeze(-1))
