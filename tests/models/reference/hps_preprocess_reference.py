#!/usr/bin/env python3
"""HPS v2's validation preprocessing with torchvision, for
tests/models/hps_preprocess_test.cpp. The steps are those of HPSv2's
open_clip image_transform(224, is_train=False, resize_longest_max=True)
(docs/model-reference.md section 1.2): convert to RGB, ToTensor,
ResizeMaxSize (bicubic resize of the tensor so the longer side is 224,
torchvision's tensor default of no antialias in 0.14, then zero padding,
half of it left/top), Normalize with the OpenAI CLIP mean and std.

Usage: hps_preprocess_reference.py IN.rgb WIDTH HEIGHT OUT.f32 [IN2.rgb ...]
Each IN.rgb holds WIDTH*HEIGHT*3 bytes; its OUT.f32 gets 3*224*224 float32s.
Several images per call, because importing torch takes seconds."""
import sys

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode, Normalize, ToTensor

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)


def resize_max_size(img, max_size=224, fill=0):
    height, width = img.shape[1:]
    scale = max_size / float(max(height, width))
    if scale != 1.0:
        new_size = tuple(round(dim * scale) for dim in (height, width))
        img = F.resize(img, new_size, InterpolationMode.BICUBIC)
        pad_h = max_size - new_size[0]
        pad_w = max_size - new_size[1]
        img = F.pad(img, padding=[pad_w // 2, pad_h // 2, pad_w - pad_w // 2, pad_h - pad_h // 2], fill=fill)
    return img


def convert(src, width, height, dst):
    data = np.fromfile(src, dtype=np.uint8).reshape(height, width, 3)
    image = Image.fromarray(data, "RGB").convert("RGB")
    x = ToTensor()(image)
    x = resize_max_size(x)
    x = Normalize(mean=MEAN, std=STD)(x)
    x.contiguous().numpy().astype(np.float32).tofile(dst)


def main():
    args = sys.argv[1:]
    if not args or len(args) % 4:
        sys.exit(__doc__)
    for i in range(0, len(args), 4):
        convert(args[i], int(args[i + 1]), int(args[i + 2]), args[i + 3])


if __name__ == "__main__":
    main()
