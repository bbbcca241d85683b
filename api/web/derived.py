"""What the model page shows of the derived layer: what the model is good for (with the
evidence), what its weights take, which licenses bind it, and where every field's value
came from. Built in the worker from `catalog.queries.derived` rows (plain, picklable)."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.types.derived import EffectiveLicense, MemoryFootprint, memory_of
from catalog.derive.licenses import CLASS_BY_SLUG
from catalog.derive.usage import USAGE_NAMES, USAGES, Evidence
from catalog.queries.derived import DerivedRow, SourceRow
from catalog.queries.detail import ModelDetail, ModelRow

# Fields of the derived layer (API names, as in provenance).
DERIVED_FIELDS = (
    "featureExtraction",
    "fineTuning",
    "zeroShot",
    "memory",
    "licenseClass",
    "effectiveLicense",
)
# The model's fields in the order the page shows them.
FIELD_ORDER = (
    "name",
    "author",
    "url",
    "summary",
    "description",
    "license",
    "library",
    "tasks",
    "modalities",
    "formats",
    "parameters",
    "downloads",
    "downloadsAllTime",
    "likes",
    "createdAt",
    "lastModified",
    "gated",
    "languages",
    "datasets",
    "tags",
    "baseModels",
    *DERIVED_FIELDS,
)
NOT_RECORDED = "not recorded"
STRENGTHS = {3: "the hub states it", 2: "a strong sign", 1: "a weak sign"}


@dataclass(frozen=True, slots=True)
class UsageView:
    """One usage: true, false or None (unknown), the rule that decided and all evidence,
    strongest first."""

    usage: str
    label: str
    value: bool | None
    decided_by: str | None
    evidence: list[Evidence]


@dataclass(frozen=True, slots=True)
class DerivedView:
    """The derived layer of one model as the page shows it.

    Attributes:
        derived: False until `catalog derive` has seen the model (then only the
            provenance of its declared fields is known).
        memory: The smallest variant's weights and every format/variant with a known or
            estimated size, smallest first (weights only; None: unknown).
        license: Declared (the term of depth 0) and inherited licenses, their class, and
            conflicts, as GraphQL's `effectiveLicense` (None until derived).
        license_class: Class of the declared license (None without one).
        provenance: Every field with a value and its sources, in page order; a field with
            a value whose source the hub's normalizer did not record says so.
    """

    derived: bool
    usage: list[UsageView]
    memory: MemoryFootprint | None
    license: EffectiveLicense | None
    license_class: str | None
    provenance: list[SourceRow] = field(default_factory=list)


def derived_view(row: ModelRow, extra: ModelDetail, found: DerivedRow | None) -> DerivedView:
    """The page's view of a model's derived row (None: the model was never derived)."""
    derived = found is not None and found.derived
    usage = [
        UsageView(
            u,
            USAGE_NAMES[u],
            found.usage[u].value if found and derived else None,
            found.usage[u].decided_by if found and derived else None,
            sorted(found.usage[u].evidence, key=lambda e: -e.strength) if found else [],
        )
        for u in USAGES
    ]
    return DerivedView(
        derived=derived,
        usage=usage,
        memory=memory_of(found) if found else None,
        license=EffectiveLicense.from_row(found) if found and derived else None,
        license_class=found.license_class if found else None,
        provenance=_provenance(row, extra, found.provenance if found else []),
    )


def class_name(slug: str | None) -> str:
    """A license class for reading: `restricted-custom` -> "Restricted (custom terms)"."""
    known = CLASS_BY_SLUG.get(slug or "")
    return known.name if known else "—"


def _valued(row: ModelRow, extra: ModelDetail) -> set[str]:
    """The page's declared fields that have a value."""
    terms = {
        "tasks": "task",
        "modalities": "modality",
        "languages": "language",
        "datasets": "dataset",
        "tags": "tag",
    }
    found = {name for name, kind in terms.items() if extra.terms.get(kind)}
    scalars = {
        "name": row.name,
        "author": row.author,
        "url": row.url,
        "summary": row.summary,
        "description": row.description,
        "license": row.license,
        "library": row.library,
        "parameters": row.parameters,
        "downloads": row.downloads,
        "downloadsAllTime": row.downloads_all_time,
        "likes": row.likes,
        "createdAt": row.created_at,
        "lastModified": row.last_modified,
        "gated": row.gated,
        "formats": extra.formats,
        "baseModels": extra.parents,
    }
    return found | {name for name, value in scalars.items() if value not in (None, "", [])}


def _provenance(row: ModelRow, extra: ModelDetail, sources: list[SourceRow]) -> list[SourceRow]:
    """Sources in page order; fields with a value and no source get a "not recorded" row."""
    noted = {s.field for s in sources}
    missing = [SourceRow(name, NOT_RECORDED, None, None) for name in _valued(row, extra) - noted]
    rank = {name: i for i, name in enumerate(FIELD_ORDER)}
    return sorted([*sources, *missing], key=lambda s: rank.get(s.field, len(rank)))
