#!/usr/bin/env python3
"""The CLIP image preprocessings of models/model_backends.h (ClipPreprocess)
as their reference implementations compute them, for
tests/models/clip_preprocess_test.cpp and clip_scorer_reference.py:

  open_clip  HPS v2: open_clip image_transform(224, is_train=False,
             resize_longest_max=True) (docs/model-reference.md 1.2): RGB,
             ToTensor, ResizeMaxSize (bicubic resize of the tensor so the
             longer side is 224, no antialias in torchvision 0.14, zero
             padding, half of it left/top), Normalize.
  hf         PickScore: Hugging Face CLIPImageProcessor: PIL resize of the
             shorter side to 224 (the longer to int(224 * long / short)),
             BICUBIC, back to uint8; centre crop at ((h - 224) // 2,
             (w - 224) // 2); rescale by 1/255; normalize.
  openai     the aesthetic predictor: OpenAI CLIP's preprocess,
             torchvision Resize(224, BICUBIC) on the PIL image and
             CenterCrop(224) (offset round((h - 224) / 2)), ToTensor,
             Normalize.
All three use the OpenAI CLIP mean and std.

Usage: clip_preprocess_reference.py METHOD IN.rgb WIDTH HEIGHT OUT.f32 [IN2.rgb ...]
Each IN.rgb holds WIDTH*HEIGHT*3 bytes; its OUT.f32 gets 3*224*224 float32s.
Several images per call, because importing torch takes seconds."""
import sys

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms import CenterCrop, InterpolationMode, Normalize, Resize, ToTensor

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
SIZE = 224


def resize_max_size(img, max_size=SIZE, fill=0):
    height, width = img.shape[1:]
    scale = max_size / float(max(height, width))
    if scale != 1.0:
        new_size = tuple(round(dim * scale) for dim in (height, width))
        img = F.resize(img, new_size, InterpolationMode.BICUBIC)
        pad_h = max_size - new_size[0]
        pad_w = max_size - new_size[1]
        img = F.pad(img, padding=[pad_w // 2, pad_h // 2, pad_w - pad_w // 2, pad_h - pad_h // 2], fill=fill)
    return img


def open_clip(image):
    return Normalize(mean=MEAN, std=STD)(resize_max_size(ToTensor()(image)))


def hf(image):
    width, height = image.size
    short, long = (width, height) if width <= height else (height, width)
    new_long = int(SIZE * long / short)
    new_w, new_h = (SIZE, new_long) if width <= height else (new_long, SIZE)
    a = np.asarray(image.resize((new_w, new_h), Image.BICUBIC))
    top, left = (new_h - SIZE) // 2, (new_w - SIZE) // 2
    a = a[top:top + SIZE, left:left + SIZE].astype(np.float32) * np.float32(1 / 255)
    a = (a - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    return torch.from_numpy(a.transpose(2, 0, 1).copy())


def openai(image):
    x = CenterCrop(SIZE)(Resize(SIZE, interpolation=InterpolationMode.BICUBIC)(image))
    return Normalize(mean=MEAN, std=STD)(ToTensor()(x))


METHODS = {"open_clip": open_clip, "hf": hf, "openai": openai}


def load_rgb(src, width, height):
    data = np.fromfile(src, dtype=np.uint8).reshape(height, width, 3)
    return Image.fromarray(data, "RGB").convert("RGB")


def main():
    args = sys.argv[1:]
    if len(args) < 5 or (len(args) - 1) % 4 or args[0] not in METHODS:
        sys.exit(__doc__)
    method = METHODS[args[0]]
    for i in range(1, len(args), 4):
        x = method(load_rgb(args[i], int(args[i + 1]), int(args[i + 2])))
        x.contiguous().numpy().astype(np.float32).tofile(args[i + 3])


if __name__ == "__main__":
    main()
