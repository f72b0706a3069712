#!/usr/bin/env python3
"""Writes tiny TorchScript model folders for tests and benchmarks:
sd1/, sd2-v/, sdxl/, sdxl-turbo/ (text encoder(s), UNet, VAE decoder),
hpsv2/ and pickscore/ (image and text towers) and aesthetic/ (image tower
and linear head), each with its manifest.yaml (and, but for aesthetic, a
tiny CLIP merges file). The modules have the real signatures (docs/models.md) and a
few thousand random weights (fixed seed), so the C++ pipelines run end to
end in milliseconds on a CPU. They go through the same tracing and manifest
helpers as the real exporters.

Usage: make_tiny_models.py --out DIR [--device cpu|cuda] [--size 64]
Needs only torch (Debian: /usr/bin/python3 with python3-torch).
"""
import argparse
import math
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bigpe_export.manifest import write_manifest, write_tiny_vocab  # noqa: E402
from bigpe_export.scorers import LinearHead, aesthetic_manifest, head_layers, pickscore_manifest  # noqa: E402
from bigpe_export.tracing import export_module  # noqa: E402

CONTEXT = 77
MERGES = [("a", "t</w>"), ("c", "at</w>"), ("o", "g</w>"), ("d", "og</w>"), ("t", "h"), ("th", "e</w>"),
          ("o", "n</w>"), ("i", "n</w>"), ("r", "e"), ("e", "d</w>"), ("a", "n"), ("an", "d</w>"),
          ("p", "h"), ("ph", "o"), ("t", "o</w>"), ("pho", "to</w>"), ("o", "f</w>"), ("a", "r"),
          ("ar", "t</w>"), ("s", "t")]
VOCAB = 512 + len(MERGES) + 2  # bytes, bytes</w>, merges, start, end
END_ID = VOCAB - 1


class TextEncoder(nn.Module):
    """ids [B,77] int64 -> hidden [B,77,H]: embeddings, a causal running
    mean (so later tokens see earlier ones, as CLIP's causal mask does), an
    MLP and a LayerNorm."""

    def __init__(self, hidden):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, hidden)
        self.pos = nn.Parameter(torch.randn(CONTEXT, hidden) * 0.1)
        self.mlp = nn.Sequential(nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, hidden))
        self.norm = nn.LayerNorm(hidden)
        self.register_buffer("steps", torch.arange(1, CONTEXT + 1, dtype=torch.float32).view(1, CONTEXT, 1))

    def hidden(self, ids):
        x = self.tok(ids) + self.pos
        x = x.cumsum(1) / self.steps
        return self.norm(x + self.mlp(x))

    def forward(self, ids):
        return self.hidden(ids)


class TextEncoderWithPooled(TextEncoder):
    """SDXL's second encoder: (hidden [B,77,H], pooled [B,P]) where pooled
    is the projected state at the end token (the first maximum id)."""

    def __init__(self, hidden, pooled):
        super().__init__(hidden)
        self.proj = nn.Linear(hidden, pooled, bias=False)

    def forward(self, ids):
        h = self.hidden(ids)
        eot = ids.argmax(dim=-1)
        pooled = self.proj(h[torch.arange(h.shape[0], device=h.device), eot])
        return h, pooled


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class UNet(nn.Module):
    """(x [N,4,h,w], t [N] float32, ctx [N,77,D]) -> [N,4,h,w]."""

    def __init__(self, context_dim, channels=16, latent=4):
        super().__init__()
        self.channels = channels
        self.conv_in = nn.Conv2d(latent, channels, 3, padding=1)
        self.time = nn.Sequential(nn.Linear(channels, channels), nn.SiLU(), nn.Linear(channels, channels))
        self.ctx = nn.Linear(context_dim, channels)
        self.mid = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv_out = nn.Conv2d(channels, latent, 3, padding=1)

    def body(self, x, t, ctx, extra=None):
        # type_as, not .to(x.dtype): a trace keeps type_as dynamic, so the
        # module still runs after the runtime casts it to float16.
        emb = self.time(timestep_embedding(t, self.channels).type_as(x)) + self.ctx(ctx.mean(1))
        if extra is not None:
            emb = emb + extra
        h = self.conv_in(x) + emb[:, :, None, None]
        h = self.mid(nn.functional.silu(h))
        return self.conv_out(nn.functional.silu(h))

    def forward(self, x, t, ctx):
        return self.body(x, t, ctx)


