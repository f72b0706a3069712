"""The manifests of the pickscore and aesthetic model folders, and the
checks their exporters make on the checkpoints' settings, from plain dicts
and tensors (so they are tested without transformers).
"""
import math

import torch

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


def clip_processor_settings(config):
    """(image size, mean, std) from a Hugging Face preprocessor_config.json
    of a CLIPImageProcessor, refusing what the runtime's kHfClipProcessor
    preprocessing does not reproduce: anything but shortest-side bicubic
    resize to S followed by an S x S centre crop, rescale by 1/255 and
    normalize."""
    def need(key, want):
        got = config.get(key, want)
        if got != want:
            raise ValueError("preprocessor_config.json: %s is %r; the runtime supports only %r" % (key, got, want))

    need("do_resize", True)
    need("do_center_crop", True)
    need("do_rescale", True)
    need("do_normalize", True)
    need("resample", 3)  # PIL.Image.BICUBIC
    rescale = config.get("rescale_factor", 1 / 255)
    if not math.isclose(rescale, 1 / 255, rel_tol=1e-9):
        raise ValueError("preprocessor_config.json: rescale_factor is %r; the runtime supports only 1/255" % rescale)
    size = config.get("size", 224)
    short = size.get("shortest_edge") if isinstance(size, dict) else size
    crop = config.get("crop_size", 224)
    crop_h, crop_w = (crop.get("height"), crop.get("width")) if isinstance(crop, dict) else (crop, crop)
    if not isinstance(short, int) or not (crop_h == crop_w == short):
        raise ValueError("preprocessor_config.json: size %r and crop_size %r; the runtime resizes the shortest "
                         "edge to S and crops S x S" % (size, crop))
    mean = tuple(float(v) for v in config.get("image_mean", OPENAI_MEAN))
    std = tuple(float(v) for v in config.get("image_std", OPENAI_STD))
    if len(mean) != 3 or len(std) != 3 or min(std) <= 0:
        raise ValueError("preprocessor_config.json: image_mean and image_std must be three numbers (std > 0)")
    return short, mean, std


def pickscore_manifest(vocab, embed_dim, logit_scale, pad_id=0, dtype="float16", image_size=224,
                       mean=OPENAI_MEAN, std=OPENAI_STD):
    """logit_scale: the checkpoint's parameter (the log of the factor the
    cosine is multiplied by; PickScore v1's is about 4.6052 = log 100)."""
    return {
        "format": 1,
        "family": "pickscore",
        "dtype": dtype,
        "tokenizer": {"vocab": vocab, "pad_id": int(pad_id)},
        "image_encoder": {"file": "image_encoder.pt", "image_size": int(image_size)},
        "text_encoder": {"file": "text_encoder.pt"},
        "embed_dim": int(embed_dim),
        "logit_scale": float(logit_scale),
        "preprocess": {"mean": [float(v) for v in mean], "std": [float(v) for v in std]},
    }


def aesthetic_manifest(embed_dim, dtype="float16", image_size=224, mean=OPENAI_MEAN, std=OPENAI_STD):
    """The head runs in float32 everywhere: it is tiny, and its output is the
    score itself."""
    return {
        "format": 1,
        "family": "aesthetic",
        "dtype": dtype,
        "image_encoder": {"file": "image_encoder.pt", "image_size": int(image_size)},
        "head": {"file": "head.pt", "dtype": "float32"},
        "embed_dim": int(embed_dim),
        "preprocess": {"mean": [float(v) for v in mean], "std": [float(v) for v in std]},
    }


def head_layers(state):
    """The affine layers of an aesthetic head's state dict, in order, as
    (weight [out, in], bias [out]) pairs: LAION's original predictor is one
    nn.Linear (keys weight, bias); the improved predictor
    (christophschuhmann/improved-aesthetic-predictor) is nn.Sequential
    Linear/Dropout with its ReLUs commented out (keys layers.N.weight,
    layers.N.bias for N = 0, 2, 4, 6, 7), so it is affine too. Anything
    else is refused: a head with activations would need its own module.
    Checks that each layer's input is the previous one's output and that
    the last gives one number."""
    state = state.get("state_dict", state)
    if set(state) == {"weight", "bias"}:
        layers = [(state["weight"], state["bias"])]
    else:
        indices = set()
        for key in state:
            parts = key.split(".")
            if len(parts) != 3 or parts[0] != "layers" or not parts[1].isdigit() or parts[2] not in ("weight", "bias"):
                raise ValueError("head state dict: unexpected key %r (expected weight/bias of one nn.Linear, or "
                                 "layers.N.weight/bias of the improved predictor's nn.Sequential)" % key)
            indices.add(int(parts[1]))
        layers = []
        for i in sorted(indices):
            if "layers.%d.weight" % i not in state or "layers.%d.bias" % i not in state:
                raise ValueError("head state dict: layer %d lacks its weight or bias" % i)
            layers.append((state["layers.%d.weight" % i], state["layers.%d.bias" % i]))
    if not layers:
        raise ValueError("head state dict holds no layer")
    for i, (w, b) in enumerate(layers):
        if w.dim() != 2 or b.shape != (w.shape[0],):
            raise ValueError("head layer %d: weight %s and bias %s are not one nn.Linear's"
                             % (i, list(w.shape), list(b.shape)))
        if i and w.shape[1] != layers[i - 1][0].shape[0]:
            raise ValueError("head layer %d takes %d inputs but layer %d gives %d"
                             % (i, w.shape[1], i - 1, layers[i - 1][0].shape[0]))
    if layers[-1][0].shape[0] != 1:
        raise ValueError("head: the last layer gives %d outputs, not 1" % layers[-1][0].shape[0])
    return [(w.detach().float(), b.detach().float()) for w, b in layers]


class LinearHead(torch.nn.Module):
    """normalized features [B, E] -> score [B, 1]: the head's affine layers
    applied in order (as in eval mode, where dropout does nothing)."""

    def __init__(self, layers):
        super().__init__()
        self.layers = torch.nn.ModuleList()
        for w, b in layers:
            linear = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                linear.weight.copy_(w)
                linear.bias.copy_(b)
            self.layers.append(linear)

    def forward(self, features):
        x = features
        for layer in self.layers:
            x = layer(x)
        return x
