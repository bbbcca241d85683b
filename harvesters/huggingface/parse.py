"""Pure normalization of a Hugging Face model payload into a `NormalizedModel`.

Tolerant like the Hub's own client: every field but `id` is optional; a key may be
absent, null, a string where a list is expected or a list where a string is. A field
whose value is of the wrong kind is left out and named in `extra["invalid_fields"]`;
only a payload without a usable id is refused (`InvalidRecordError`).

Tags: the Hub's tag list mixes free tags with values that have fields of their own.
Tags consumed into a field are not kept as tags: tasks (canonical pipeline tags),
format tags (`safetensors`, `tf`, `jax`, ...), languages, and the `license:`,
`dataset:`, `base_model:` and `region:` tags. Everything else stays a tag: `arxiv:` and
`doi:` ids, library names, `mlx`, and every value that maps to nothing canonical (an
unknown pipeline tag, license or lineage relation is also listed in `unmapped`, as
`task:<value>`, `license:<value>`, `relation:<value>`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from catalog.provenance import Provenance
from catalog.records import BIGINT_MAX, TEXT_LIMIT, InvalidRecordError, NormalizedModel
from harvesters.huggingface import fields, mapping
from harvesters.huggingface.text import as_str, clean, summarize

PLATFORM = "huggingface"
ID_LIMIT = 500  # Hub ids are at most ~200 characters; anything longer is not an id
SUMMARY_LIMIT = 300


def normalize_model(payload: Any) -> NormalizedModel:
    """Normalize one model payload of the Hub's model API (list or detail shape).

    Args:
        payload: The decoded JSON object for one model.

    Returns:
        The normalized record; it passes `catalog.records.validate_record`.

    Raises:
        InvalidRecordError: the payload is not an object or has no usable id.
    """
    if not isinstance(payload, dict):
        raise InvalidRecordError(f"payload is a {type(payload).__name__}, not an object")
    model_id = _model_id(payload)
    bad: set[str] = set()
    card = payload.get("cardData")
    if not isinstance(card, dict):
        if card is not None:
            bad.add("cardData")
        card = {}
    tags = fields.Tags.from_payload(payload, card, bad)
    prov = _identity_provenance(payload)
    summary, description = _description(payload, card, prov)
    values: dict[str, Any] = {
        "platform": PLATFORM,
        "external_id": model_id,
        "name": model_id.rsplit("/", 1)[-1],
        "author": as_str(payload.get("author"), fields.VALUE_LIMIT) or _id_author(model_id),
        "url": f"{mapping.PUBLIC_URL}/{model_id}",
        "summary": summary,
        "description": description,
        "license": fields.license_of(model_id, card, tags, prov),
        "library": fields.library_of(payload, card, bad, prov),
        "tasks": fields.tasks_of(payload, card, tags, bad, prov),
        "formats": fields.formats_of(payload, tags, bad, prov),
        "languages": fields.languages_of(card, tags, bad, prov),
        "datasets": fields.datasets_of(card, tags, prov),
        "lineage": fields.lineage_of(model_id, card, tags, bad, prov),
        "parameters": _parameters(payload, bad, prov),
        "downloads": _count(payload, "downloads", bad),
        "downloads_all_time": _count(payload, "downloadsAllTime", bad),
        "likes": _count(payload, "likes", bad),
        "trending_score": _score(payload, "trendingScore", bad),
        "created_at": _created_at(payload, bad),
        "last_modified": _timestamp(payload, "lastModified", bad),
        "gated": _gated(payload, bad),
        # Last: the extractors above mark what they consumed and what maps to nothing.
        "tags": tags.free(),
        "unmapped": tuple(tags.unmapped),
        "extra": _extra(payload, bad),
    }
    # Built once with its provenance: `dataclasses.replace` costs more than the notes.
    return NormalizedModel(**values, provenance=prov.sources(values))


# Payload keys read as they are, by record field.
_PLAIN_FIELDS = (
    ("downloads", "downloads"),
    ("downloads_all_time", "downloadsAllTime"),
    ("likes", "likes"),
    ("trending_score", "trendingScore"),
    ("created_at", "createdAt"),
    ("last_modified", "lastModified"),
    ("gated", "gated"),
)


def _template(id_key: str, author_key: str) -> Provenance:
    prov = Provenance()
    prov.declared("name", id_key)
    prov.declared("author", author_key)
    prov.curated("url", "huggingface-model-page")
    prov.declared("tags", "tags")
    for field, key in _PLAIN_FIELDS:
        prov.declared(field, key)
    return prov


# Notes every payload shares, by (id key, author key): copied, not rebuilt, per record.
_TEMPLATES = {
    (id_key, author): _template(id_key, author_key=author or id_key)
    for id_key in ("id", "modelId")
    for author in ("author", None)
}


def _identity_provenance(payload: Mapping[str, Any]) -> Provenance:
    id_key = "id" if payload.get("id") is not None else "modelId"
    author = "author" if as_str(payload.get("author")) else None
    return Provenance(_TEMPLATES[(id_key, author)])


def _model_id(payload: Mapping[str, Any]) -> str:
    raw = payload.get("id")
    if raw is None:
        raw = payload.get("modelId")
    if raw is None:
        raise InvalidRecordError("payload has no id")
    if not isinstance(raw, str):
        raise InvalidRecordError(f"id is a {type(raw).__name__}, not a string")
    model_id = raw.strip().strip("/")
    if not model_id:
        raise InvalidRecordError("id is blank")
    if len(model_id) > ID_LIMIT:
        raise InvalidRecordError(f"id of {len(model_id):,} characters is not a Hub id")
    if clean(model_id) != model_id:
        raise InvalidRecordError("id contains NUL or characters that are not valid Unicode")
    return model_id


def _id_author(model_id: str) -> str | None:
    return model_id.split("/", 1)[0] if "/" in model_id else None


def _description(
    payload: Mapping[str, Any], card: Mapping[str, Any], prov: Provenance
) -> tuple[str | None, str | None]:
    """A short summary and the description, where the payload carries one."""
    for path, raw in (
        ("description", payload.get("description")),
        ("cardData.description", card.get("description")),
        ("cardData.summary", card.get("summary")),
    ):
        text = clean(raw, TEXT_LIMIT)
        if text:
            prov.declared("description", path)
            prov.derived("summary", "first-paragraph", path)
            return clean(summarize(text, SUMMARY_LIMIT), SUMMARY_LIMIT), text
    return None, None


# -- numbers and dates -----------------------------------------------------------------


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value <= BIGINT_MAX:
        return value
    return None


def _count(payload: Mapping[str, Any], key: str, bad: set[str]) -> int | None:
    value = payload.get(key)
    if value is None:
        return None
    number = _int(value)
    if number is None:
        bad.add(key)
    return number


def _score(payload: Mapping[str, Any], key: str, bad: set[str]) -> float | None:
    value = payload.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value) if abs(value) < 1e300 else math.inf
        if math.isfinite(number):
            return number
    bad.add(key)
    return None


def _parameters(payload: Mapping[str, Any], bad: set[str], prov: Provenance) -> int | None:
    """`safetensors.total`, else `gguf.total` (the Hub reads both from the weights)."""
    for key in ("safetensors", "gguf"):
        section = payload.get(key)
        if isinstance(section, dict) and section.get("total") is not None:
            total = _int(section["total"])
            if total is not None:
                prov.declared("parameters", f"{key}.total")
                return total
            bad.add(f"{key}.total")
        elif section is not None and not isinstance(section, dict):
            bad.add(key)
    return None


def _timestamp(payload: Mapping[str, Any], key: str, bad: set[str]) -> dt.datetime | None:
    value = payload.get(key)
    if value is None:
        return None
    when = parse_timestamp(value)
    if when is None:
        bad.add(key)
    return when


def parse_timestamp(value: Any) -> dt.datetime | None:
    """An ISO 8601 string as an aware UTC datetime (naive means UTC); None if unreadable."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    try:
        return when.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