class UNetXL(UNet):
    """SDXL: also text_embeds [N,P] and time_ids [N,6]."""

    def __init__(self, context_dim, pooled, channels=16, latent=4):
        super().__init__(context_dim, channels, latent)
        self.added = nn.Linear(pooled + 6, channels)

    def forward(self, x, t, ctx, text_embeds, time_ids):
        extra = self.added(torch.cat([text_embeds, time_ids.type_as(text_embeds) / 1024.0], dim=-1))
        return self.body(x, t, ctx, extra)


class VaeDecoder(nn.Module):
    """z [B,4,h,w] -> image [B,3,8h,8w] in [-1,1]."""

    def __init__(self, latent=4, factor=8):
        super().__init__()
        self.inp = nn.Conv2d(latent, 8, 1)
        self.up = nn.Upsample(scale_factor=factor, mode="nearest")
        self.out = nn.Conv2d(8, 3, 3, padding=1)

    def forward(self, z):
        return torch.tanh(self.out(self.up(torch.nn.functional.silu(self.inp(z)))))


class ImageTower(nn.Module):
    """pixels [B,3,224,224] -> features [B,E] (not normalized)."""

    def __init__(self, embed, size=224, patch=14):
        super().__init__()
        self.patch = nn.Conv2d(3, 24, patch, stride=patch, bias=False)
        self.proj = nn.Linear(24, embed)

    def forward(self, pixels):
        return self.proj(torch.nn.functional.gelu(self.patch(pixels)).mean(dim=(2, 3)))


class TextTower(nn.Module):
    """ids [B,77] -> features [B,E]: the state at the end token."""

    def __init__(self, embed, hidden=24):
        super().__init__()
        self.enc = TextEncoder(hidden)
        self.proj = nn.Linear(hidden, embed, bias=False)

    def forward(self, ids):
        h = self.enc(ids)
        return self.proj(h[torch.arange(h.shape[0], device=h.device), ids.argmax(dim=-1)])


def ids(batch, device):
    x = torch.zeros(batch, CONTEXT, dtype=torch.int64, device=device)
    x[:, 0] = VOCAB - 2
    x[:, 1] = 320
    x[:, 2] = END_ID
    return x


def diffusion_folder(root, family, device, size):
    folder = os.path.join(root, family)
    os.makedirs(folder, exist_ok=True)
    vocab = write_tiny_vocab(folder, MERGES)
    xl = family.startswith("sdxl")
    h1, h2, pooled = (32, 48, 24) if xl else (32, 0, 0)
    ctx_dim = h1 + h2
    lat = size // 8
    f = lambda name: os.path.join(folder, name)  # noqa: E731
    export_module(TextEncoder(h1).to(device), (ids(1, device),), f("text_encoder.pt"), [1, CONTEXT, h1],
                  other_inputs=(ids(3, device),), other_shapes=[3, CONTEXT, h1])
    x2, t2, c2 = (torch.randn(2, 4, lat, lat, device=device), torch.tensor([999.0, 500.0], device=device),
                  torch.randn(2, CONTEXT, ctx_dim, device=device))
    x5, t5, c5 = (torch.randn(5, 4, lat + 2, lat, device=device), torch.full((5,), 10.0, device=device),
                  torch.randn(5, CONTEXT, ctx_dim, device=device))
    if xl:
        export_module(TextEncoderWithPooled(h2, pooled).to(device), (ids(1, device),), f("text_encoder_2.pt"),
                      [[1, CONTEXT, h2], [1, pooled]], other_inputs=(ids(3, device),),
                      other_shapes=[[3, CONTEXT, h2], [3, pooled]])
        p2, p5 = torch.randn(2, pooled, device=device), torch.randn(5, pooled, device=device)
        tid2, tid5 = torch.full((2, 6), 64.0, device=device), torch.full((5, 6), 64.0, device=device)
        export_module(UNetXL(ctx_dim, pooled).to(device), (x2, t2, c2, p2, tid2), f("unet.pt"), list(x2.shape),
                      other_inputs=(x5, t5, c5, p5, tid5), other_shapes=list(x5.shape))
    else:
        export_module(UNet(ctx_dim).to(device), (x2, t2, c2), f("unet.pt"), list(x2.shape),
                      other_inputs=(x5, t5, c5), other_shapes=list(x5.shape))
    z1, z3 = torch.randn(1, 4, lat, lat, device=device), torch.randn(3, 4, lat, lat + 1, device=device)
    export_module(VaeDecoder().to(device), (z1,), f("vae_decoder.pt"), [1, 3, size, size],
                  other_inputs=(z3,), other_shapes=[3, 3, size, size + 8])

    pad = {"sd1": END_ID, "sd2-v": 0}.get(family, END_ID)
    tree = {
        "format": 1,
        "family": family,
        "dtype": "float16",
        "tokenizer": {"vocab": vocab, "pad_id": pad},
        "text_encoder": {"file": "text_encoder.pt", "hidden_size": h1},
        "unet": {"file": "unet.pt", "latent_channels": 4},
        "vae_decoder": {"file": "vae_decoder.pt", "latent_scale": 0.13025 if xl else 0.18215},
        "scheduler": {"prediction": "v_prediction" if family == "sd2-v" else "epsilon",
                      "beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012,
                      "train_timesteps": 1000, "steps_offset": 1},
        "defaults": {"size": size},
    }
    if xl:
        tree["text_encoder_2"] = {"file": "text_encoder_2.pt", "hidden_size": h2, "pooled_size": pooled, "pad_id": 0}
        tree["scheduler"]["timestep_spacing"] = "trailing" if family == "sdxl-turbo" else "leading"
    write_manifest(folder, tree)


