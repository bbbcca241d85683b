"""Pure normalization of a grouped TF Hub payload (one model handle) into a record.

Module/Placeholder docs are the model's versions (the latest gives the metadata);
Lite, Tfjs and Coral deployments become `tflite`/`tfjs` formats of the model with
their variant, precision and accelerator. Placeholder docs (models published only as
deployments or elsewhere) are kept as models marked `placeholder` in `extra`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from catalog import vocab
from catalog.provenance import Provenance
from catalog.records import (
    TEXT_LIMIT,
    FormatRecord,
    InvalidRecordError,
    LicenseRef,
    NormalizedModel,
    VersionRecord,
    validate_record,
)
from harvesters import terms
from harvesters.tfhub import aliases
from harvesters.tfhub.docs import (
    DEPLOYMENT_TYPES,
    MODEL_TYPES,
    deployment_variant,
    parent_of,
    split_version,
)

PLATFORM = "tfhub"
SITE = "https://tfhub.dev/"
_FORMAT_ORDER = [f.slug for f in vocab.FORMATS]
_LIBRARY_OF_FORMAT = {"tensorflow": "tensorflow", "tflite": "tflite", "tfjs": "tensorflowjs"}

Doc = Mapping[str, Any]


def normalize_model(payload: Mapping[str, Any]) -> NormalizedModel:
    """Turn `{"handle", "publisher", "collections", "docs"}` into a record.

    Raises:
        InvalidRecordError: no handle, or no model or deployment doc.
    """
    handle = payload.get("handle")
    if not isinstance(handle, str) or "/" not in handle:
        raise InvalidRecordError(f"TF Hub payload has no model handle ({handle!r})")
    given = payload.get("docs")
    docs = [d for d in given if isinstance(d, Mapping)] if isinstance(given, list) else []
    main = sorted((d for d in docs if d.get("type") in MODEL_TYPES), key=_version_number)
    deployments = [d for d in docs if d.get("type") in DEPLOYMENT_TYPES]
    if not main and not deployments:
        raise InvalidRecordError(f"TF Hub model {handle} has no model or deployment doc")
    latest = main[-1] if main else None
    meta = _meta(latest) if latest else {}
    tasks, modalities, task_unmapped = map_tasks(
        [*meta.get("task", []), *meta.get("module-type", [])]
    )
    formats, format_unmapped = _formats(main, deployments)
    license_ref, license_assumed, license_unmapped = _license(meta.get("license", []))
    listed = payload.get("collections")
    collections = [c for c in listed if isinstance(c, str)] if isinstance(listed, list) else []
    raw_tasks = [*meta.get("task", []), *meta.get("module-type", [])]
    architectures = meta.get("network-architecture", [])
    unmapped = (*task_unmapped, *format_unmapped, *license_unmapped)
    publisher = payload.get("publisher") if isinstance(payload.get("publisher"), Mapping) else {}
    record = NormalizedModel(
        platform=PLATFORM,
        external_id=handle,
        name=handle.split("/", 1)[1],
        author=handle.split("/", 1)[0],
        author_name=_str(publisher.get("name")) if publisher else None,
        url=SITE + handle + (f"/{split_version(latest['handle'])[1]}" if latest else ""),
        summary=_summary(latest, deployments),
        description=_description(latest),
        license=license_ref,
        library=_LIBRARY_OF_FORMAT.get(formats[0].slug) if formats else None,
        tasks=tasks,
        modalities=modalities,
        formats=formats,
        languages=tuple(dict.fromkeys(v.lower() for v in meta.get("language", []))),
        datasets=tuple(meta.get("dataset", [])),
        tags=tuple(
            dict.fromkeys([*raw_tasks, *architectures, *(f"collection:{c}" for c in collections)])
        ),
        unmapped=unmapped,
        versions=tuple(_version(d) for d in main),
        extra=_extra(latest, meta, license_assumed, deployments_only=not main),
    )
    record = _provenance(meta, deployments, license_assumed).attach(record)
    validate_record(record)
    return record


_LATEST = "docs[latest].metadata"


def _provenance(
    meta: Mapping[str, list[str]], deployments: Sequence[Doc], license_assumed: bool
) -> Provenance:
    prov = Provenance()
    prov.declared("name", "handle")
    prov.declared("author", "handle")
    prov.declared("author_name", "publisher.name")
    prov.curated("url", "tfhub-model-page")
    prov.declared("summary", "docs[latest, else a deployment].summary")
    prov.declared("description", "docs[latest].body")
    if license_assumed:
        prov.curated("license", "tfhub-default-license")
    else:
        prov.declared("license", f"{_LATEST}.license", "TFHUB_LICENSES")
    prov.derived("library", "library-of-first-format", "formats")
    for key in ("task", "module-type"):
        if meta.get(key):
            prov.declared("tasks", f"{_LATEST}.{key}", "TFHUB_TASKS")
            prov.derived("modalities", "tfhub-task-domain", f"{_LATEST}.{key}")
    prov.declared("formats", "docs[].metadata.format", "TFHUB_FORMATS")
    if deployments:
        prov.declared("formats", "docs[Lite|Tfjs|Coral]", "TFHUB_DEPLOYMENTS")
    prov.declared("languages", f"{_LATEST}.language")
    prov.declared("datasets", f"{_LATEST}.dataset")
    prov.declared("tags", f"{_LATEST}.task, network-architecture; collections")
    prov.declared("versions", "docs[Module|Placeholder].handle")
    return prov


def map_tasks(values: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Canonical tasks, extra modalities and unmapped values of TF Hub task ids.

    The modality of a task id is its domain prefix (`image-`, `video-` -> vision,
    `text-` -> language, `audio-` -> audio); ids spanning domains are multimodal.
    """
    mapped = terms.map_terms(values, aliases.TFHUB_TASKS)
    implied = {vocab.TASK_MODALITY[t] for t in mapped.targets}
    modalities: dict[str, None] = {}
    for value in values:
        key = terms.term_key(value)
        modality = aliases.TFHUB_MODALITY_OVERRIDES.get(key) or aliases.TFHUB_DOMAINS.get(
            key.split("-", 1)[0]
        )
        if modality and modality not in implied:
            modalities[modality] = None
    return mapped.targets, tuple(modalities), tuple(f"task:{v}" for v in mapped.unmapped)


