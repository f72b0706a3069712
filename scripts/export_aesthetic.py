#!/usr/bin/env python3
"""Exports the LAION aesthetic predictor (a linear head on the L2-normalized
CLIP ViT-L/14 image embedding) from local files to a bigpe model folder:
the TorchScript image tower, the head as TorchScript and manifest.yaml
(docs/models.md). The runtime scores
head(normalize(image features)), roughly 1 to 10, with OpenAI CLIP's
preprocessing (the predictor was trained on clip.load("ViT-L/14")
embeddings); the text is ignored.

Nothing is downloaded: --clip is a local Hugging Face folder of
openai/clip-vit-large-patch14 (config.json and weights), --head the
predictor's weights: sac+logos+ava1-l14-linearMSE.pth
(christophschuhmann/improved-aesthetic-predictor; its MLP has no
activations, so it is affine and kept layer by layer) or LAION-AI's
sa_0_4_vit_l_14_linear.pth (one nn.Linear). Run it where transformers is
installed, with the same torch version as the workers' libtorch:

  python3 scripts/export_aesthetic.py --clip clip-vit-large-patch14 --head sac+logos+ava1-l14-linearMSE.pth \\
      --out models/aesthetic --device cuda --dtype float16
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bigpe_export.requirements import require  # noqa: E402  (standard library only)

require("export_aesthetic.py", [[("torch", "torch")]])
import torch  # noqa: E402

from bigpe_export import wrappers  # noqa: E402
from bigpe_export.manifest import write_manifest  # noqa: E402
from bigpe_export.scorers import LinearHead, aesthetic_manifest, head_layers  # noqa: E402
from bigpe_export.tracing import export_module  # noqa: E402

DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clip", required=True, help="local folder of openai/clip-vit-large-patch14 (config.json, weights)")
    p.add_argument("--head", required=True, help="the predictor's state dict (.pth)")
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", default="float16", choices=sorted(DTYPES), help="the image tower's (the head runs float32)")
    args = p.parse_args()
    # Looked for after the arguments, so that --help works without them.
    require("export_aesthetic.py", [[("transformers", "transformers")]])
    if not os.path.isfile(os.path.join(args.clip, "config.json")):
        raise SystemExit(f"export_aesthetic.py: --clip {args.clip}: no config.json there (a local Hugging Face "
                         "folder of openai/clip-vit-large-patch14; docs/models.md)")
    if not os.path.isfile(args.head):
        raise SystemExit(f"export_aesthetic.py: --head {args.head}: no such file (docs/models.md)")
    try:
        layers = head_layers(torch.load(args.head, map_location="cpu"))
    except ValueError as e:
        raise SystemExit(f"export_aesthetic.py: --head {args.head}: {e}")

    os.environ["HF_HUB_OFFLINE"] = "1"  # a local folder only: never a download
    from transformers import CLIPModel

    dtype = DTYPES[args.dtype] if args.device != "cpu" else torch.float32
    model = CLIPModel.from_pretrained(args.clip, local_files_only=True, torch_dtype=torch.float32)
    model = model.to(args.device, dtype).eval()
    embed = model.config.projection_dim
    if layers[0][0].shape[1] != embed:
        raise SystemExit(f"export_aesthetic.py: the head takes {layers[0][0].shape[1]} inputs but {args.clip} gives "
                         f"{embed}-dimensional embeddings (ViT-L/14: 768)")
    size = model.config.vision_config.image_size
    os.makedirs(args.out, exist_ok=True)
    dev = args.device
    with torch.no_grad():
        px1 = torch.randn(1, 3, size, size, device=dev, dtype=dtype)
        px3 = torch.randn(3, 3, size, size, device=dev, dtype=dtype)
        export_module(wrappers.HfClipImage(model), (px1,), os.path.join(args.out, "image_encoder.pt"), [1, embed],
                      other_inputs=(px3,), other_shapes=[3, embed], tolerance=1e-2)
        f1 = torch.nn.functional.normalize(torch.randn(1, embed, device=dev), dim=-1)
        f3 = torch.nn.functional.normalize(torch.randn(3, embed, device=dev), dim=-1)
        export_module(LinearHead(layers).to(dev), (f1,), os.path.join(args.out, "head.pt"), [1, 1],
                      other_inputs=(f3,), other_shapes=[3, 1])
    tree = aesthetic_manifest(embed, dtype=args.dtype if args.device != "cpu" else "float32", image_size=size)
    print("wrote", write_manifest(args.out, tree))


if __name__ == "__main__":
    main()
