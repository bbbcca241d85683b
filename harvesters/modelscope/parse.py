"""Pure normalization of one ModelScope model into a record.

The payload pairs the item of the OpenAPI listing (`listing`, snake_case) with the
legacy detail (`detail`, the PascalCase DTO the website's search also returns) when the
harvester fetched it; each field is read from the detail first, then from the listing.
The English repository name is the record's name; the Chinese display name leads the
summary, so full-text search finds a model by either (see docs/harvesters.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog.provenance import Provenance
from catalog.records import (
    TEXT_LIMIT,
    InvalidRecordError,
    LineageRef,
    NormalizedModel,
    validate_record,
)
from harvesters import terms
from harvesters.modelscope import aliases
from harvesters.modelscope.fields import (
    Payload,
    count,
    first,
    formats,
    huggingface_id,
    huggingface_links,
    library,
    license_ref,
    modelscope_ref,
    strings,
    task_entries,
    text,
    timestamp,
)

PLATFORM = "modelscope"
SITE = "https://modelscope.cn"


def model_id(payload: object) -> str | None:
    """`owner/name` of a payload: the listing's `id`, else `Path` + `Name`; None if neither."""
    if not isinstance(payload, Mapping):
        return None
    listed, _ = first(payload, ("listing.id", "listing.Id"), text)
    if listed and listed.count("/") == 1 and all(listed.split("/")):
        return listed
    owner, _ = first(payload, ("detail.Path", "listing.Path", "listing.owner"), text)
    name, _ = first(payload, ("detail.Name", "listing.Name", "listing.name"), text)
    if owner and name and "/" not in owner + name:
        return f"{owner}/{name}"
    return None


def normalize_model(payload: object) -> NormalizedModel:
    """Turn one `{"listing", "detail"}` payload into a record.

    Raises:
        InvalidRecordError: the payload names no model (`owner/name`), or a value breaks
            the record contract.
    """
    if not isinstance(payload, Mapping):
        raise InvalidRecordError("ModelScope payload is not a JSON object")
    ref = model_id(payload)
    if ref is None:
        raise InvalidRecordError("ModelScope model has no id (owner/name)")
    prov = Provenance()
    values: dict[str, Any] = {"platform": PLATFORM, "external_id": ref}
    values.update(_identity(payload, ref, prov))
    values.update(_counts(payload, prov))
    values.update(_vocabulary(payload, prov))
    values.update(_lineage(payload, ref, values["name"], values["tags"], prov))
    values["unmapped"] = (*values["unmapped"], *values.pop("relation_unmapped"))
    values["extra"] = _extra(payload, values.pop("chinese_name"), values.pop("mirror_of"))
    record = NormalizedModel(**values)
    record = prov.attach(record)
    validate_record(record)
    return record


def _identity(payload: Payload, ref: str, prov: Provenance) -> dict[str, Any]:
    owner, name_part = ref.split("/")
    name, path = first(payload, ("detail.Name", "listing.Name", "listing.name"), text)
    prov.declared("name", path or "listing.id")
    name = name or name_part
    prov.declared("author", "listing.id" if payload.get("listing") else "detail.Path")
    org = _detail(payload).get("Organization")
    full = text(org.get("FullName")) if isinstance(org, Mapping) else None
    prov.declared("author_name", "detail.Organization.FullName")
    chinese, chinese_path = first(
        payload,
        (
            "detail.ChineseName",
            "listing.ChineseName",
            "listing.chinese_name",
            "listing.display_name",
        ),
        text,
    )
    if chinese and chinese.casefold() == name.casefold():
        chinese = None
    described, described_path = first(
        payload, ("detail.Description", "listing.description", "listing.Description"), text
    )
    readme, readme_path = first(payload, ("detail.ReadMeContent", "listing.readme"), text)
    for path in (chinese_path if chinese else None, described_path):
        if path:
            prov.declared("summary", path)
    if readme_path:
        prov.declared("description", readme_path)
    prov.curated("url", "modelscope-model-page")
    return {
        "name": name,
        "author": owner,
        "author_name": full if full and full != owner else None,
        "url": f"{SITE}/models/{ref}",
        "summary": _summary(chinese, described),
        "description": readme[:TEXT_LIMIT] if readme else None,
        "chinese_name": chinese,
    }


def _summary(chinese: str | None, described: str | None) -> str | None:
    """The Chinese display name, then the description (search reads the summary)."""
    if chinese and described and chinese not in described:
        return f"{chinese}: {described}"
    return described or chinese


