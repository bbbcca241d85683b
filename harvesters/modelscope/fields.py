"""Pure readers of ModelScope payload fields: values, times, formats, lineage, license.

A payload is `{"listing": <item of the OpenAPI listing>, "detail": <legacy detail Data>}`
(either may be missing). `first` returns the first usable value and the path it came
from (`detail.ChineseName`), which becomes the field's provenance.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlparse

from catalog import vocab
from catalog.records import BIGINT_MAX, FormatRecord, LicenseRef
from harvesters import terms
from harvesters.modelscope import aliases

T = TypeVar("T")
Payload = Mapping[str, Any]

_HF_LINK = re.compile(r"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/[^\s)\]>\"'`,]+")
_HF_NOT_MODELS = frozenset(
    {"datasets", "spaces", "docs", "blog", "papers", "models", "collections", "organizations"}
)
# Dates before the hub existed are sentinels (`-62135596800` is Go's zero time).
_EPOCH_FLOOR = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_MS_THRESHOLD = 100_000_000_000  # a Unix time above this is in milliseconds


def first(
    payload: Payload, paths: Iterable[str], accept: Callable[[object], T | None]
) -> tuple[T | None, str | None]:
    """The first value at `paths` (`section.key`) that `accept` turns into a value."""
    for path in paths:
        section, _, key = path.partition(".")
        part = payload.get(section)
        if isinstance(part, Mapping):
            value = accept(part.get(key))
            if value is not None:
                return value, path
    return None, None


def text(value: object) -> str | None:
    """A non-empty string, stripped."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def count(value: object) -> int | None:
    """A non-negative integer that fits a BIGINT (digits in a string count too)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= BIGINT_MAX else None


def strings(value: object) -> list[str]:
    """The non-empty strings of a list (a lone string counts as a list of one)."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return list(dict.fromkeys(s.strip() for s in items if isinstance(s, str) and s.strip()))


def timestamp(value: object) -> dt.datetime | None:
    """Unix seconds (or milliseconds) or an ISO 8601 string, as aware UTC; sentinels -> None."""
    parsed: dt.datetime | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > _MS_THRESHOLD else value
        try:
            parsed = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str) and value.strip():
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        parsed = parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return parsed if parsed is not None and parsed >= _EPOCH_FLOOR else None


def task_entries(value: object) -> list[tuple[str, str | None]]:
    """`(name, domain)` of each task: objects `{Name, DomainName}` or bare names."""
    if not isinstance(value, list):
        return []
    found: dict[str, str | None] = {}
    for item in value:
        if isinstance(item, Mapping):
            name, domain = text(item.get("Name") or item.get("name")), text(item.get("DomainName"))
        else:
            name, domain = text(item), None
        if name and name.strip("/"):
            found.setdefault(name, domain)
    return list(found.items())


def formats(
    named: Sequence[str], infos: object
) -> tuple[tuple[FormatRecord, ...], set[str], int | None]:
    """Formats from `ModelInfos` file lists and the format-like `Libraries` values.

    Returns:
        The formats; which sources gave them (`infos`, `libraries`, `inferred`: only
        the PyTorch framework was named); the parameter count `ModelInfos` states
        (`model_size`), if any.
    """
    files: dict[str, list[int | None]] = {}
    tensor_types: dict[str, list[str]] = {}
    sources: set[str] = set()
    parameters = None
    for key, info in infos.items() if isinstance(infos, Mapping) else ():
        slug = aliases.MODELSCOPE_MODEL_INFOS.get(terms.term_key(str(key)))
        if slug is None or not isinstance(info, Mapping):
            continue
        parameters = parameters or count(info.get("model_size")) or None  # 0: not stated
        tensor_types.setdefault(slug, []).extend(strings(info.get("tensor_type")))
        listed = info.get("files")
        for item in listed if isinstance(listed, list) else ():
            name = text(item.get("name")) if isinstance(item, Mapping) else None
            size = count(item.get("size")) if isinstance(item, Mapping) else None
            for found in (vocab.formats_of_file(name) if name else ()) or (slug,):
                files.setdefault(found, []).append(size)
                sources.add("infos")
    for value in named:
        for slug in aliases.MODELSCOPE_LIBRARIES.get(terms.term_key(value), ((), None))[0]:
            files.setdefault(slug, [])
            sources.add("libraries")
    if not files and any(terms.term_key(v) in {"pytorch", "torch"} for v in named):
        files["pytorch"] = []
        sources.add("inferred")
    order = [f.slug for f in vocab.FORMATS]
    records = tuple(
        FormatRecord(
            slug,
            ({"tensor_types": tensor_types[slug]},) if tensor_types.get(slug) else (),
            file_count=len(sizes) or None,
            total_bytes=sum(s for s in sizes if s is not None)
            if sizes and all(s is not None for s in sizes)
            else None,
        )
        for slug, sizes in sorted(files.items(), key=lambda item: order.index(item[0]))
    )
    return records, sources, parameters


def library(named: Sequence[str]) -> tuple[str | None, list[str]]:
    """The most specific library named, and the values no table knows."""
    found: set[str] = set()
    unknown: list[str] = []
    for value in named:
        entry = aliases.MODELSCOPE_LIBRARIES.get(terms.term_key(value))
        if entry is None:
            unknown.append(value)
        elif entry[1]:
            found.add(entry[1])
    chosen = next((lib for lib in aliases.LIBRARY_PRIORITY if lib in found), None)
    return chosen, unknown


def license_ref(value: str) -> tuple[LicenseRef, bool]:
    """The license a ModelScope string names; False when it is kept as a custom one."""
    slug = aliases.MODELSCOPE_LICENSES.get(terms.license_key(value))
    info = vocab.LICENSE_BY_SLUG.get(slug) if slug else vocab.canonical_license(value)
    if info is None:
        return LicenseRef(terms.license_key(value), value), False
    return LicenseRef(info.slug, info.name, info.url, info.spdx_id), True


def huggingface_id(url: str) -> str | None:
    """The Hugging Face model id a URL names (`https://huggingface.co/org/name/...`)."""
    parsed = urlparse(url.strip().rstrip(".,;:"))
    if parsed.scheme not in {"http", "https"} or parsed.hostname not in {
        "huggingface.co",
        "www.huggingface.co",
        "hf.co",
    }:
        return None
    parts = [p for p in parsed.path.split("/") if p]
    if len(parts) < 2 or parts[0] in _HF_NOT_MODELS:
        return None
    return f"{parts[0]}/{parts[1]}"


def huggingface_links(texts: Iterable[str]) -> list[str]:
    """Hugging Face model ids linked from `texts`, in order, without repeats."""
    found: dict[str, None] = {}
    for body in texts:
        for link in _HF_LINK.findall(body):
            model = huggingface_id(link)
            if model:
                found[model] = None
    return list(found)


def modelscope_ref(value: str) -> str | None:
    """`owner/name` of a ModelScope base model as `BaseModel` states it (`owner/name@rev`)."""
    ref = value.strip().split("@", 1)[0].strip("/ ")
    parts = ref.split("/")
    if len(parts) != 2 or not all(p.strip() for p in parts) or ":" in ref or " " in ref:
        return None
    return ref