def _created_at(payload: Mapping[str, Any], bad: set[str]) -> dt.datetime | None:
    when = _timestamp(payload, "createdAt", bad)
    if (
        when is not None
        and mapping.PLACEHOLDER_CREATED_FROM <= when < mapping.PLACEHOLDER_CREATED_UNTIL
    ):
        return None  # the 2022 migration stamp: creation date unknown
    return when


def _gated(payload: Mapping[str, Any], bad: set[str]) -> str | None:
    value = payload.get("gated")
    if value is None or value is False:
        return None
    if value is True:
        return "auto"  # older payloads said `true` for what is now "auto"
    text = clean(value, 20)
    if text is not None and text.lower() not in {"false", "0", "no"}:
        return text.lower()
    if text is None:
        bad.add("gated")
    return None


# -- hub-specific attributes -------------------------------------------------------------


def _extra(payload: Mapping[str, Any], bad: set[str]) -> dict[str, Any]:
    """A small dict of Hub attributes worth keeping (JSON-serializable)."""
    extra: dict[str, Any] = {}
    sha = clean(payload.get("sha"), 64)
    if sha:
        extra["sha"] = sha
    for key in ("private", "disabled"):
        if payload.get(key) is True:
            extra[key] = True
    spaces = payload.get("spaces")
    if isinstance(spaces, list) and spaces:
        extra["spaces"] = len(spaces)
    storage = _int(payload.get("usedStorage"))
    if storage is not None:
        extra["used_storage"] = storage
    info = payload.get("transformersInfo")
    if isinstance(info, dict) and (auto := clean(info.get("auto_model"), 100)):
        extra["auto_model"] = auto
    extra.update(_config_extra(payload.get("config")))
    extra.update(_weights_extra(payload))
    redirected = clean(payload.get("redirectedFrom"), ID_LIMIT)
    if redirected:
        extra["redirected_from"] = redirected
    if bad:
        extra["invalid_fields"] = sorted(bad)
    return extra


def _config_extra(config: Any) -> dict[str, Any]:
    if not isinstance(config, dict):
        return {}
    out: dict[str, Any] = {}
    model_type = clean(config.get("model_type"), 100)
    if model_type:
        out["model_type"] = model_type
    architectures = [a for a in (clean(x, 100) for x in _list(config.get("architectures"))) if a]
    if architectures:
        out["architectures"] = architectures[:10]
    return out


def _weights_extra(payload: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    safetensors = payload.get("safetensors")
    if isinstance(safetensors, dict) and isinstance(safetensors.get("parameters"), dict):
        dtypes: dict[str, int] = {}
        for key, value in list(safetensors["parameters"].items())[:20]:
            name, number = clean(key, 20), _int(value)
            if name and number is not None:
                dtypes[name] = number
        if dtypes:
            out["parameters_by_dtype"] = dtypes
    gguf = payload.get("gguf")
    if isinstance(gguf, dict):
        arch = clean(gguf.get("architecture"), 100)
        context = _int(gguf.get("context_length"))
        if arch:
            out["gguf_architecture"] = arch
        if context is not None:
            out["context_length"] = context
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