def _counts(payload: Payload, prov: Provenance) -> dict[str, Any]:
    downloads, downloads_path = first(
        payload, ("detail.Downloads", "listing.downloads", "listing.Downloads"), count
    )
    likes, likes_path = first(
        payload,
        ("detail.Stars", "detail.Likes", "listing.likes", "listing.Stars", "listing.Likes"),
        count,
    )
    created, created_path = first(
        payload,
        ("detail.CreatedTime", "detail.CreatedAt", "listing.created_at", "listing.CreatedTime"),
        timestamp,
    )
    modified, modified_path = first(
        payload,
        (
            "detail.LastUpdatedTime",
            "detail.LastModified",
            "detail.UpdatedAt",
            "listing.last_modified",
            "listing.LastUpdatedTime",
        ),
        timestamp,
    )
    for field, path in (
        ("downloads_all_time", downloads_path),
        ("likes", likes_path),
        ("created_at", created_path),
        ("last_modified", modified_path),
    ):
        if path:
            prov.declared(field, path)
    # ModelScope's download counter is cumulative: `downloads` is the 30-day figure.
    return {
        "downloads_all_time": downloads,
        "likes": likes,
        "created_at": created,
        "last_modified": modified,
    }


def _vocabulary(payload: Payload, prov: Provenance) -> dict[str, Any]:
    tasks_value, tasks_path = first(
        payload, ("detail.Tasks", "listing.tasks", "listing.Tasks"), _list
    )
    entries = task_entries(tasks_value)
    mapped = terms.map_terms([n for n, _ in entries], aliases.MODELSCOPE_TASKS)
    domains = terms.map_terms([d for _, d in entries if d], aliases.MODELSCOPE_DOMAINS)
    if tasks_path:
        prov.declared("tasks", f"{tasks_path}[].Name", "MODELSCOPE_TASKS")
        prov.declared("modalities", f"{tasks_path}[].DomainName", "MODELSCOPE_DOMAINS")
    named = _named_libraries(payload, prov)
    lib, unknown_libraries = library(named)
    if lib:
        prov.derived("library", "most-specific-library", "detail.Libraries, detail.Frameworks")
    found, sources, parameters = formats(named, _detail(payload).get("ModelInfos"))
    if "infos" in sources:
        prov.declared("formats", "detail.ModelInfos", "MODELSCOPE_MODEL_INFOS")
    if "libraries" in sources:
        prov.declared("formats", "detail.Libraries, detail.Frameworks", "MODELSCOPE_LIBRARIES")
    if "inferred" in sources:
        prov.derived("formats", "pytorch-framework-without-weight-format", "detail.Frameworks")
    prov.declared("parameters", "detail.ModelInfos.*.model_size")
    license_value, license_path = first(
        payload, ("detail.License", "listing.license", "listing.License"), text
    )
    license_record, known = license_ref(license_value) if license_value else (None, True)
    if license_path:
        prov.declared("license", license_path, "MODELSCOPE_LICENSES")
    tags, tags_path = _tags(payload)
    if tags_path:
        prov.declared("tags", tags_path)
    if mapped.unmapped and tasks_path:
        prov.declared("tags", f"{tasks_path}[].Name (unmapped)")
    if unknown_libraries:
        prov.declared("tags", "detail.Libraries, detail.Frameworks (unmapped)")
    languages, languages_path = first(
        payload, ("detail.Language", "listing.Language", "listing.languages"), _languages
    )
    if languages_path:
        prov.declared("languages", languages_path)
    unmapped = [f"task:{t}" for t in mapped.unmapped]
    unmapped += [f"library:{v}" for v in unknown_libraries]
    unmapped += [] if known or license_value is None else [f"license:{license_value}"]
    return {
        "tasks": mapped.targets,
        "modalities": domains.targets,
        "library": lib,
        "formats": found,
        "parameters": parameters,
        "license": license_record,
        "languages": tuple(languages or ()),
        "tags": tuple(
            dict.fromkeys([*tags, *mapped.unmapped, *(f"library:{v}" for v in unknown_libraries)])
        ),
        "unmapped": tuple(dict.fromkeys(unmapped)),
    }


def _named_libraries(payload: Payload, prov: Provenance) -> list[str]:
    named: list[str] = []
    for path in ("detail.Libraries", "detail.Frameworks", "listing.libraries", "listing.Libraries"):
        value, found = first(payload, (path,), _list)
        if found:
            named += strings(value)
    return list(dict.fromkeys(v.lower() for v in named))