def _meta(doc: Doc) -> dict[str, list[str]]:
    metadata = doc.get("metadata")
    if not isinstance(metadata, Mapping):
        return {}
    return {
        str(k): [v for v in values if isinstance(v, str) and v.strip()]
        for k, values in metadata.items()
        if isinstance(values, list)
    }


def _version_number(doc: Doc) -> int:
    version = split_version(str(doc.get("handle", "")))[1]
    return int(version) if version else 0


def _formats(
    main: Sequence[Doc], deployments: Sequence[Doc]
) -> tuple[tuple[FormatRecord, ...], tuple[str, ...]]:
    variants: dict[str, list[dict[str, Any]]] = {}
    unmapped: dict[str, None] = {}
    for doc in main:
        meta = _meta(doc)
        for value in meta.get("format", []):
            mapped = terms.map_terms([value], aliases.TFHUB_FORMATS)
            unmapped.update(dict.fromkeys(f"format:{v}" for v in mapped.unmapped))
            for slug in mapped.targets:
                variants.setdefault(slug, []).append(_module_variant(doc, meta, value))
    for doc in deployments:
        slug, detail = aliases.TFHUB_DEPLOYMENTS[str(doc["type"])]
        variants.setdefault(slug, []).append({**_deployment_variant(doc), **detail})
    formats = tuple(
        FormatRecord(slug, tuple(variants[slug]), file_count=len(variants[slug]))
        for slug in sorted(variants, key=_FORMAT_ORDER.index)
    )
    return formats, tuple(unmapped)


def _module_variant(doc: Doc, meta: Mapping[str, list[str]], fmt: str) -> dict[str, Any]:
    variant: dict[str, Any] = {"version": split_version(str(doc["handle"]))[1], "format": fmt}
    fine_tunable = _bool(meta.get("fine-tunable"))
    if fine_tunable is not None:
        variant["fine_tunable"] = fine_tunable
    if meta.get("asset-path"):
        variant["asset_path"] = meta["asset-path"][0]
    return variant


