"""Pure normalization of one Kaggle `ApiModel` (as `ListModels` returns it) into a record.

A Kaggle model has instances (variation x framework). Each instance becomes a variant
of the format its framework maps to (`harvesters.kaggle.aliases.KAGGLE_FRAMEWORKS`);
Transformers instances are `safetensors`/`pytorch` by their files when the payload
lists them. Base-model instance links and `externalBaseModelUrl` become lineage;
tfhub.dev links anywhere in the model keep the TF Hub counterpart in `extra`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from catalog import vocab
from catalog.provenance import Provenance
from catalog.records import (
    TEXT_LIMIT,
    FormatRecord,
    InvalidRecordError,
    LicenseRef,
    LineageRef,
    NormalizedModel,
    VersionRecord,
    validate_record,
)
from harvesters import terms
from harvesters.kaggle import aliases

PLATFORM = "kaggle"
SITE = "https://www.kaggle.com"
_TFHUB_LINK = re.compile(r"tfhub\.dev/([\w.\-]+(?:/[\w.\-]+)+)")
_TFHUB_PREFIXES = frozenset({"lite-model", "tfjs-model", "coral-model"})
_HF_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})
_HF_NOT_MODELS = frozenset(
    {"datasets", "spaces", "docs", "blog", "papers", "models", "collections", "organizations"}
)
# Variations that are quantizations of their base rather than fine-tunes.
_QUANTIZED = re.compile(
    r"(?:^|[-_.])(?:int[48]|q[2-8](?:_k)?(?:_[msl])?|quantized|awq|gptq|fp8)(?:$|[-_.])"
)

Instance = Mapping[str, Any]


def model_ref(model: object) -> str | None:
    """`owner/slug` of a model: its `ref`, else `author/slug`; None when neither is there."""
    if not isinstance(model, Mapping):
        return None
    ref = model.get("ref")
    if isinstance(ref, str) and ref.strip("/ ").count("/") == 1:
        return ref.strip("/ ")
    author, slug = model.get("author"), model.get("slug")
    if isinstance(author, str) and isinstance(slug, str) and author.strip() and slug.strip():
        return f"{author.strip()}/{slug.strip()}"
    return None


def normalize_model(model: Mapping[str, Any]) -> NormalizedModel:
    """Turn one `ApiModel` payload into a record.

    Raises:
        InvalidRecordError: the payload names no model (`ref` or `author`/`slug`).
    """
    ref = model_ref(model)
    if ref is None:
        raise InvalidRecordError("Kaggle model has no ref (owner/slug)")
    listed = model.get("instances")
    instances = [i for i in listed if isinstance(i, Mapping)] if isinstance(listed, list) else []
    formats, framework_tags, format_unmapped = _formats(instances)
    tag_names = _tag_names(model.get("tags"))
    tasks = terms.map_terms(tag_names, aliases.KAGGLE_TASKS)
    modality_tags = [t for t in tag_names if terms.term_key(t) in aliases.KAGGLE_MODALITY_TAGS]
    modalities = terms.map_terms(modality_tags, aliases.KAGGLE_MODALITY_TAGS).targets
    task_unmapped = [f"task:{t}" for t in tasks.unmapped if t not in modality_tags]
    license_ref, license_unmapped = _license(instances)
    owner = ref.split("/", 1)[0]
    author = _str(model.get("author"))
    record = NormalizedModel(
        platform=PLATFORM,
        external_id=ref,
        name=_str(model.get("title")) or ref.split("/", 1)[1],
        author=owner,
        author_name=author if author and author != owner else None,
        url=_url(model.get("url"), f"{SITE}/models/{ref}"),
        summary=_str(model.get("subtitle")),
        description=(_str(model.get("description")) or "")[:TEXT_LIMIT] or None,
        license=license_ref,
        library=_library(instances),
        tasks=tasks.targets,
        modalities=modalities,
        formats=formats,
        tags=tuple(dict.fromkeys([*tag_names, *framework_tags])),
        unmapped=(*task_unmapped, *format_unmapped, *license_unmapped),
        likes=_count(model.get("voteCount")),
        created_at=_time(model.get("publishTime")),
        last_modified=_time(model.get("updateTime")),
        lineage=_lineage(ref, instances),
        versions=tuple(_version(i) for i in instances),
        extra=_extra(model, instances),
    )
    record = _provenance(model).attach(record)
    validate_record(record)
    return record


def _provenance(model: Mapping[str, Any]) -> Provenance:
    prov = Provenance()
    prov.declared("name", "title" if _str(model.get("title")) else "ref")
    prov.declared("author", "ref" if _str(model.get("ref")) else "author")
    prov.declared("author_name", "author")
    if _str(model.get("url")):
        prov.declared("url", "url")
    else:
        prov.curated("url", "kaggle-model-page")
    prov.declared("summary", "subtitle")
    prov.declared("description", "description")
    prov.declared("license", "instances[].licenseName (most common)", "KAGGLE_LICENSES")
    prov.derived("library", "library-of-instance-frameworks", "instances[].framework")
    prov.declared("tasks", "tags[].name", "KAGGLE_TASKS")
    prov.declared("modalities", "tags[].name", "KAGGLE_MODALITY_TAGS")
    prov.declared("formats", "instances[].framework", "KAGGLE_FRAMEWORKS")
    prov.declared("tags", "tags[].name, instances[].framework")
    prov.declared("likes", "voteCount")
    prov.declared("created_at", "publishTime")
    prov.declared("last_modified", "updateTime")
    prov.declared("lineage", "instances[].baseModelInstanceInformation, externalBaseModelUrl")
    prov.declared("versions", "instances[].versionNumber")
    return prov


def _formats(
    instances: Sequence[Instance],
) -> tuple[tuple[FormatRecord, ...], list[str], tuple[str, ...]]:
    variants: dict[str, list[dict[str, Any]]] = {}
    tags: list[str] = []
    unmapped: dict[str, None] = {}
    for instance in instances:
        key = aliases.kaggle_framework_key(instance.get("framework"))
        slugs = aliases.KAGGLE_FRAMEWORKS.get(key, ())
        if key == aliases.KAGGLE_TRANSFORMERS:
            slugs = _formats_of_files(instance.get("files"))
        if not slugs:
            tags.append(f"framework:{key or 'unspecified'}")
            if key != aliases.KAGGLE_TRANSFORMERS:
                unmapped[f"framework:{_raw_framework(instance)}"] = None
        detail = aliases.KAGGLE_FRAMEWORK_DETAIL.get(key, {})
        for slug in slugs:
            variants.setdefault(slug, []).append({**_variant(instance), **detail})
    order = [f.slug for f in vocab.FORMATS]
    formats = tuple(
        FormatRecord(
            slug,
            tuple(variants[slug]),
            total_bytes=_total(variants[slug]),
        )
        for slug in sorted(variants, key=order.index)
    )
    return formats, tags, tuple(unmapped)


def _formats_of_files(files: object) -> tuple[str, ...]:
    if not isinstance(files, list):
        return ()
    found: dict[str, None] = {}
    for item in files:
        name = item.get("name") if isinstance(item, Mapping) else item
        if isinstance(name, str):
            found.update(
                dict.fromkeys(
                    f for f in vocab.formats_of_file(name) if f in {"safetensors", "pytorch"}
                )
            )
    return tuple(found)


def _raw_framework(instance: Instance) -> str:
    value = instance.get("framework")
    return str(value) if value not in (None, "") else "unspecified"


def _variant(instance: Instance) -> dict[str, Any]:
    variant: dict[str, Any] = {
        "framework": _raw_framework(instance),
        "instance": _str(instance.get("slug")),
        "version": _count(instance.get("versionNumber")),
        "license": _str(instance.get("licenseName")),
        "fine_tunable": instance.get("fineTunable")
        if isinstance(instance.get("fineTunable"), bool)
        else None,
        "url": _str(instance.get("url")),
    }
    size = _count(instance.get("totalUncompressedBytes"))
    if size:
        variant["bytes"] = size
    return variant


def _total(variants: Sequence[Mapping[str, Any]]) -> int | None:
    sizes = [v.get("bytes") for v in variants]
    return (
        sum(s for s in sizes if isinstance(s, int))
        if all(isinstance(s, int) for s in sizes)
        else None
    )


def _tag_names(tags: object) -> list[str]:
    if not isinstance(tags, list):
        return []
    names: dict[str, None] = {}
    for tag in tags:
        name = tag if isinstance(tag, str) else None
        if isinstance(tag, Mapping):
            name = _str(tag.get("name")) or _str(tag.get("ref"))
        if name and name.strip():
            names[name.strip()] = None
    return list(names)


def _license(instances: Sequence[Instance]) -> tuple[LicenseRef | None, tuple[str, ...]]:
    """The most common instance license (first seen on ties), and unmapped names."""
    names = [n for i in instances if (n := _str(i.get("licenseName")))]
    if not names:
        return None, ()
    counts = Counter(names)
    value = max(names, key=lambda n: (counts[n], -names.index(n)))
    slug = aliases.KAGGLE_LICENSES.get(terms.license_key(value))
    info = vocab.LICENSE_BY_SLUG.get(slug) if slug else vocab.canonical_license(value)
    unmapped = tuple(
        f"license:{n}"
        for n in dict.fromkeys(names)
        if terms.license_key(n) not in aliases.KAGGLE_LICENSES and not vocab.canonical_license(n)
    )
    if info is None:
        return LicenseRef(terms.license_key(value), value), unmapped
    return LicenseRef(info.slug, info.name, info.url, info.spdx_id), unmapped


def _library(instances: Sequence[Instance]) -> str | None:
    keys = {aliases.kaggle_framework_key(i.get("framework")) for i in instances}
    libraries = {
        aliases.KAGGLE_FRAMEWORK_LIBRARIES[k]
        for k in keys
        if k in aliases.KAGGLE_FRAMEWORK_LIBRARIES
    }
    return libraries.pop() if len(libraries) == 1 else None


def _lineage(ref: str, instances: Sequence[Instance]) -> tuple[LineageRef, ...]:
    found: dict[LineageRef, None] = {}
    for instance in instances:
        relation = _relation(instance)
        base = instance.get("baseModelInstanceInformation")
        if isinstance(base, Mapping):
            parent = _base_ref(base)
            if parent and parent != ref:
                found[LineageRef(PLATFORM, parent, relation)] = None
        hf_id = huggingface_model_id(instance.get("externalBaseModelUrl"))
        if hf_id:
            found[LineageRef("huggingface", hf_id, relation)] = None
    return tuple(found)


def _relation(instance: Instance) -> str:
    key = aliases.kaggle_framework_key(instance.get("framework"))
    slug = str(instance.get("slug") or "").lower()
    return "quantized" if key in {"gguf", "ggml"} or _QUANTIZED.search(slug) else "finetune"


def _base_ref(base: Mapping[str, Any]) -> str | None:
    owner = base.get("owner")
    owner_slug = owner.get("slug") if isinstance(owner, Mapping) else None
    model_slug = base.get("modelSlug")
    if isinstance(owner_slug, str) and owner_slug and isinstance(model_slug, str) and model_slug:
        return f"{owner_slug}/{model_slug}"
    return None


def huggingface_model_id(url: object) -> str | None:
    """The Hugging Face model id a URL names (`https://huggingface.co/org/name/...`), if any."""
    if not isinstance(url, str) or not url.strip():
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme not in {"http", "https"} or parsed.hostname not in _HF_HOSTS:
        return None
    parts = [p for p in parsed.path.split("/") if p]
    if not parts or parts[0] in _HF_NOT_MODELS:
        return None
    if len(parts) >= 2 and parts[1] not in {"tree", "blob", "resolve", "discussions", "commit"}:
        return f"{parts[0]}/{parts[1]}"
    return parts[0]


def tfhub_handles(model: Mapping[str, Any], instances: Sequence[Instance]) -> list[str]:
    """TF Hub model handles (without version) linked from the model or its instances."""
    texts = [model.get("description"), model.get("provenanceSources"), model.get("subtitle")]
    for instance in instances:
        texts += [instance.get(k) for k in ("overview", "usage", "url", "sourceUrl", "downloadUrl")]
    handles: dict[str, None] = {}
    for text in texts:
        if isinstance(text, str):
            for link in _TFHUB_LINK.findall(text):
                handle = _tfhub_handle(link)
                if handle:
                    handles[handle] = None
    return list(handles)


def _tfhub_handle(link: str) -> str | None:
    parts = [p for p in link.rstrip(".").split("/") if p]  # a link may end a sentence
    if len(parts) > 2 and parts[1] in _TFHUB_PREFIXES:
        parts.pop(1)
    for index in range(1, len(parts)):
        if parts[index].isdigit():  # the version: the handle ends before it
            parts = parts[:index]
            break
    return "/".join(parts) if len(parts) >= 2 and parts[1] != "collections" else None


def _version(instance: Instance) -> VersionRecord:
    key = aliases.kaggle_framework_key(instance.get("framework")) or "unspecified"
    number = _count(instance.get("versionNumber"))
    detail = {
        "framework": _raw_framework(instance),
        "instance_id": _count(instance.get("id")),
        "version_id": _count(instance.get("versionId")),
    }
    return VersionRecord(f"{key}/{_str(instance.get('slug')) or '-'}/{number or 0}", detail=detail)


def _extra(model: Mapping[str, Any], instances: Sequence[Instance]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    handles = tfhub_handles(model, instances)
    if handles:
        extra["tfhub_handles"] = handles
    tunable = [i["fineTunable"] for i in instances if isinstance(i.get("fineTunable"), bool)]
    if tunable:
        extra["fine_tunable"] = any(tunable)
    external = [
        url
        for i in instances
        if (url := _str(i.get("externalBaseModelUrl"))) and not huggingface_model_id(url)
    ]
    if external:
        extra["external_base_models"] = list(dict.fromkeys(external))
    if model.get("isPrivate") is True:
        extra["private"] = True
    provenance = _str(model.get("provenanceSources"))
    if provenance:
        extra["provenance"] = provenance
    return extra


def _url(value: object, default: str) -> str:
    url = _str(value)
    if url and url.startswith(("https://", "http://")):
        return url
    if url and url.startswith("/"):
        return SITE + url
    return default


def _time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _str(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
