#!/usr/bin/env python3
"""Exports PickScore v1 (CLIP ViT-H-14 fine-tuned on Pick-a-Pic,
yuvalkirstain/PickScore_v1) from a local Hugging Face checkpoint folder to a
bigpe model folder: TorchScript image and text towers, the CLIP merges file
and manifest.yaml (docs/models.md). The runtime computes
exp(logit_scale) x cosine(normalize(image features), normalize(text features))
with the preprocessing of the Hugging Face CLIPProcessor the model was
trained with; logit_scale is the checkpoint's, written into the manifest.

Nothing is downloaded: --checkpoint is a folder holding config.json and the
weights (the PickScore_v1 repository), --processor a folder holding
preprocessor_config.json and the tokenizer's merges.txt (PickScore uses the
processor of laion/CLIP-ViT-H-14-laion2B-s32B-b79K; default: --checkpoint).
Run it where transformers is installed, with the same torch version as the
workers' libtorch:

  python3 scripts/export_pickscore.py --checkpoint PickScore_v1 --processor CLIP-ViT-H-14-laion2B-s32B-b79K \\
      --out models/pickscore --device cuda --dtype float16
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bigpe_export.requirements import require  # noqa: E402  (standard library only)

require("export_pickscore.py", [[("torch", "torch")]])
import torch  # noqa: E402

from bigpe_export import wrappers  # noqa: E402
from bigpe_export.manifest import copy_vocab, write_manifest  # noqa: E402
from bigpe_export.scorers import clip_processor_settings, pickscore_manifest  # noqa: E402
from bigpe_export.tracing import export_module  # noqa: E402

DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


def need_file(folder, name, what):
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        raise SystemExit(f"export_pickscore.py: {folder} has no {name} ({what}; docs/models.md)")
    return path


def pad_id(processor_dir):
    """The tokenizer's pad id (laion's CLIP tokenizer pads with "!", id 0).
    It does not change a score: the text tower's causal mask hides what
    follows the end token."""
    special = os.path.join(processor_dir, "special_tokens_map.json")
    vocab = os.path.join(processor_dir, "vocab.json")
    if not (os.path.isfile(special) and os.path.isfile(vocab)):
        return 0
    with open(special, encoding="utf-8") as f:
        pad = json.load(f).get("pad_token")
    if isinstance(pad, dict):
        pad = pad.get("content")
    with open(vocab, encoding="utf-8") as f:
        return int(json.load(f).get(pad, 0)) if pad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", required=True, help="local folder of yuvalkirstain/PickScore_v1 (config.json, weights)")
    p.add_argument("--processor", help="local folder with preprocessor_config.json and merges.txt (default: --checkpoint)")
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", default="float16", choices=sorted(DTYPES))
    args = p.parse_args()
    # Looked for after the arguments, so that --help works without them.
    require("export_pickscore.py", [[("transformers", "transformers")]])
    processor = args.processor or args.checkpoint
    for folder, flag in ((args.checkpoint, "--checkpoint"), (processor, "--processor")):
        if not os.path.isdir(folder):
            raise SystemExit(f"export_pickscore.py: {flag} {folder}: no such folder (docs/models.md)")
    need_file(args.checkpoint, "config.json", "the checkpoint's model config")
    with open(need_file(processor, "preprocessor_config.json", "the CLIPProcessor's image settings"),
              encoding="utf-8") as f:
        image_size, mean, std = clip_processor_settings(json.load(f))
    merges = need_file(processor, "merges.txt", "the CLIP tokenizer's merges")

    os.environ["HF_HUB_OFFLINE"] = "1"  # a local folder only: never a download
    from transformers import CLIPModel

    dtype = DTYPES[args.dtype] if args.device != "cpu" else torch.float32
    model = CLIPModel.from_pretrained(args.checkpoint, local_files_only=True, torch_dtype=torch.float32)
    logit_scale = float(model.logit_scale.item())
    model = model.to(args.device, dtype).eval()
    context = model.config.text_config.max_position_embeddings
    if context != 77:
        raise SystemExit(f"export_pickscore.py: the text tower's context is {context}, not CLIP's 77")
    if model.config.vision_config.image_size != image_size:
        raise SystemExit(f"export_pickscore.py: the vision tower takes {model.config.vision_config.image_size} px "
                         f"but the processor crops {image_size}")
    os.makedirs(args.out, exist_ok=True)
    vocab = copy_vocab(merges, args.out)
    embed = model.config.projection_dim
    dev = args.device
    with torch.no_grad():
        px1 = torch.randn(1, 3, image_size, image_size, device=dev, dtype=dtype)
        px3 = torch.randn(3, 3, image_size, image_size, device=dev, dtype=dtype)
        export_module(wrappers.HfClipImage(model), (px1,), os.path.join(args.out, "image_encoder.pt"), [1, embed],
                      other_inputs=(px3,), other_shapes=[3, embed], tolerance=1e-2)
        export_module(wrappers.HfClipText(model), (wrappers.token_ids(1, dev),),
                      os.path.join(args.out, "text_encoder.pt"), [1, embed],
                      other_inputs=(wrappers.token_ids(4, dev),), other_shapes=[4, embed], tolerance=1e-2)
    tree = pickscore_manifest(vocab, embed, logit_scale, pad_id=pad_id(processor),
                              dtype=args.dtype if args.device != "cpu" else "float32", image_size=image_size,
                              mean=mean, std=std)
    print("wrote", write_manifest(args.out, tree))


if __name__ == "__main__":
    main()
