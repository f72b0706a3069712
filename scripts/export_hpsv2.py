#!/usr/bin/env python3
"""Exports HPS v2 (open_clip ViT-H-14 fine-tuned by tgxs002/HPSv2) to a bigpe
model folder: TorchScript image and text towers, the CLIP merges file and
manifest.yaml (docs/models.md). The runtime computes
100 x cosine(normalize(image features), normalize(text features)) with
HPS v2's own preprocessing (docs/model-reference.md section 1).

Run it where the hpsv2 package (it vendors open_clip) or open_clip is
installed (it says so when neither is), with the same torch version as the
workers' libtorch:

  python3 scripts/export_hpsv2.py --checkpoint HPS_v2_compressed.pt --out models/hpsv2 \\
      --device cuda --dtype float16

HPS_v2_compressed.pt (v2.0) and HPS_v2.1_compressed.pt (v2.1) come from the
Hugging Face repository xswu/HPSv2; scores from the two are not comparable.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bigpe_export.requirements import require  # noqa: E402  (standard library only)

require("export_hpsv2.py", [[("torch", "torch")]])
import torch  # noqa: E402

from bigpe_export import wrappers  # noqa: E402
from bigpe_export.manifest import copy_vocab, write_manifest  # noqa: E402
from bigpe_export.sd import hps_manifest  # noqa: E402
from bigpe_export.tracing import export_module  # noqa: E402

DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


def create_model(device):
    """ViT-H-14 as HPSv2's img_score.py builds it (no pretrained download:
    the checkpoint has every weight)."""
    try:
        from hpsv2.src import open_clip
        model, _, _ = open_clip.create_model_and_transforms(
            "ViT-H-14", None, precision="fp32", device=device, jit=False, force_quick_gelu=False,
            force_custom_text=False, force_patch_dropout=False, force_image_size=None, pretrained_image=False,
            image_mean=None, image_std=None, light_augmentation=True, aug_cfg={}, output_dict=True,
            with_score_predictor=False, with_region_predictor=False)
    except ImportError:
        import open_clip
        model, _, _ = open_clip.create_model_and_transforms("ViT-H-14", None, precision="fp32", device=device)
    return model, os.path.dirname(open_clip.__file__)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", required=True, help="HPS_v2_compressed.pt or HPS_v2.1_compressed.pt")
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", default="float16", choices=sorted(DTYPES))
    args = p.parse_args()
    # Looked for after the arguments, so that --help works without them.
    require("export_hpsv2.py", [[("hpsv2", "hpsv2"), ("open_clip", "open_clip_torch")]])
    if not os.path.isfile(args.checkpoint):
        raise SystemExit(f"export_hpsv2.py: --checkpoint {args.checkpoint}: no such file (HPS_v2_compressed.pt "
                         "from the Hugging Face repository xswu/HPSv2; docs/models.md)")

    dtype = DTYPES[args.dtype] if args.device != "cpu" else torch.float32
    model, package_dir = create_model(args.device)
    state = torch.load(args.checkpoint, map_location=args.device)
    model.load_state_dict(state.get("state_dict", state))
    model = model.to(dtype).eval()
    os.makedirs(args.out, exist_ok=True)
    vocab = copy_vocab(os.path.join(package_dir, "bpe_simple_vocab_16e6.txt.gz"), args.out)
    embed = model.text_projection.shape[1]
    dev = args.device
    with torch.no_grad():
        px1 = torch.randn(1, 3, 224, 224, device=dev, dtype=dtype)
        px3 = torch.randn(3, 3, 224, 224, device=dev, dtype=dtype)
        export_module(wrappers.OpenClipImage(model), (px1,), os.path.join(args.out, "image_encoder.pt"), [1, embed],
                      other_inputs=(px3,), other_shapes=[3, embed], tolerance=1e-2)
        export_module(wrappers.OpenClipText(model), (wrappers.token_ids(1, dev),),
                      os.path.join(args.out, "text_encoder.pt"), [1, embed],
                      other_inputs=(wrappers.token_ids(4, dev),), other_shapes=[4, embed], tolerance=1e-2)
    tree = hps_manifest(vocab, embed, dtype=args.dtype if args.device != "cpu" else "float32")
    print("wrote", write_manifest(args.out, tree))


if __name__ == "__main__":
    main()
