"""Report data: plain frozen dataclasses that the renderers turn into text.

A report is built once from GraphQL answers (`api.reports.build`) and rendered in any
format; the JSON format is these dataclasses as they are (`as_dict`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Meta:
    """Where and when a report was made.

    Attributes:
        title: Heading of the report.
        generated_at: ISO timestamp (UTC) of generation.
        source: What was queried: "local catalog" or the GraphQL endpoint URL.
        selection: The filters that chose the models, as label -> value, for display.
    """

    title: str
    generated_at: str
    source: str
    selection: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ModelColumn:
    """A model as a column of the comparison table."""

    ref: str
    name: str
    platform: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class CompareRow:
    """One attribute across the compared models; `values` follow `CompareReport.models`."""

    attribute: str
    label: str
    values: tuple[str | None, ...]
    differs: bool


@dataclass(frozen=True, slots=True)
class CompareReport:
    """Side-by-side comparison: attributes as rows, models as columns."""

    meta: Meta
    models: tuple[ModelColumn, ...]
    rows: tuple[CompareRow, ...]
    kind: str = "compare"


@dataclass(frozen=True, slots=True)
class Bucket:
    """A value with its display label and how many models have it."""

    value: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class LandscapeModel:
    """One of the top models of a landscape report."""

    rank: int
    ref: str
    name: str
    platform: str
    author: str | None
    url: str | None
    parameters: float | None
    downloads: int | None
    likes: int | None
    license: str | None
    formats: tuple[str, ...]
    uses: tuple[str, ...] = ()
    memory_bytes: float | None = None
    effective_license: str | None = None


@dataclass(frozen=True, slots=True)
class Point:
    """One observation of a model's downloads."""

    at: str
    downloads: int


@dataclass(frozen=True, slots=True)
class Series:
    """The download history of one model (oldest first)."""

    ref: str
    name: str
    platform: str
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class LandscapeReport:
    """The top models of a task (or other selection) across platforms.

    Attributes:
        meta: Title, time, source and the selection.
        total: How many models match the selection (not only the top ones).
        models: The top models by downloads, best first.
        platforms: Platform mix of the whole selection.
        licenses: License mix of the whole selection (the most common licenses).
        formats: Format mix of the whole selection.
        history: Download history of the top models that have any.
        other_licenses: Models of the selection under a license not in `licenses`.
        without_license: Models of the selection that state no license.
    """

    meta: Meta
    total: int
    models: tuple[LandscapeModel, ...]
    platforms: tuple[Bucket, ...] = ()
    licenses: tuple[Bucket, ...] = ()
    formats: tuple[Bucket, ...] = ()
    history: tuple[Series, ...] = ()
    other_licenses: int = 0
    without_license: int = 0
    kind: str = "landscape"

    def license_mix(self) -> tuple[Bucket, ...]:
        """Every model of the selection once: the licenses, then the rest (shares add to 100%).

        The rest are display rows, not license values ("other" is itself a Hugging Face
        license), so their values are empty.
        """
        rest = (
            Bucket("", "other licenses", self.other_licenses),
            Bucket("", "no license stated", self.without_license),
        )
        return self.licenses + tuple(b for b in rest if b.count)


@dataclass(frozen=True, slots=True)
class Matrix:
    """A counts matrix: how many models have each (row value, column value) pair.

    Attributes:
        key: Stable identifier, e.g. "platform-format".
        title: Display heading.
        row_field: What the rows are ("platform", "task", ...).
        column_field: What the columns are.
        rows: Row values with their totals (models with that value).
        columns: Column values with their totals.
        counts: counts[i][j] for rows[i] and columns[j].
    """

    key: str
    title: str
    row_field: str
    column_field: str
    rows: tuple[Bucket, ...]
    columns: tuple[Bucket, ...]
    counts: tuple[tuple[int, ...], ...]

    def is_empty(self) -> bool:
        """True when no cell counts any model."""
        return not any(any(row) for row in self.counts)


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """Which platforms offer which formats, modalities and tasks."""

    meta: Meta
    total: int
    matrices: tuple[Matrix, ...] = field(default=())
    kind: str = "coverage"


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    """A release of the family: its parameters and how many models each hub has."""

    slug: str
    name: str
    parameters: float | None
    models: int
    per_hub: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class HubTop:
    """The most downloaded models of the family on one hub."""

    platform: str
    label: str
    models: tuple[LandscapeModel, ...]


@dataclass(frozen=True, slots=True)
class FamilyReport:
    """One family across hubs.

    Attributes:
        meta: Title, time, source and the selection.
        slug: The family.
        name: Its display name.
        path: Slugs from the root down to it.
        family_kind: architecture, line or release.
        total: Live models of the family (sub-families included).
        children: Sub-families with their model counts.
        hubs: The hubs that publish it, with their model counts.
        hub_formats: Hubs x formats.
        releases: Releases x hubs, with parameters.
        lineage: Hubs x relations (fine-tunes, adapters, quantizations, merges).
        top: The most downloaded models of each hub.
    """

    meta: Meta
    slug: str
    name: str
    path: tuple[str, ...]
    family_kind: str
    total: int
    children: tuple[Bucket, ...]
    hubs: tuple[Bucket, ...]
    hub_formats: Matrix
    releases: tuple[ReleaseRow, ...]
    lineage: Matrix
    top: tuple[HubTop, ...]
    kind: str = "family"


Report = CompareReport | LandscapeReport | CoverageReport | FamilyReport


def as_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data (`kind` first, tuples as lists)."""
    doc = dataclasses.asdict(report)
    doc["meta"]["selection"] = dict(report.meta.selection)
    return {"kind": doc.pop("kind"), **doc}
