"""The normalized-record contract between harvesters and the catalog.

A harvester's `normalize` turns one raw payload into one `NormalizedModel`; the loader
writes it. Every field but the identity is optional: hubs leave things out. Slugs of
tasks, modalities, formats and relations must be canonical (`catalog.vocab`);
`validate_record` checks that. Values a hub uses that map to nothing canonical go to
`unmapped` (and are kept as tags), so the run report can count them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog import vocab
from catalog.models.lineage import RELATIONS


class InvalidRecordError(ValueError):
    """A payload that cannot become a model; the message is the quarantine reason."""


@dataclass(frozen=True, slots=True)
class LicenseRef:
    """A license as a model states it: a canonical slug, or a custom one kept by name.

    Attributes:
        slug: Canonical license slug (see `catalog.vocab.LICENSES`) or the hub's own
            key for a custom license (lower-case).
        name: Display name (custom licenses keep the hub's wording).
        url: Link to the license text, where known.
        spdx_id: The SPDX identifier when the license is one.
    """

    slug: str
    name: str
    url: str | None = None
    spdx_id: str | None = None


@dataclass(frozen=True, slots=True)
class FormatRecord:
    """A format a model is available in.

    Attributes:
        slug: Canonical format slug (`catalog.vocab.FORMAT_SLUGS`).
        variants: Variant detail, one mapping per variant (e.g. `{"quantization":
            "Q4_K_M", "file": "model.Q4_K_M.gguf"}` or `{"opset": 12}`).
        file_count: Number of files of this format, where known.
        total_bytes: Their total size in bytes, where known.
    """

    slug: str
    variants: tuple[Mapping[str, Any], ...] = ()
    file_count: int | None = None
    total_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class LineageRef:
    """This model derives from another (which may not be in the catalog yet)."""

    platform: str
    external_id: str
    relation: str


PROVENANCE_SOURCES = ("declared", "derived", "curated")


@dataclass(frozen=True, slots=True)
class FieldSource:
    """Where a normalized field's value came from.

    Attributes:
        field: The `NormalizedModel` field (`license`, `tasks`, `lineage`, ...).
        source: `declared` (the hub states it), `derived` (a rule computed it from other
            values) or `curated` (the catalog's own knowledge of the hub, e.g. a
            hub-wide default).
        path: For `declared` (and a derivation's input): the hub field, e.g.
            `cardData.license`, `tags[license:mit]`, `pipeline_tag`.
        rule: For `derived` and `curated`: the rule's name; for `declared`, the alias
            table that mapped the hub's value, if any.
    """

    field: str
    source: str
    path: str | None = None
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """A published version of a model."""

    version: str
    created_at: dt.datetime | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NormalizedModel:
    """One model of one hub, normalized onto the canonical vocabularies.

    Attributes:
        platform: Platform slug (`huggingface`, `tfhub`, ...).
        external_id: The hub's own id; unique per platform.
        name: Display name.
        author: Author/publisher slug on that platform.
        author_name: Display name of the author, where the hub gives one.
        tasks: Canonical task slugs.
        modalities: Modalities stated by the hub beyond those its tasks imply.
        formats: Formats with their variants.
        tags: Free tags, including hub vocabulary that mapped to nothing.
        unmapped: Hub values that matched no canonical task/format/license.
        lineage: Parents of this model.
        nsfw: Whether the hub flags the model not safe for work (None: it does not
            say). Search hides flagged models unless a filter asks for them.
        versions: Versions, where the hub has them.
        extra: Hub-specific attributes kept as they are (JSON-serializable).
        provenance: Where each field with a value came from (optional: a hub that
            fills nothing still loads; see `catalog.provenance`).
    """

    platform: str
    external_id: str
    name: str
    author: str | None = None
    author_name: str | None = None
    url: str | None = None
    summary: str | None = None
    description: str | None = None
    license: LicenseRef | None = None
    library: str | None = None
    tasks: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    formats: tuple[FormatRecord, ...] = ()
    languages: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    unmapped: tuple[str, ...] = ()
    parameters: int | None = None
    downloads: int | None = None
    downloads_all_time: int | None = None
    likes: int | None = None
    trending_score: float | None = None
    created_at: dt.datetime | None = None
    last_modified: dt.datetime | None = None
    gated: str | None = None
    nsfw: bool | None = None
    lineage: tuple[LineageRef, ...] = ()
    versions: tuple[VersionRecord, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    provenance: tuple[FieldSource, ...] = ()

    def all_modalities(self) -> tuple[str, ...]:
        """Modalities of the tasks plus the ones stated directly, without repeats."""
        seen = dict.fromkeys(vocab.TASK_MODALITY[t] for t in self.tasks)
        seen.update(dict.fromkeys(self.modalities))
        return tuple(seen)


BIGINT_MAX = 2**63 - 1
TEXT_LIMIT = 100_000  # characters kept of a description; the raw payload keeps the rest


def validate_record(record: NormalizedModel, platforms: Collection[str] | None = None) -> None:
    """Check a record against the canonical vocabularies and column limits.

    Args:
        record: The record to check.
        platforms: The registered platform slugs (rows of `platforms`), which the
            record's platform and its lineage must name. None (a pure normalizer that
            cannot know them): any well-formed slug passes; the loader checks again.

    Raises:
        InvalidRecordError: with a reason fit for the quarantine.
    """
    if not record.external_id or not record.external_id.strip():
        raise InvalidRecordError("empty external_id")
    if not record.name:
        raise InvalidRecordError("empty name")
    bad = [t for t in record.tasks if t not in vocab.TASK_MODALITY]
    if bad:
        raise InvalidRecordError(f"unknown task slugs {bad}")
    bad = [m for m in record.modalities if m not in vocab.MODALITIES]
    if bad:
        raise InvalidRecordError(f"unknown modality slugs {bad}")
    bad = [f.slug for f in record.formats if f.slug not in vocab.FORMAT_SLUGS]
    if bad:
        raise InvalidRecordError(f"unknown format slugs {bad}")
    bad = [ref.relation for ref in record.lineage if ref.relation not in RELATIONS]
    if bad:
        raise InvalidRecordError(f"unknown lineage relations {bad}")
    named = [record.platform, *(ref.platform for ref in record.lineage)]
    bad = [
        slug
        for slug in named
        if not vocab.is_platform_slug(slug) or (platforms is not None and slug not in platforms)
    ]
    if bad:
        raise InvalidRecordError(f"unknown platform slugs {bad}")
    if record.description is not None and len(record.description) > TEXT_LIMIT:
        raise InvalidRecordError(
            f"description of {len(record.description):,} characters exceeds {TEXT_LIMIT:,}"
        )
    _check_text(record)
    _check_provenance(record)
    for name in ("parameters", "downloads", "downloads_all_time", "likes"):
        value = getattr(record, name)
        if value is not None and not 0 <= value <= BIGINT_MAX:
            raise InvalidRecordError(f"{name} out of range: {value}")


def _check_provenance(record: NormalizedModel) -> None:
    for source in record.provenance:
        if source.field not in NormalizedModel.__dataclass_fields__:
            raise InvalidRecordError(f"provenance names an unknown field {source.field!r}")
        if source.source not in PROVENANCE_SOURCES:
            raise InvalidRecordError(f"unknown provenance source {source.source!r}")
        if source.source == "declared" and not source.path:
            raise InvalidRecordError(f"declared provenance of {source.field} has no path")
        if source.source != "declared" and not source.rule:
            raise InvalidRecordError(f"{source.source} provenance of {source.field} has no rule")


def _check_text(record: NormalizedModel) -> None:
    """PostgreSQL text takes neither NUL nor lone surrogates (they are not UTF-8)."""
    fields: dict[str, list[str]] = {
        "tags": list(record.tags),
        "languages": list(record.languages),
        "datasets": list(record.datasets),
        "lineage": [ref.external_id for ref in record.lineage],
    }
    for name in (
        "external_id",
        "name",
        "author",
        "author_name",
        "url",
        "summary",
        "description",
        "library",
        "gated",
    ):
        value = getattr(record, name)
        if value is not None:
            fields[name] = [value]
    if record.license:
        fields["license"] = [record.license.slug, record.license.name, record.license.url or ""]
    for name, values in fields.items():
        for value in values:
            if "\x00" in value:
                raise InvalidRecordError(f"{name} contains a NUL character")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InvalidRecordError(f"{name} is not valid Unicode ({exc.reason})") from exc
