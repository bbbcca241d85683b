"""Formats and GGUF quantizations from a repo's file list (`siblings`).

A repo lists dozens of files, most of them configs, tokenizers and images; only weight
files reveal a format. `catalog.vocab.formats_of_file` is the rule; a cheap extension
test in front of it keeps the common case (a `.json`, a `.png`) from running every glob.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from catalog import vocab

# Extensions that can reveal a format per `catalog.vocab.FORMATS` (plus `model.json`,
# `group*-shard*` tfjs shards and files inside `.mlpackage` directories, tested apart).
_WEIGHT_EXTENSIONS: Final = frozenset(
    {
        "safetensors",
        "bin",
        "pt",
        "pth",
        "onnx",
        "gguf",
        "pb",
        "tflite",
        "keras",
        "h5",
        "mlmodel",
        "mlpackage",
        "msgpack",
        "xml",
        "pte",
        "pdparams",
        "pdmodel",
    }
)
# Hub file names `vocab.formats_of_file` leaves out: diffusers and PEFT name their
# PyTorch weights `diffusion_pytorch_model*.bin` and `adapter_model.bin`.
_HF_PYTORCH = re.compile(r"(?:^|_)pytorch_model[^/]*\.bin$|^adapter_model\.bin$")

# llama.cpp quantization types as they appear in GGUF file names (any case):
# Q4_K_M, Q8_0, IQ2_XS, Q4_0_4_4, TQ1_0, F16, BF16, FP16, MXFP4 ...
_QUANT = re.compile(
    r"(?<![a-z0-9])(i?q[1-8](?:_[0-9a-z]{1,3}){0,3}|tq[12]_0|bf16|fp?16|fp?32|mxfp4)(?![a-z0-9])",
    re.IGNORECASE,
)
_QUANT_ALIASES: Final = {"FP16": "F16", "FP32": "F32"}


@dataclass(slots=True)
class FormatFiles:
    """Files of one format in a repo."""

    count: int = 0
    sizes: list[int | None] = field(default_factory=list)
    gguf_variants: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int | None:
        """Their total size, only when every file's size is known (a partial sum misleads)."""
        if not self.sizes or any(s is None for s in self.sizes):
            return None
        return sum(s for s in self.sizes if s is not None)


@lru_cache(maxsize=65536)
def file_formats(path: str) -> tuple[str, ...]:
    """Formats a repo file reveals (the catalog's rule plus Hub naming habits)."""
    name = path.rsplit("/", 1)[-1].lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if not (
        ext in _WEIGHT_EXTENSIONS
        or name == "model.json"
        or name.startswith("group")
        or ".mlpackage/" in path.lower()
    ):
        return ()
    found = vocab.formats_of_file(path)
    if "pytorch" not in found and _HF_PYTORCH.search(path.rsplit("/", 1)[-1].lower()):
        found = (*found, "pytorch")
    return found


def gguf_quantization(path: str) -> str | None:
    """The quantization type a GGUF file name states (`model.Q4_K_M.gguf` -> `Q4_K_M`)."""
    stem = path.rsplit("/", 1)[-1]
    stem = stem[:-5] if stem.lower().endswith(".gguf") else stem
    matches = _QUANT.findall(stem)
    if not matches:
        return None
    value = matches[-1].upper()
    return _QUANT_ALIASES.get(value, value)


def _size(sibling: Mapping[str, Any]) -> int | None:
    size = sibling.get("size")
    if size is None and isinstance(sibling.get("lfs"), dict):
        size = sibling["lfs"].get("size")
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        return size
    return None


def formats_from_siblings(siblings: Iterable[Any]) -> dict[str, FormatFiles]:
    """Formats found in a repo's file list, in first-seen order, with counts and sizes.

    Entries that are not `{"rfilename": str, ...}` mappings are skipped.
    """
    found: dict[str, FormatFiles] = {}
    for sibling in siblings:
        if not isinstance(sibling, dict):
            continue
        path = sibling.get("rfilename")
        if type(path) is not str:
            continue
        slugs = file_formats(path)
        if not slugs:
            continue
        size = _size(sibling)
        for slug in slugs:
            files = found.setdefault(slug, FormatFiles())
            files.count += 1
            files.sizes.append(size)
            if slug == "gguf":
                _add_gguf_variant(files, path, size)
    return found


def _add_gguf_variant(files: FormatFiles, path: str, size: int | None) -> None:
    quant = gguf_quantization(path)
    if quant is None:
        return  # e.g. a vision projector file: counted, but no quantization to state
    variant = files.gguf_variants.get(quant)
    if variant is None:
        files.gguf_variants[quant] = {
            "quantization": quant,
            "file": path,
            "file_count": 1,
            "bytes": size,
        }
        return
    variant["file_count"] += 1
    variant["bytes"] = None if size is None or variant["bytes"] is None else variant["bytes"] + size
