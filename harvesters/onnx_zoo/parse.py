"""Pure functions from `ONNX_HUB_MANIFEST.json` entries to grouped payloads and records.

The manifest has one entry per (model, opset) file. `group_manifest` gathers the
entries of one model name into one payload (and links a quantized model to its full
precision model when the manifest has it); `normalize_model` turns a payload into a
`NormalizedModel` whose `onnx` format lists every entry as a variant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from catalog.provenance import Provenance
from catalog.records import (
    FormatRecord,
    InvalidRecordError,
    LineageRef,
    NormalizedModel,
    validate_record,
)
from harvesters import terms
from harvesters.onnx_zoo import aliases

PLATFORM = "onnx-model-zoo"
REPO_URL = "https://github.com/onnx/models/tree/main/"
# "-int8", " int8", "-qdq", "-int8-qdq", "_fp16": the precision suffixes the zoo uses.
_QUANT_SUFFIX = re.compile(r"(?:[-_ ](?:int8|uint8|int4|qdq|qop|fp16))+$", re.IGNORECASE)
_ALNUM = re.compile(r"[^a-z0-9]")


def model_name(entry: object) -> str | None:
    """The entry's model name, or None when it has none (the entry is then quarantined)."""
    if isinstance(entry, Mapping):
        name = entry.get("model")
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def quantization_of(name: str) -> str | None:
    """The precision suffix of a quantized model's name ("int8", "qdq", ...), if any."""
    match = _QUANT_SUFFIX.search(name)
    return match.group(0).strip("-_ ").lower() if match else None


def full_precision_name(name: str, names: Sequence[str]) -> str | None:
    """The manifest name of the full-precision model `name` was quantized from, if present.

    The suffix is cut and the rest matched exactly, else ignoring case and punctuation
    ("SqueezeNet 1.0-int8" -> "SqueezeNet 1.0").
    """
    match = _QUANT_SUFFIX.search(name)
    if not match:
        return None
    base = name[: match.start()].strip()
    if not base:
        return None
    if base in names:
        return base
    key = _ALNUM.sub("", base.lower())
    candidates = sorted(n for n in names if _ALNUM.sub("", n.lower()) == key and n != name)
    return candidates[0] if candidates else None


def group_manifest(entries: Sequence[Any]) -> list[dict[str, Any]]:
    """Payloads, one per model name (sorted by name), then one per nameless entry.

    Each payload is `{"model": name, "full_precision_model": name | None, "entries":
    [...]}`; entries keep the manifest's order of opsets (sorted ascending).
    """
    by_name: dict[str, list[Any]] = {}
    nameless: list[dict[str, Any]] = []
    for entry in entries:
        name = model_name(entry)
        if name is None:
            nameless.append({"model": None, "full_precision_model": None, "entries": [entry]})
        else:
            by_name.setdefault(name, []).append(entry)
    names = sorted(by_name)
    payloads = [
        {
            "model": name,
            "full_precision_model": full_precision_name(name, names),
            "entries": sorted(by_name[name], key=_opset_key),
        }
        for name in names
    ]
    return payloads + nameless


def _opset_key(entry: Mapping[str, Any]) -> tuple[int, str]:
    opset = entry.get("opset_version")
    path = entry.get("model_path")
    return (opset if isinstance(opset, int) else -1, path if isinstance(path, str) else "")


def normalize_model(payload: Mapping[str, Any]) -> NormalizedModel:
    """Turn one grouped payload into a record.

    Raises:
        InvalidRecordError: the payload has no model name or no usable entry.
    """
    listed = payload.get("entries")
    entries = [e for e in (listed if isinstance(listed, list) else ()) if isinstance(e, Mapping)]
    name = payload.get("model")
    if not isinstance(name, str) or not name.strip():
        path = entries[0].get("model_path") if entries else None
        raise InvalidRecordError(f"manifest entry has no model name (model_path: {path!r})")
    if not entries:
        raise InvalidRecordError(f"model {name!r} has no manifest entry")
    tags = _tags(entries)
    tasks, modalities, unmapped = map_tags(tags)
    variants = tuple(_variant(e) for e in entries)
    sizes = [v["bytes"] for v in variants if isinstance(v.get("bytes"), int)]
    base = payload.get("full_precision_model")
    quantization = quantization_of(name)
    record = NormalizedModel(
        platform=PLATFORM,
        external_id=name,
        name=name,
        url=_url(entries),
        library="onnx",
        tasks=tasks,
        modalities=modalities,
        formats=(
            FormatRecord(
                "onnx",
                variants=variants,
                file_count=len(variants),
                total_bytes=sum(sizes) if len(sizes) == len(variants) else None,
            ),
        ),
        tags=tuple(dict.fromkeys([*tags, *(["quantized"] if quantization else [])])),
        unmapped=unmapped,
        lineage=(
            (LineageRef(PLATFORM, base, "quantized"),) if isinstance(base, str) and base else ()
        ),
        extra=_extra(entries, quantization),
    )
    record = _PROVENANCE.attach(record)
    validate_record(record)
    return record


