"""Side-by-side comparison: attributes as rows, models as columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy.orm import Session

from catalog.queries import derived, detail
from catalog.queries.derived import DerivedRow
from catalog.queries.detail import ModelRow
from catalog.queries.errors import QueryError

MAX_COMPARED = 50


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One attribute across the compared models; `differs` when the values are not all equal."""

    attribute: str
    label: str
    values: list[str | None]
    differs: bool


@dataclass(frozen=True, slots=True)
class ComparisonTable:
    """Compared model ids in the order asked, and one row per attribute."""

    model_ids: list[int]
    rows: list[ComparisonRow]


@dataclass(frozen=True, slots=True)
class ComparisonReads:
    """What a comparison reads: model ids by ref, and by model id the rows, every list
    attribute and the derived values. `sql_reads` reads each from PostgreSQL; the API
    passes readers that keep them per index snapshot (`api.loaders`)."""

    ids_by_refs: Callable[[Sequence[str]], dict[str, int]]
    rows: Callable[[Sequence[int]], dict[int, ModelRow]]
    details: Callable[[Sequence[int]], dict[int, detail.ModelDetail]]
    derived: Callable[[Sequence[int]], dict[int, DerivedRow]]


def sql_reads(session: Session) -> ComparisonReads:
    """Readers that read every time, through `session`."""
    return ComparisonReads(
        ids_by_refs=partial(detail.ids_by_refs, session),
        rows=partial(detail.models_by_ids, session),
        details=partial(detail.details_by_ids, session),
        derived=partial(derived.derived_by_ids, session),
    )


def resolve_compared(
    session: Session,
    ids: Sequence[int],
    refs: Sequence[str],
    reads: ComparisonReads | None = None,
) -> list[int]:
    """Model ids of the ids and refs to compare, in the order given, without repeats.

    Raises:
        QueryError: nothing to compare, too many models, or unknown ids/refs (all listed).
    """
    if not ids and not refs:
        raise QueryError("compare needs ids or refs")
    if len(ids) + len(refs) > MAX_COMPARED:
        raise QueryError(f"compare takes at most {MAX_COMPARED} models")
    read = reads or sql_reads(session)
    by_ref = read.ids_by_refs(refs) if refs else {}
    known = read.rows(ids) if ids else {}
    unknown = [str(i) for i in ids if i not in known] + [r for r in refs if r not in by_ref]
    if unknown:
        raise QueryError(f"unknown models: {', '.join(unknown)}")
    ordered = [*ids, *(by_ref[r] for r in refs)]
    return list(dict.fromkeys(ordered))


def _join(values: Sequence[str]) -> str | None:
    return ", ".join(values) if values else None


def _number(value: float | None) -> str | None:
    return None if value is None else str(value)


def _detail(details: dict[int, detail.ModelDetail], row: ModelRow) -> detail.ModelDetail:
    return details.get(row.id) or detail.ModelDetail({}, [], [])


# Fields whose provenance the comparison shows (the rest is in `Model.provenance`).
PROVENANCE_FIELDS = ("license", "tasks", "formats", "parameters", "baseModels")


def _flag(value: bool | None) -> str | None:
    return None if value is None else str(value).lower()


def _derived_attributes(
    found: dict[int, DerivedRow],
) -> list[tuple[str, str, Callable[[ModelRow], str | None]]]:
    """Rows of the derived layer: usage, memory (weights only), licenses, provenance."""

    def of(m: ModelRow) -> DerivedRow | None:
        row = found.get(m.id)
        return row if row is not None and row.derived else None

    def usage(name: str) -> Callable[[ModelRow], str | None]:
        return lambda m: _flag(d.usage[name].value) if (d := of(m)) else None

    def effective(m: ModelRow) -> str | None:
        d = of(m)
        if d is None:
            return None
        return f"{', '.join(d.effective_licenses) or 'none stated'} ({d.effective_class})"

    def sources(m: ModelRow) -> str | None:
        d = found.get(m.id)
        shown = [s for s in (d.provenance if d else []) if s.field in PROVENANCE_FIELDS]
        return "; ".join(f"{s.field} <- {s.path or s.rule}" for s in shown) or None

    return [
        ("featureExtraction", "Feature extraction", usage("feature-extraction")),
        ("fineTuning", "Fine-tuning", usage("fine-tuning")),
        ("zeroShot", "Zero-/few-shot", usage("zero-shot")),
        (
            "memory",
            "Memory (weights only)",
            lambda m: _number(d.memory_bytes) if (d := of(m)) else None,
        ),
        (
            "licenseClass",
            "License class",
            lambda m: d.license_class if (d := found.get(m.id)) else None,
        ),
        ("effectiveLicense", "Effective license", effective),
        (
            "licenseConflict",
            "License conflict",
            lambda m: _flag(d.license_conflict) if (d := of(m)) else None,
        ),
        ("provenance", "Provenance", sources),
    ]


def build_comparison(
    session: Session, model_ids: Sequence[int], reads: ComparisonReads | None = None
) -> ComparisonTable:
    """The comparison table of known model ids (a fixed number of statements, or none
    for what `reads` kept)."""
    read = reads or sql_reads(session)
    rows = read.rows(model_ids)
    # The page-of-models statement serves here too: every list attribute in one query.
    details = read.details(model_ids)

    def terms_of(field: str) -> Callable[[ModelRow], str | None]:
        return lambda m: _join([t.slug for t in _detail(details, m).terms.get(field, [])])

    def formats_of(m: ModelRow) -> str | None:
        return _join([f.slug for f in _detail(details, m).formats])

    def parents_of(m: ModelRow) -> str | None:
        edges = _detail(details, m).parents
        return _join(
            [f"{platform}:{external} ({relation})" for _, platform, external, relation in edges]
        )

    attributes: list[tuple[str, str, Callable[[ModelRow], str | None]]] = [
        ("platform", "Platform", lambda m: m.platform),
        ("tasks", "Tasks", terms_of("task")),
        ("modalities", "Modalities", terms_of("modality")),
        ("formats", "Formats", formats_of),
        ("parameters", "Parameters", lambda m: _number(m.parameters)),
        ("license", "License", lambda m: m.license),
        ("library", "Library", lambda m: m.library),
        ("downloads", "Downloads", lambda m: _number(m.downloads)),
        ("likes", "Likes", lambda m: _number(m.likes)),
        ("created", "Created", lambda m: m.created_at.isoformat() if m.created_at else None),
        (
            "lastModified",
            "Last modified",
            lambda m: m.last_modified.isoformat() if m.last_modified else None,
        ),
        ("languages", "Languages", terms_of("language")),
        ("datasets", "Datasets", terms_of("dataset")),
        ("baseModels", "Base models", parents_of),
    ]
    attributes += _derived_attributes(read.derived(model_ids))
    table_rows = []
    for attribute, label, value_of in attributes:
        values = [value_of(rows[mid]) for mid in model_ids]
        table_rows.append(ComparisonRow(attribute, label, values, len(set(values)) > 1))
    return ComparisonTable(list(model_ids), table_rows)