def towers(folder, embed, device):
    f = lambda name: os.path.join(folder, name)  # noqa: E731
    export_module(ImageTower(embed).to(device), (torch.randn(1, 3, 224, 224, device=device),), f("image_encoder.pt"),
                  [1, embed], other_inputs=(torch.randn(3, 3, 224, 224, device=device),), other_shapes=[3, embed])
    export_module(TextTower(embed).to(device), (ids(1, device),), f("text_encoder.pt"), [1, embed],
                  other_inputs=(ids(4, device),), other_shapes=[4, embed])


def hps_folder(root, device):
    folder = os.path.join(root, "hpsv2")
    os.makedirs(folder, exist_ok=True)
    vocab = write_tiny_vocab(folder, MERGES)
    embed = 16
    towers(folder, embed, device)
    write_manifest(folder, {
        "format": 1,
        "family": "hpsv2",
        "dtype": "float16",
        "tokenizer": {"vocab": vocab, "pad_id": 0},
        "image_encoder": {"file": "image_encoder.pt", "image_size": 224},
        "text_encoder": {"file": "text_encoder.pt"},
        "embed_dim": embed,
    })


def pickscore_folder(root, device):
    """logit_scale 3 (a factor of about 20), not PickScore's log 100, so a
    runtime that ignored the manifest's value would be caught."""
    folder = os.path.join(root, "pickscore")
    os.makedirs(folder, exist_ok=True)
    vocab = write_tiny_vocab(folder, MERGES)
    embed = 16
    towers(folder, embed, device)
    write_manifest(folder, pickscore_manifest(vocab, embed, logit_scale=3.0))


def aesthetic_folder(root, device):
    """The head as the improved predictor's state dict (layers 0, 2, 4 of an
    nn.Sequential with dropouts between), read by the exporters' own
    head_layers(); a bias of 5 puts scores near the real scale's middle."""
    folder = os.path.join(root, "aesthetic")
    os.makedirs(folder, exist_ok=True)
    embed = 12
    export_module(ImageTower(embed).to(device), (torch.randn(1, 3, 224, 224, device=device),),
                  os.path.join(folder, "image_encoder.pt"), [1, embed],
                  other_inputs=(torch.randn(3, 3, 224, 224, device=device),), other_shapes=[3, embed])
    state = {"layers.0.weight": torch.randn(8, embed), "layers.0.bias": torch.randn(8) * 0.1,
             "layers.2.weight": torch.randn(4, 8) * 0.5, "layers.2.bias": torch.randn(4) * 0.1,
             "layers.4.weight": torch.randn(1, 4), "layers.4.bias": torch.tensor([5.0])}
    head = LinearHead(head_layers(state)).to(device)
    export_module(head, (torch.randn(1, embed, device=device),), os.path.join(folder, "head.pt"), [1, 1],
                  other_inputs=(torch.randn(3, embed, device=device),), other_shapes=[3, 1])
    write_manifest(folder, aesthetic_manifest(embed))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to create (its model folders are overwritten)")
    parser.add_argument("--device", default="cpu", help="device to trace on (cpu or cuda)")
    parser.add_argument("--size", type=int, default=64, help="default image size (a multiple of 8)")
    args = parser.parse_args()
    if args.size % 8:
        parser.error("--size must be a multiple of 8")
    torch.manual_seed(0)
    os.makedirs(args.out, exist_ok=True)
    for family in ("sd1", "sd2-v", "sdxl", "sdxl-turbo"):
        diffusion_folder(args.out, family, args.device, args.size)
    hps_folder(args.out, args.device)
    pickscore_folder(args.out, args.device)
    aesthetic_folder(args.out, args.device)
    print("tiny models in %s" % args.out)


if __name__ == "__main__":
    main()