def _deployment_variant(doc: Doc) -> dict[str, Any]:
    variant_path, version = deployment_variant(doc)
    parent = parent_of(doc)
    result: dict[str, Any] = {
        "type": doc["type"],
        "handle": doc["handle"],
        "parent_version": parent[1] if parent else None,
        "variant": variant_path,
        "version": version,
    }
    quantization = quantization_of(variant_path, str(doc["handle"]))
    if quantization:
        result["quantization"] = quantization
    asset = _meta(doc).get("asset-path")
    if asset:
        result["asset_path"] = asset[0]
    return result


def quantization_of(variant_path: str, handle: str) -> str | None:
    """The precision a deployment's handle names: `fp16` -> float16, `quantized/2` -> 2-byte.

    The variant path is read first, then the model name (`..._quantized/1/default/1`).
    """
    parts = variant_path.lower().split("/") if variant_path else []
    for index, part in enumerate(parts):
        if part == "quantized" and index + 1 < len(parts) and parts[index + 1].isdigit():
            return f"{parts[index + 1]}-byte"
        if part in aliases.TFHUB_QUANTIZATION:
            return aliases.TFHUB_QUANTIZATION[part]
    for token in handle.lower().replace("/", "_").split("_"):
        if token in aliases.TFHUB_QUANTIZATION:
            return aliases.TFHUB_QUANTIZATION[token]
    return None


def _license(values: Sequence[str]) -> tuple[LicenseRef, bool, tuple[str, ...]]:
    """The license, whether it was assumed (tfhub.dev's default), and unmapped values."""
    if not values:
        info = vocab.LICENSE_BY_SLUG[aliases.TFHUB_DEFAULT_LICENSE]
        return LicenseRef(info.slug, info.name, info.url, info.spdx_id), True, ()
    value = values[0]
    slug = aliases.TFHUB_LICENSES.get(terms.term_key(value))
    found = vocab.LICENSE_BY_SLUG.get(slug) if slug else vocab.canonical_license(value)
    if found is None:
        key = terms.license_key(value)
        return LicenseRef(key, value), False, (f"license:{value}",)
    return LicenseRef(found.slug, found.name, found.url, found.spdx_id), False, ()


def _version(doc: Doc) -> VersionRecord:
    meta = _meta(doc)
    detail: dict[str, Any] = {"type": doc.get("type")}
    if meta.get("format"):
        detail["format"] = meta["format"][0]
    fine_tunable = _bool(meta.get("fine-tunable"))
    if fine_tunable is not None:
        detail["fine_tunable"] = fine_tunable
    return VersionRecord(split_version(str(doc["handle"]))[1] or "", detail=detail)


def _summary(latest: Doc | None, deployments: Sequence[Doc]) -> str | None:
    for doc in [*([latest] if latest else []), *deployments]:
        summary = _str(doc.get("summary"))
        if summary:
            return summary
    return None


def _description(latest: Doc | None) -> str | None:
    body = _str(latest.get("body")) if latest else None
    return body[:TEXT_LIMIT] if body else None


def _extra(
    latest: Doc | None,
    meta: Mapping[str, list[str]],
    license_assumed: bool,
    *,
    deployments_only: bool,
) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    fine_tunable = _bool(meta.get("fine-tunable"))
    if fine_tunable is not None:
        extra["fine_tunable"] = fine_tunable
    if meta.get("network-architecture"):
        extra["network_architectures"] = list(meta["network-architecture"])
    if latest is not None and latest.get("type") == "Placeholder":
        extra["placeholder"] = True
    if deployments_only:
        extra["deployments_only"] = True
    if license_assumed:
        extra["license_assumed"] = True
    for key in ("colab", "interactive-visualizer", "demo"):
        if meta.get(key):
            extra[key.replace("-", "_")] = list(meta[key])
    return extra


def _bool(values: Sequence[str] | None) -> bool | None:
    if not values:
        return None
    return {"true": True, "false": False}.get(values[0].strip().lower())


def _str(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
