#!/usr/bin/env python3
"""Exports a diffusers Stable Diffusion pipeline (SD 1.x, 2.x, SDXL,
SDXL-Turbo) to a bigpe model folder: TorchScript text encoder(s), UNet and
VAE decoder, the CLIP merges file and manifest.yaml (docs/models.md).

Run it where diffusers and transformers are installed (it names whichever
is missing), with the same torch
version as the libtorch your workers use (a TorchScript file from a newer
torch may not load in an older libtorch), on the device and dtype the
workers will use:

  python3 scripts/export_sd.py --model stabilityai/sdxl-turbo --family sdxl-turbo \\
      --out models/sdxl-turbo --device cuda --dtype float16

Traces are checked: output shapes, reload equality, and a second batch size
(a trace that baked its batch size in is refused).
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bigpe_export.requirements import require  # noqa: E402  (standard library only)

require("export_sd.py", [[("torch", "torch")]])
import torch  # noqa: E402

from bigpe_export import wrappers  # noqa: E402
from bigpe_export.manifest import copy_vocab, write_manifest  # noqa: E402
from bigpe_export.sd import DEFAULT_SIZE, SD_FAMILIES, sd_manifest  # noqa: E402
from bigpe_export.tracing import export_module  # noqa: E402

DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


def save_merges(tokenizer, folder):
    """The tokenizer's merges.txt (the same merges as CLIP's
    bpe_simple_vocab_16e6.txt.gz) into the folder."""
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer.save_pretrained(tmp)
        merges = os.path.join(tmp, "merges.txt")
        if not os.path.exists(merges):
            raise SystemExit("the pipeline's tokenizer has no merges.txt; is it a CLIP tokenizer?")
        name = copy_vocab(merges, folder, "merges.txt")
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        count = sum(1 for line in f) - 1
    if count != 48894:
        print("warning: merges.txt has %d merges, CLIP has 48894" % count, file=sys.stderr)
    return name


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="diffusers folder or hub id")
    p.add_argument("--family", required=True, choices=SD_FAMILIES)
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", default="float16", choices=sorted(DTYPES))
    p.add_argument("--size", type=int, help="image size to trace the UNet and VAE at (default: the family's)")
    p.add_argument("--variant", help="diffusers weight variant, e.g. fp16")
    args = p.parse_args()

    # Looked for after the arguments, so that --help works without them.
    require("export_sd.py", [[("diffusers", "diffusers")], [("transformers", "transformers")]])
    from diffusers import DiffusionPipeline

    dtype = DTYPES[args.dtype]
    if args.device == "cpu" and dtype != torch.float32:
        print("note: tracing on the CPU in float32 (half precision runs on CUDA only)", file=sys.stderr)
        dtype = torch.float32
    pipe = DiffusionPipeline.from_pretrained(args.model, torch_dtype=dtype, variant=args.variant)
    pipe = pipe.to(args.device)
    xl = args.family.startswith("sdxl")
    size = args.size or DEFAULT_SIZE[args.family]
    lat = size // pipe.vae_scale_factor
    dev = args.device
    os.makedirs(args.out, exist_ok=True)
    out = lambda name: os.path.join(args.out, name)  # noqa: E731

    vocab = save_merges(pipe.tokenizer, args.out)
    pad = pipe.tokenizer.pad_token_id
    te1 = wrappers.ClipHidden(pipe.text_encoder, layer=-2 if xl else None)
    h1 = pipe.text_encoder.config.hidden_size
    ids1, ids3 = wrappers.token_ids(1, dev, pad=pad), wrappers.token_ids(3, dev, pad=pad)
    with torch.no_grad():
        export_module(te1, (ids1,), out("text_encoder.pt"), [1, 77, h1], other_inputs=(ids3,),
                      other_shapes=[3, 77, h1], tolerance=1e-2)
        h2 = pooled = None
        pad2 = 0
        ctx_dim = h1
        if xl:
            pad2 = pipe.tokenizer_2.pad_token_id
            te2 = wrappers.ClipHiddenAndPooled(pipe.text_encoder_2)
            h2 = pipe.text_encoder_2.config.hidden_size
            pooled = pipe.text_encoder_2.config.projection_dim
            ctx_dim = h1 + h2
            export_module(te2, (wrappers.token_ids(1, dev, pad=pad2),), out("text_encoder_2.pt"),
                          [[1, 77, h2], [1, pooled]], other_inputs=(wrappers.token_ids(3, dev, pad=pad2),),
                          other_shapes=[[3, 77, h2], [3, pooled]], tolerance=1e-2)

        c = pipe.unet.config.in_channels

        def unet_inputs(n):
            x = torch.randn(n, c, lat, lat, device=dev, dtype=dtype)
            t = torch.full((n,), 999.0, device=dev)
            ctx = torch.randn(n, 77, ctx_dim, device=dev, dtype=dtype)
            if not xl:
                return (x, t, ctx)
            ids = torch.tensor([size, size, 0, 0, size, size], device=dev, dtype=dtype).expand(n, 6)
            return (x, t, ctx, torch.randn(n, pooled, device=dev, dtype=dtype), ids.contiguous())

        unet = (wrappers.UNetXL if xl else wrappers.UNet)(pipe.unet)
        export_module(unet, unet_inputs(2), out("unet.pt"), [2, c, lat, lat], other_inputs=unet_inputs(4),
                      other_shapes=[4, c, lat, lat], tolerance=5e-2)

        # SDXL's VAE overflows in float16 (config force_upcast): keep it float32.
        vae_dtype = None
        vae = pipe.vae
        if getattr(vae.config, "force_upcast", False) and dtype != torch.float32:
            vae = vae.to(torch.float32)
            vae_dtype = "float32"
        zt = torch.float32 if vae_dtype else dtype
        z1 = torch.randn(1, c, lat, lat, device=dev, dtype=zt)
        z2 = torch.randn(2, c, lat, lat, device=dev, dtype=zt)
        export_module(wrappers.VaeDecoder(vae), (z1,), out("vae_decoder.pt"), [1, 3, size, size],
                      other_inputs=(z2,), other_shapes=[2, 3, size, size], tolerance=5e-2)

    tree = sd_manifest(args.family, dict(pipe.scheduler.config), pipe.vae.config.scaling_factor, h1, pad, vocab,
                       dtype=args.dtype if args.device != "cpu" else "float32", hidden_size_2=h2,
                       pooled_size=pooled, pad_id_2=pad2, vae_dtype=vae_dtype, size=size, latent_channels=c)
    print("wrote", write_manifest(args.out, tree))
    shutil.rmtree(os.path.join(args.out, "__pycache__"), ignore_errors=True)


if __name__ == "__main__":
    main()