def _tags(payload: Payload) -> tuple[list[str], str | None]:
    tags, path = first(payload, ("detail.Tags", "listing.tags", "listing.Tags"), _list)
    found = strings(tags)
    official = _detail(payload).get("OfficialTags")
    for item in official if isinstance(official, list) else ():
        tag = text(item.get("Tag")) if isinstance(item, Mapping) else None
        if tag:
            found.append(tag)
            path = f"{path}, detail.OfficialTags[].Tag" if path else "detail.OfficialTags[].Tag"
    return list(dict.fromkeys(found)), path


def _languages(value: object) -> list[str] | None:
    codes = [aliases.MODELSCOPE_LANGUAGES.get(c.lower(), c.lower()) for c in strings(value)]
    return list(dict.fromkeys(codes)) or None


def _lineage(
    payload: Payload, ref: str, name: str, tags: tuple[str, ...], prov: Provenance
) -> dict[str, Any]:
    """Parents from `BaseModel` (with `BaseModelRelation`) and Hugging Face mirror links."""
    bases, bases_path = first(payload, ("detail.BaseModel", "listing.BaseModel"), _list)
    stated, relation_path = first(
        payload, ("detail.BaseModelRelation", "listing.BaseModelRelation"), text
    )
    relation = aliases.MODELSCOPE_RELATIONS.get(terms.term_key(stated)) if stated else None
    unmapped = [f"relation:{stated}"] if stated and relation is None else []
    adapter = any(t.lower() == "lora" for t in tags) or text(_detail(payload).get("AigcType")) in {
        "LoRA",
        "lora",
    }
    if bases_path and relation is None:
        relation = "adapter" if adapter else "finetune"
        prov.derived("lineage", "lora-is-adapter" if adapter else "default-finetune")
    elif bases_path and relation_path:
        prov.declared("lineage", relation_path, "MODELSCOPE_RELATIONS")
    found: dict[LineageRef, None] = {}
    for base in strings(bases):
        hf = huggingface_id(base)
        parent = LineageRef("huggingface", hf, relation or "finetune") if hf else None
        local = modelscope_ref(base) if parent is None else None
        if local and local != ref:
            parent = LineageRef(PLATFORM, local, relation or "finetune")
        if parent:
            found[parent] = None
    if found and bases_path:
        prov.declared("lineage", bases_path)
    texts = [
        t
        for t, _ in (
            first(payload, ("detail.Description", "listing.description"), text),
            first(payload, ("detail.ReadMeContent",), text),
        )
        if t
    ]
    mirror = next(
        (m for m in huggingface_links(texts) if m.split("/")[1].lower() == name.lower()), None
    )
    if mirror:
        # A copy of a Hugging Face repo: the contract has no same-release relation, so
        # the copy is a child of its original (`extra.mirror_of` says it is a mirror).
        found.setdefault(LineageRef("huggingface", mirror, "finetune"), None)
        prov.derived(
            "lineage", "huggingface-mirror-link", "detail.Description, detail.ReadMeContent"
        )
    return {
        "lineage": tuple(found),
        "relation_unmapped": tuple(unmapped),
        "mirror_of": f"huggingface:{mirror}" if mirror else None,
    }


def _extra(payload: Payload, chinese: str | None, mirror_of: str | None) -> dict[str, Any]:
    """Hub attributes kept as they are (the families layer reads `architectures`,
    `model_type`)."""
    detail = _detail(payload)
    listed = payload.get("listing")
    listing: Mapping[str, Any] = listed if isinstance(listed, Mapping) else {}
    extra: dict[str, Any] = {}
    for key, value in (
        ("chinese_name", chinese),
        ("mirror_of", mirror_of),
        ("modelscope_id", count(detail.get("Id"))),
        ("architectures", strings(detail.get("Architectures")) or None),
        ("model_types", strings(detail.get("ModelType")) or None),
        ("aigc_type", text(detail.get("AigcType"))),
        ("vision_foundation", text(detail.get("VisionFoundation"))),
        ("trigger_words", strings(detail.get("TriggerWords")) or None),
        ("base_models", strings(detail.get("BaseModel")) or None),
        ("model_source", text(detail.get("ModelSource"))),
    ):
        if value is not None:
            extra[key] = value
    types = extra.get("model_types")
    if isinstance(types, list) and len(types) == 1:
        extra["model_type"] = types[0]
    if detail.get("Visibility") == 1 or listing.get("private") is True:
        extra["private"] = True
    if listing.get("gated") is True:
        extra["gated"] = True
    return extra


def _detail(payload: Payload) -> Mapping[str, Any]:
    detail = payload.get("detail")
    return detail if isinstance(detail, Mapping) else {}


def _list(value: object) -> list[Any] | None:
    return value if isinstance(value, list) and value else None
