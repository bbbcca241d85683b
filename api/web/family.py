"""The family page's data: a family across hubs, through `catalog.queries` (the facet
index when it is built): its sub-families, hubs x formats, releases per hub and the
most downloaded models of each hub."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.web.search import ResultRow, result_rows
from catalog.queries import detail
from catalog.queries import families as fq
from catalog.queries.families import FamilyRow
from catalog.queries.filters import MAX_PAGE, ModelFilter, ModelQuery, SortKey
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import ModelSearch, search_models
from catalog.queries.stats import Pivot, PivotKey

TOP_PER_HUB = 5


@dataclass(frozen=True, slots=True)
class SubFamily:
    """A child of the family, with its live models (its own sub-families included)."""

    slug: str
    name: str
    kind: str
    models: int


@dataclass(frozen=True, slots=True)
class Matrix:
    """Counts of models per (row value, column value), with the totals of each."""

    rows: list[PivotKey]
    columns: list[PivotKey]
    cells: dict[str, dict[str, int]]


@dataclass(frozen=True, slots=True)
class HubTop:
    """The most downloaded models of the family on one hub."""

    platform: str
    label: str
    models: list[ResultRow]


@dataclass(frozen=True, slots=True)
class FamilyPage:
    """What the family page shows.

    Attributes:
        family: The family.
        path: The families from the root down to this one.
        total: Live models of the family, sub-families included.
        children: Sub-families, those with models first.
        hub_formats: Hubs x formats (a model in two formats counts in both columns).
        releases: Releases (at any depth below the family, or the family itself) x hubs.
        top: The most downloaded models of each hub.
        compare_refs: The family's models that line it up across hubs (no derivatives).
    """

    family: FamilyRow
    path: list[FamilyRow]
    total: int
    children: list[SubFamily]
    hub_formats: Matrix
    releases: Matrix
    top: list[HubTop]
    compare_refs: list[str]


def gather_family(session: Session, cache: FacetIndexCache | None, slug: str) -> FamilyPage | None:
    """Everything the page shows about family `slug`; None when there is no such family."""
    path = fq.families_with_ancestors(session, [slug])
    family = path.get(slug)
    if family is None:
        return None
    search = search_models(session, _query(slug), cache)
    hubs = search.pivot("platform", None).rows
    return FamilyPage(
        family=family,
        path=[path[s] for s in family.path if s in path],
        total=search.total(),
        children=_children(session, search, family),
        hub_formats=_matrix(
            search.pivot("platform", "format"), hubs, search.pivot("format", None).rows
        ),
        releases=_releases(session, search, family, hubs),
        top=[_top(session, cache, slug, hub) for hub in hubs],
        compare_refs=_compare_refs(session, slug) if search.total() > 1 else [],
    )


def _query(slug: str, *, platform: str | None = None, first: int = 0) -> ModelQuery:
    values: dict[str, tuple[str, ...]] = {"families": (slug,)}
    if platform is not None:
        values["platforms"] = (platform,)
    return ModelQuery(
        filter=ModelFilter(values=values), sort=(SortKey("downloads", True),), first=first
    )


def _children(session: Session, search: ModelSearch, family: FamilyRow) -> list[SubFamily]:
    rows = fq.children_by_parent(session, [family.id]).get(family.id, [])
    counts = search.counts_of("family", frozenset(r.id for r in rows))
    found = [SubFamily(r.slug, r.name, r.kind, counts.get(r.slug, 0)) for r in rows]
    return sorted(found, key=lambda c: (c.models == 0, -c.models, c.name.lower()))


def _matrix(pivot: Pivot, rows: list[PivotKey], columns: list[PivotKey]) -> Matrix:
    cells: dict[str, dict[str, int]] = {}
    for cell in pivot.cells:
        cells.setdefault(cell.row, {})[str(cell.column)] = cell.count
    return Matrix(rows, columns, cells)


def _releases(
    session: Session, search: ModelSearch, family: FamilyRow, hubs: list[PivotKey]
) -> Matrix:
    """Releases x hubs: the releases below the family (at any depth), or the family
    itself when it is a release."""
    if family.kind == "release":
        releases = [family]
    else:
        listed = fq.list_families(session, parent=family.slug, kind="release", first=MAX_PAGE)
        releases = listed.rows
    if not releases:
        return Matrix([], hubs, {})
    ids = frozenset(r.id for r in releases)
    pivot = search.pivot("family", "platform", levels={"family": ids})
    totals = search.pivot("family", None, levels={"family": ids})
    return _matrix(pivot, totals.rows, hubs)


def _top(session: Session, cache: FacetIndexCache | None, slug: str, hub: PivotKey) -> HubTop:
    search = search_models(session, _query(slug, platform=hub.value, first=TOP_PER_HUB), cache)
    return HubTop(hub.value, hub.label or hub.value, result_rows(session, search.page().ids))


def _compare_refs(session: Session, slug: str) -> list[str]:
    ids = fq.family_compare_ids(session, slug)
    rows = detail.models_by_ids(session, ids)
    return [rows[i].ref for i in ids if i in rows]
