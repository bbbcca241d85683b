"""The derived layer of models in batches: usage, memory, licenses, provenance.

One statement for any number of models (what the API's `derived` DataLoader calls);
`provenance` merges what the hub normalizer recorded with the derived fields' rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog.derive.memory import Footprint
from catalog.derive.usage import USAGES, Evidence

_DERIVED = text(
    """
    SELECT m.id, ps.sources,
           CASE WHEN l.id IS NOT NULL THEN coalesce(lc.slug, 'unknown') END,
           d.model_id IS NOT NULL, d.feature_extraction,
           d.fine_tuning, d.zero_shot, d.memory_bytes, elc.slug, d.effective_licenses,
           d.license_conflict, d.commercial_use, d.evidence
    FROM unnest(CAST(:ids AS bigint[])) AS i(id)
    JOIN models m ON m.id = i.id
    LEFT JOIN provenance_sets ps ON ps.id = m.provenance_set_id
    LEFT JOIN licenses l ON l.id = m.license_id
    LEFT JOIN license_classes lc ON lc.id = l.license_class_id
    LEFT JOIN model_derivations d ON d.model_id = m.id
    LEFT JOIN license_classes elc ON elc.id = d.license_class_id
    """
)

# Record field -> the API's name for it.
_API_NAMES = {"lineage": "baseModels", "author_name": "author"}


@dataclass(frozen=True, slots=True)
class SourceRow:
    """Where one field's value came from (see `catalog.records.FieldSource`)."""

    field: str
    source: str
    path: str | None
    rule: str | None


@dataclass(frozen=True, slots=True)
class UsageRow:
    """A usage value (None: unknown), the rule that decided it and all evidence."""

    value: bool | None
    decided_by: str | None
    evidence: list[Evidence]


@dataclass(frozen=True, slots=True)
class DerivedRow:
    """What the catalog derived about one model, and its fields' provenance.

    Attributes:
        derived: False when the model has no derivation yet (run `catalog derive rebuild`).
        license_class: Class of the declared license.
        effective_class: Class of the effective license (declared + inherited).
    """

    model_id: int
    derived: bool
    usage: dict[str, UsageRow]
    memory_bytes: int | None
    footprints: list[Footprint]
    license_class: str | None
    effective_class: str | None
    effective_licenses: list[str]
    license_conflict: bool
    commercial_use: bool | None
    license_evidence: dict[str, Any]
    provenance: list[SourceRow] = field(default_factory=list)


def derived_by_ids(session: Session, ids: Sequence[int]) -> dict[int, DerivedRow]:
    """Derived facts and provenance of several models in one statement."""
    if not ids:
        return {}
    rows = session.connection().execute(_DERIVED, {"ids": sorted(set(ids))})
    return {row[0]: _row(tuple(row)) for row in rows}


def _row(columns: tuple[Any, ...]) -> DerivedRow:
    (
        model_id,
        provenance,
        declared_class,
        derived,
        fe,
        ft,
        zs,
        memory_bytes,
        effective_class,
        licenses,
        conflict,
        commercial,
        evidence,
    ) = columns
    evidence = evidence or {}
    items = [Evidence.from_json(e) for e in evidence.get("usage", [])]
    decided = evidence.get("decided_by", {})
    usage = {
        u: UsageRow(value, decided.get(u), [e for e in items if e.usage == u])
        for u, value in zip(USAGES, (fe, ft, zs), strict=True)
    }
    row = DerivedRow(
        model_id=model_id,
        derived=derived,
        usage=usage,
        memory_bytes=memory_bytes,
        footprints=[Footprint.from_json(f) for f in evidence.get("memory", [])],
        license_class=declared_class,
        effective_class=effective_class,
        effective_licenses=list(licenses or []),
        license_conflict=bool(conflict),
        commercial_use=commercial,
        license_evidence=evidence.get("license") or {},
    )
    row.provenance.extend(_declared_sources(provenance or []))
    row.provenance.extend(_derived_sources(row))
    return row


def _declared_sources(rows: list[list[str | None]]) -> list[SourceRow]:
    found = []
    for field_name, source, path, rule in rows:
        name = _API_NAMES.get(str(field_name)) or _camel(str(field_name))
        found.append(SourceRow(name, str(source), path, rule))
    return found


def _derived_sources(row: DerivedRow) -> list[SourceRow]:
    if not row.derived:
        return []
    found = [
        SourceRow(_camel(usage.replace("-", "_")), "derived", None, u.decided_by)
        for usage, u in row.usage.items()
        if u.value is not None
    ]
    if row.memory_bytes is not None:
        smallest = min(row.footprints, key=lambda f: f.bytes, default=None)
        rule = f"memory:{smallest.method}" if smallest else "memory"
        found.append(SourceRow("memory", "derived", "formats, parameters", rule))
    if row.license_class is not None:
        found.append(SourceRow("licenseClass", "derived", "license", "license-class-table"))
    found.append(
        SourceRow("effectiveLicense", "derived", "license, baseModels", "inherit-along-lineage")
    )
    return found


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
