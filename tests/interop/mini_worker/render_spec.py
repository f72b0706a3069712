"""The render spec's cache key, byte for byte as schemas/README.md section 7
defines it: SHA-256 of one canonical msgpack array."""
import hashlib

import msgpack

KEY_VERSION = "bigpe-result-v2"
_INT64_MIN, _UINT64_MAX = -(1 << 63), (1 << 64) - 1


def _canonical_number(x):
    # The reference packer writes an integral double as an integer (0.0 -> 0x00).
    x = float(x)
    if x.is_integer() and _INT64_MIN <= x <= _UINT64_MAX:
        return int(x)
    return x


def key_bytes(task, item):
    p = task.get("params") or {}
    options = p.get("options") or {}
    array = [
        KEY_VERSION,
        task["service"],
        task.get("identity", ""),
        item["prompt"],
        item["score_text"],
        item["seed"],
        p.get("steps", 1),
        _canonical_number(p.get("guidance", 0.0)),
        p.get("width", 512),
        p.get("height", 512),
        p.get("sampler", "euler"),
        p.get("negative", ""),
        # Options sorted by the bytes of their names.
        {k: options[k] for k in sorted(options, key=lambda k: k.encode("utf-8", "surrogateescape"))},
    ]
    packer = msgpack.Packer(use_bin_type=True, unicode_errors="surrogateescape")
    return packer.pack(array)


def result_key(task, item):
    return hashlib.sha256(key_bytes(task, item)).hexdigest()