def _provenance() -> Provenance:
    prov = Provenance()
    prov.declared("name", "entries[].model")
    prov.derived("url", "zoo-folder-of-model-path", "entries[-1].model_path")
    prov.curated("library", "onnx-model-zoo-is-onnx")
    prov.declared("tasks", "entries[].metadata.tags[1:]", "ONNX_CATEGORIES, ONNX_FAMILIES")
    prov.declared("modalities", "entries[].metadata.tags[0]", "ONNX_DOMAINS")
    prov.declared("formats", "entries[].model_path, opset_version, metadata.model_bytes")
    prov.declared("tags", "entries[].metadata.tags")
    prov.derived("lineage", "onnx-quantized-name-suffix", "entries[].model")
    return prov


_PROVENANCE = _provenance()  # the same for every entry of the manifest


def _tags(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    tags: dict[str, None] = {}
    for entry in entries:
        listed = _metadata(entry).get("tags")
        for tag in listed if isinstance(listed, list) else ():
            if isinstance(tag, str) and tag.strip():
                tags[tag.strip()] = None
    return list(tags)


def map_tags(tags: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Tasks, modalities and unmapped values of a model's manifest tags.

    The first tag is the domain (a modality), the second the category (a task, or none
    for mixed categories), the rest model families; a family listed in
    `ONNX_FAMILIES` replaces the category's task. A domain or category missing from its
    table is unmapped, and so is a mixed category when no family gives the task.
    """
    domain = terms.map_terms(tags[:1], aliases.ONNX_DOMAINS)
    category = terms.map_terms(tags[1:2], aliases.ONNX_CATEGORIES)
    families = [t for t in tags[2:] if terms.term_key(t) in aliases.ONNX_FAMILIES]
    tasks = category.targets
    unmapped = [f"modality:{v}" for v in domain.unmapped]
    unmapped += [f"task:{v}" for v in category.unmapped]
    if families:
        tasks = terms.map_terms(families, aliases.ONNX_FAMILIES).targets
    elif len(tags) > 1 and not category.unmapped and not tasks:
        unmapped.append(f"task:{tags[1]}")
    return tasks, domain.targets, tuple(unmapped)


def _metadata(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = entry.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _variant(entry: Mapping[str, Any]) -> dict[str, Any]:
    metadata = _metadata(entry)
    variant: dict[str, Any] = {
        "opset": _int(entry.get("opset_version")),
        "onnx_version": _version(entry.get("onnx_version")),
        "path": _str(entry.get("model_path")),
        "bytes": _int(metadata.get("model_bytes")),
        "sha256": _str(metadata.get("model_sha")),
        "io_ports": metadata.get("io_ports")
        if isinstance(metadata.get("io_ports"), dict)
        else None,
    }
    if isinstance(metadata.get("extra_ports"), dict):
        variant["extra_ports"] = metadata["extra_ports"]
    if isinstance(metadata.get("model_with_data_path"), str):
        variant["with_data"] = {
            "path": metadata["model_with_data_path"],
            "sha256": _str(metadata.get("model_with_data_sha")),
            "bytes": _int(metadata.get("model_with_data_bytes")),
        }
    return variant


def _url(entries: Sequence[Mapping[str, Any]]) -> str | None:
    path = _str(entries[-1].get("model_path"))
    if not path or "/" not in path:
        return None
    folder = path.rsplit("/", 1)[0]
    # Model files sit in <family>/model/; the family folder has the README.
    if folder.rsplit("/", 1)[-1] in {"model", "models"} and "/" in folder:
        folder = folder.rsplit("/", 1)[0]
    return REPO_URL + folder


def _extra(entries: Sequence[Mapping[str, Any]], quantization: str | None) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "opsets": sorted({o for e in entries if (o := _int(e.get("opset_version"))) is not None})
    }
    if quantization:
        extra["quantization"] = quantization
    return extra


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _version(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _str(value)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
