"""Civitai files -> formats: one variant per weight file, with precision, size and bytes.

Each file of each version says its format (`metadata.format`: SafeTensor, PickleTensor,
GGUF, Diffusers, ...), precision (`metadata.fp`: fp16, fp32, bf16, ...) and size
(`metadata.size`: full or pruned); any of them may be missing. Files without a stated
format get one from their name (`*.safetensors`, `*.pt`, ...) where it reveals one.
Training data, configs and archives hold no weights and give no format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog import vocab
from catalog.records import FormatRecord
from harvesters.civitai.aliases import FILE_FORMATS, NON_WEIGHT_FILES
from harvesters.civitai.values import count, key, present, text

_ORDER = [f.slug for f in vocab.FORMATS]


@dataclass
class Formats:
    """What the files of a model say about formats."""

    formats: tuple[FormatRecord, ...] = ()
    tags: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    diffusers: bool = False


def formats_of(versions: Sequence[Mapping[str, Any]]) -> Formats:
    """Formats of every weight file of every version (variants in version order)."""
    variants: dict[str, list[dict[str, Any]]] = {}
    result = Formats()
    for version in versions:
        files = version.get("files")
        for item in files if isinstance(files, list) else []:
            if not isinstance(item, Mapping) or key(item.get("type")) in NON_WEIGHT_FILES:
                continue
            slug = _format(item, result)
            if slug is not None:
                variants.setdefault(slug, []).append(_variant(version, item))
    result.formats = tuple(
        FormatRecord(slug, tuple(found), file_count=len(found), total_bytes=_total(found))
        for slug, found in sorted(variants.items(), key=lambda kv: _ORDER.index(kv[0]))
    )
    result.tags = list(dict.fromkeys(result.tags))
    result.unmapped = list(dict.fromkeys(result.unmapped))
    return result


def _format(item: Mapping[str, Any], result: Formats) -> str | None:
    metadata = item.get("metadata")
    stated = text(metadata.get("format")) if isinstance(metadata, Mapping) else None
    if stated is not None:
        known = key(stated)
        if known not in FILE_FORMATS:
            result.tags.append(f"format:{stated}")
            result.unmapped.append(f"format:{stated}")
            return None
        if FILE_FORMATS[known] is None:
            result.tags.append(f"format:{known}")
            result.diffusers = result.diffusers or known == "diffusers"
        return FILE_FORMATS[known]
    name = item.get("name")
    found = vocab.formats_of_file(name) if isinstance(name, str) else ()
    return found[0] if found else None


def _variant(version: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    metadata = item.get("metadata")
    meta = metadata if isinstance(metadata, Mapping) else {}
    hashes = item.get("hashes")
    sha256 = text(hashes.get("SHA256")) if isinstance(hashes, Mapping) else None
    variant = {
        "version": text(version.get("name")),
        "version_id": count(version.get("id")),
        "file": text(item.get("name")),
        "type": text(item.get("type")),
        "precision": text(meta.get("fp")),
        "size": text(meta.get("size")),
        "bytes": _bytes(item.get("sizeKB")),
        "primary": item.get("primary") if isinstance(item.get("primary"), bool) else None,
        "sha256": sha256.lower() if sha256 else None,
    }
    return present(variant)


def _total(variants: Sequence[Mapping[str, Any]]) -> int | None:
    sizes = [v.get("bytes") for v in variants]
    if not all(isinstance(s, int) for s in sizes):
        return None  # a total that leaves files out would understate the size
    return sum(s for s in sizes if isinstance(s, int))


def _bytes(size_kb: object) -> int | None:
    if isinstance(size_kb, bool) or not isinstance(size_kb, (int, float)):
        return None
    if not 0 <= size_kb < 2**52:  # NaN, infinities and nonsense sizes alike
        return None
    return round(size_kb * 1024)
