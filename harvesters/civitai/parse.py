"""Pure normalization of one Civitai model (as `GET /api/v1/models` lists it) into a record.

A model has versions; each names its base model (`baseModel`), which gives the model's
lineage (resolved through `base_models`), task and license. Files become formats
(`files`), the creator's permissions stay in `extra` (`licensing`), and so does every
Civitai-only fact a user may filter on: type, NSFW flag and level, ratings, trained
words. Payloads of every era of the API are read: 2023 items (string
`allowCommercialUse`, `favoriteCount`/`rating` stats, `modelId`/`updatedAt` on
versions, no `nsfwLevel`) as well as today's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.provenance import Provenance
from catalog.records import (
    TEXT_LIMIT,
    InvalidRecordError,
    LineageRef,
    NormalizedModel,
    VersionRecord,
    validate_record,
)
from harvesters.civitai import aliases, licensing
from harvesters.civitai.base_models import BaseModel, base_model
from harvesters.civitai.description import html_text, summary_of
from harvesters.civitai.files import formats_of
from harvesters.civitai.values import (
    count,
    key,
    model_id,
    number,
    present,
    text,
    timestamp,
)

PLATFORM = "civitai"
SITE = "https://civitai.com"
MAX_TRAINED_WORDS = 50
Version = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Base:
    """A base model a version names, and its table entry (None: unknown name)."""

    name: str
    entry: BaseModel | None


def normalize_model(model: object) -> NormalizedModel:
    """Turn one Civitai model payload into a record.

    Raises:
        InvalidRecordError: the payload is not an object or has no model id.
    """
    if not isinstance(model, Mapping):
        raise InvalidRecordError(f"Civitai model is a {type(model).__name__}, not an object")
    external_id = model_id(model.get("id"))
    if external_id is None:
        raise InvalidRecordError("Civitai model has no id (a non-negative integer)")
    versions = _newest_first(model.get("modelVersions"))
    type_name = text(model.get("type"))
    info = aliases.MODEL_TYPES.get(key(type_name))
    bases = _bases(versions)
    files = formats_of(versions)
    permissions, permission_tags, permission_unmapped = licensing.permissions(model)
    nsfw = nsfw_of(model)
    description = html_text(text(model.get("description")) or "")[:TEXT_LIMIT] or None
    creator = model.get("creator")
    times = [t for v in versions for t in _times(v)]
    listed_stats = model.get("stats")
    stats: Mapping[str, Any] = listed_stats if isinstance(listed_stats, Mapping) else {}
    record = NormalizedModel(
        platform=PLATFORM,
        external_id=external_id,
        name=text(model.get("name")) or f"Civitai model {external_id}",
        author=text(creator.get("username")) if isinstance(creator, Mapping) else None,
        url=f"{SITE}/models/{external_id}",
        summary=summary_of(description) if description else None,
        description=description,
        license=licensing.license_of(_license_base(bases)),
        library="diffusers" if files.diffusers else None,
        tasks=_tasks(info, bases),
        formats=files.formats,
        tags=_tags(model, type_name, bases, nsfw, [*files.tags, *permission_tags]),
        unmapped=_unmapped(type_name, info, bases, files.unmapped, permission_unmapped),
        downloads_all_time=count(stats.get("downloadCount")),
        likes=_likes(stats),
        created_at=min(times, default=None),
        last_modified=max(times, default=None),
        nsfw=nsfw,
        lineage=_lineage(external_id, model, info, bases),
        versions=tuple(_version(v) for v in versions),
        extra=_extra(model, bases, permissions=permissions, versions=versions),
    )
    record = _provenance(stats).attach(record)
    validate_record(record)
    return record


def nsfw_of(model: Mapping[str, Any]) -> bool:
    """Whether a model is NSFW: flagged so (`nsfw: true`), or rated (`nsfwLevel`) with
    no safe-for-work content at all (no PG or PG-13 bit).

    A model whose gallery merely includes mature images next to safe ones is not NSFW:
    Civitai lists it to safe-for-work browsing too.
    """
    if model.get("nsfw") is True:
        return True
    level = count(model.get("nsfwLevel"))
    return bool(level) and level is not None and not level & aliases.SAFE_LEVELS


def newest_time(model: Mapping[str, Any]) -> dt.datetime | None:
    """When the model's newest version was published (Civitai's `lastVersionAt`, the
    order of `sort=Newest`); None when no version says."""
    listed = model.get("modelVersions")
    versions = listed if isinstance(listed, list) else []
    return max((t for v in versions if (t := _published(v)) is not None), default=None)


def _newest_first(listed: object) -> list[Version]:
    """The versions, newest publication first (Civitai lists them so; versions without
    a date keep their place after the dated ones)."""
    versions = [v for v in listed if isinstance(v, Mapping)] if isinstance(listed, list) else []
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(versions, key=lambda v: _published(v) or oldest, reverse=True)


def _published(version: object) -> dt.datetime | None:
    if not isinstance(version, Mapping):
        return None
    return timestamp(version.get("publishedAt")) or timestamp(version.get("createdAt"))


def _times(version: Version) -> list[dt.datetime]:
    found = (timestamp(version.get(k)) for k in ("publishedAt", "createdAt", "updatedAt"))
    return [t for t in found if t is not None]


def _bases(versions: Sequence[Version]) -> list[Base]:
    names = dict.fromkeys(n for v in versions if (n := text(v.get("baseModel"))))
    return [Base(name, base_model(name)) for name in names]


def _license_base(bases: Sequence[Base]) -> BaseModel | None:
    """The base whose license the model carries: the newest version's, or the next
    newest one the table knows a license for."""
    return next((b.entry for b in bases if b.entry and b.entry.license), None)


def _tasks(info: aliases.TypeInfo | None, bases: Sequence[Base]) -> tuple[str, ...]:
    if info is None:
        return ()
    if info.task is not None:
        return (info.task,)
    if not info.generative:
        return ()
    return tuple(dict.fromkeys(b.entry.task for b in bases if b.entry and b.entry.task))


def _relation(model: Mapping[str, Any], info: aliases.TypeInfo | None) -> str | None:
    if info is None or info.relation is None:
        return None
    if info.relation == "finetune":
        stated = aliases.CHECKPOINT_RELATIONS.get(key(model.get("checkpointType")))
        return stated or info.relation
    return info.relation


def _lineage(
    external_id: str,
    model: Mapping[str, Any],
    info: aliases.TypeInfo | None,
    bases: Sequence[Base],
) -> tuple[LineageRef, ...]:
    relation = _relation(model, info)
    if relation is None:
        return ()
    refs: dict[LineageRef, None] = {}
    for base in bases:
        repo = base.entry.repo if base.entry else None
        if repo is None or repo == f"{PLATFORM}:{external_id}":
            continue
        platform, parent = repo.split(":", 1)
        refs[LineageRef(platform, parent, relation)] = None
    return tuple(refs)


def _tags(
    model: Mapping[str, Any],
    type_name: str | None,
    bases: Sequence[Base],
    nsfw: bool,
    more: Sequence[str],
) -> tuple[str, ...]:
    listed = model.get("tags")
    tags = [t for item in listed if (t := _tag(item))] if isinstance(listed, list) else []
    if type_name:
        tags.append(f"type:{key(type_name)}")
    tags += [f"base-model:{b.name}" for b in bases]
    if nsfw:
        tags.append("nsfw")
    return tuple(dict.fromkeys([*tags, *more]))


def _tag(item: object) -> str | None:
    """A tag as a string (today) or as `{"name": ...}` (older clients' shape)."""
    if isinstance(item, Mapping):
        return text(item.get("name"))
    return text(item)


def _unmapped(
    type_name: str | None,
    info: aliases.TypeInfo | None,
    bases: Sequence[Base],
    *more: Sequence[str],
) -> tuple[str, ...]:
    found = [f"type:{type_name}"] if type_name and info is None else []
    found += [f"base-model:{b.name}" for b in bases if b.entry is None]
    return tuple(dict.fromkeys([*found, *(v for values in more for v in values)]))


def _likes(stats: Mapping[str, Any]) -> int | None:
    """Thumbs up (2024 on); before them, favourites (2023, zeroed since)."""
    thumbs = count(stats.get("thumbsUpCount"))
    return thumbs if thumbs is not None else count(stats.get("favoriteCount"))


def _stats(stats: object) -> dict[str, Any]:
    if not isinstance(stats, Mapping):
        return {}
    found = {
        "downloads": count(stats.get("downloadCount")),
        "thumbs_up": count(stats.get("thumbsUpCount")),
        "thumbs_down": count(stats.get("thumbsDownCount")),
        "favorites": count(stats.get("favoriteCount")),
        "comments": count(stats.get("commentCount")),
        "rating": number(stats.get("rating")),
        "rating_count": count(stats.get("ratingCount")),
        "tipped": count(stats.get("tippedAmountCount")),
    }
    return present(found)


def _trained_words(version: Version) -> list[str]:
    words = version.get("trainedWords")
    if not isinstance(words, list):
        return []
    return list(dict.fromkeys(w for item in words if (w := text(item))))


def _version(version: Version) -> VersionRecord:
    version_id = model_id(version.get("id"))
    name = text(version.get("name"))
    label = f"{name} ({version_id})" if name and version_id else name or version_id or "-"
    detail = {
        "id": count(version.get("id")),
        "name": name,
        "base_model": text(version.get("baseModel")),
        "base_model_type": text(version.get("baseModelType")),
        "published_at": text(version.get("publishedAt")),
        "status": text(version.get("status")),
        "availability": text(version.get("availability")),
        "nsfw_level": count(version.get("nsfwLevel")),
        "trained_words": _trained_words(version) or None,
        "stats": _stats(version.get("stats")) or None,
        "download_url": text(version.get("downloadUrl")),
        "air": text(version.get("air")),
    }
    created = timestamp(version.get("createdAt")) or timestamp(version.get("publishedAt"))
    return VersionRecord(label, created, present(detail))


def _extra(
    model: Mapping[str, Any],
    bases: Sequence[Base],
    *,
    permissions: Mapping[str, Any],
    versions: Sequence[Version],
) -> dict[str, Any]:
    level = count(model.get("nsfwLevel"))
    words = list(dict.fromkeys(w for v in versions for w in _trained_words(v)))
    extra: dict[str, Any] = {
        "type": text(model.get("type")),
        "nsfw_flag": model.get("nsfw") if isinstance(model.get("nsfw"), bool) else None,
        "nsfw_level": level,
        "nsfw_levels": [n for bit, n in aliases.NSFW_LEVELS if level and level & bit] or None,
        "base_models": [b.name for b in bases] or None,
        "permissions": dict(permissions) or None,
        "stats": _stats(model.get("stats")) or None,
        "trained_words": words[:MAX_TRAINED_WORDS] or None,
        "mode": text(model.get("mode")),
        "availability": text(model.get("availability")),
        "checkpoint_type": text(model.get("checkpointType")),
    }
    for flag in ("poi", "minor", "sfwOnly", "supportsGeneration"):
        if isinstance(model.get(flag), bool):
            extra[_snake(flag)] = model[flag]
    return present(extra)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _provenance(stats: Mapping[str, Any]) -> Provenance:
    prov = Provenance()
    prov.declared("name", "name")
    prov.declared("author", "creator.username")
    prov.curated("url", "civitai-model-page")
    prov.declared("description", "description")
    prov.derived("summary", "first-paragraph-of-description", "description")
    prov.curated("license", "civitai-base-model-license")
    prov.declared("license", "modelVersions[].baseModel", "BASE_MODELS")
    prov.derived("library", "diffusers-file-format", "modelVersions[].files[].metadata.format")
    prov.declared("tasks", "type", "MODEL_TYPES")
    prov.declared("tasks", "modelVersions[].baseModel", "BASE_MODELS")
    prov.declared("formats", "modelVersions[].files[].metadata.format", "FILE_FORMATS")
    prov.declared("tags", "tags, type, modelVersions[].baseModel, allowCommercialUse")
    prov.declared("downloads_all_time", "stats.downloadCount")
    thumbs = count(stats.get("thumbsUpCount")) is not None
    prov.declared("likes", "stats.thumbsUpCount" if thumbs else "stats.favoriteCount")
    prov.declared("created_at", "modelVersions[].createdAt|publishedAt (earliest)")
    prov.declared("last_modified", "modelVersions[].publishedAt|updatedAt (newest)")
    prov.declared("lineage", "modelVersions[].baseModel", "BASE_MODELS")
    prov.derived("lineage", "civitai-type-relation", "type")
    prov.declared("versions", "modelVersions[]")
    prov.derived("nsfw", "civitai-nsfw-flag-or-unsafe-level", "nsfw, nsfwLevel")
    return prov
