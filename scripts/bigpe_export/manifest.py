"""manifest.yaml for a bigpe model folder (docs/models.md).

The C++ side (models/core/model_manifest.cpp) reads a YAML subset: nested
maps of scalars. write_manifest() writes exactly that subset and refuses
what the reader would refuse, so an exporter fails at export time, not when
a worker starts.
"""
import gzip
import os
import shutil

FAMILIES = ("sd1", "sd2", "sd2-v", "sdxl", "sdxl-turbo", "hpsv2", "pickscore", "aesthetic")
DTYPES = ("float16", "bfloat16", "float32")

# Keys each family must have (dotted paths), as the C++ reader requires.
_COMMON = ["format", "family"]
_TOKENIZER = ["tokenizer.vocab", "tokenizer.pad_id"]
_DIFFUSION = ["text_encoder.file", "text_encoder.hidden_size", "unet.file",
              "vae_decoder.file", "vae_decoder.latent_scale"]
_SDXL = ["text_encoder_2.file", "text_encoder_2.hidden_size", "text_encoder_2.pooled_size"]
_HPS = ["image_encoder.file", "text_encoder.file", "embed_dim"]
_PICKSCORE = _HPS + ["logit_scale"]
# The aesthetic predictor scores the image alone: no tokenizer, no text tower.
_AESTHETIC = ["image_encoder.file", "head.file", "embed_dim"]


def required_keys(family):
    if family not in FAMILIES:
        raise ValueError("unknown family %r (expected one of %s)" % (family, ", ".join(FAMILIES)))
    if family == "hpsv2":
        return _COMMON + _TOKENIZER + _HPS
    if family == "pickscore":
        return _COMMON + _TOKENIZER + _PICKSCORE
    if family == "aesthetic":
        return _COMMON + _AESTHETIC
    return _COMMON + _TOKENIZER + _DIFFUSION + (_SDXL if family.startswith("sdxl") else [])


def _flatten(tree, prefix=""):
    for key, value in tree.items():
        if not isinstance(key, str) or not key or "." in key or ":" in key or key.strip() != key:
            raise ValueError("manifest key %r: keys are plain words without dots or colons" % (key,))
        path = prefix + key
        if isinstance(value, dict):
            yield from _flatten(value, path + ".")
        else:
            yield path, value


def format_scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        # Three numbers such as preprocess.mean are written space-separated.
        return " ".join(format_scalar(v) for v in value)
    text = str(value)
    if "\n" in text or '"' in text:
        raise ValueError("manifest value %r: no newlines or double quotes" % text)
    return '"%s"' % text


def manifest_text(tree):
    """The YAML text of a nested dict of scalars; raises ValueError for
    anything the C++ reader would refuse or a missing required key."""
    flat = dict(_flatten(tree))
    family = flat.get("family")
    missing = [k for k in required_keys(family) if k not in flat]
    if missing:
        raise ValueError("manifest for %s lacks %s" % (family, ", ".join(missing)))
    for key, value in flat.items():
        if key == "dtype" or key.endswith(".dtype"):
            if value not in DTYPES:
                raise ValueError("%s must be one of %s, got %r" % (key, ", ".join(DTYPES), value))
    lines = ["# bigpe model folder (docs/models.md); written by scripts/ exporters"]

    def emit(node, indent):
        for key, value in node.items():
            if isinstance(value, dict):
                lines.append("%s%s:" % ("  " * indent, key))
                emit(value, indent + 1)
            else:
                lines.append("%s%s: %s" % ("  " * indent, key, format_scalar(value)))

    emit(tree, 0)
    return "\n".join(lines) + "\n"


def write_manifest(folder, tree):
    """Writes folder/manifest.yaml after checking that every file it names
    exists in the folder."""
    text = manifest_text(tree)
    for key, value in _flatten(tree):
        if key.endswith(".file") or key == "tokenizer.vocab":
            path = value if os.path.isabs(value) else os.path.join(folder, value)
            if not os.path.isfile(path):
                raise FileNotFoundError("manifest key %s names %s, which does not exist" % (key, path))
    path = os.path.join(folder, "manifest.yaml")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    return path


def copy_vocab(source, folder, name=None):
    """Copies a CLIP merges file (bpe_simple_vocab_16e6.txt.gz, or a
    tokenizer's merges.txt) into the folder; returns its file name."""
    name = name or os.path.basename(source)
    with open(source, "rb") as f:
        head = f.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    with opener(source, "rt", encoding="utf-8") as f:
        first = f.readline()
        second = f.readline().split()
    if len(second) != 2:
        raise ValueError("%s does not look like a CLIP merges file (line 2: %r)" % (source, second))
    del first
    shutil.copyfile(source, os.path.join(folder, name))
    return name


def write_tiny_vocab(folder, merges, name="vocab.txt.gz"):
    """A merges file with a header and the given (left, right) pairs."""
    with gzip.open(os.path.join(folder, name), "wt", encoding="utf-8") as f:
        f.write("#version: tiny\n")
        for left, right in merges:
            f.write("%s %s\n" % (left, right))
    return name
