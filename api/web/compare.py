"""The compare and hubs pages' data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.web.derived import DERIVED_FIELDS
from api.web.search import ResultRow, result_rows
from catalog.queries import detail, status
from catalog.queries.compare import (
    MAX_COMPARED,
    ComparisonRow,
    ComparisonTable,
    build_comparison,
)
from catalog.queries.detail import ModelRow
from catalog.queries.errors import QueryError
from catalog.queries.filters import ModelFilter, ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import MAX_FACET_LIMIT, search_models
from catalog.queries.status import RunSummary
from catalog.queries.vocabularies import list_platforms

CANDIDATES = 8
RUNS_PER_HUB = 5
# Rows of the comparison table that come from the derived layer (catalog.queries.compare).
DERIVED_ATTRIBUTES = frozenset({*DERIVED_FIELDS, "licenseConflict", "provenance"})


@dataclass(frozen=True, slots=True)
class ComparePage:
    """What the compare page shows.

    Attributes:
        refs: The known refs compared, in the order asked, without repeats.
        models: Their rows, in the same order.
        table: The comparison table (None with nothing to compare).
        unknown: Refs asked for that the catalog does not have.
        add: The text typed into "add a model".
        added: `add` named a model exactly (the page redirects with it added).
        candidates: Models matching `add`, to pick from.
    """

    refs: list[str]
    models: list[ModelRow]
    table: ComparisonTable | None
    unknown: list[str]
    add: str
    added: str | None
    candidates: list[ResultRow]


def _known(session: Session, refs: list[str]) -> tuple[dict[str, int], list[str]]:
    valid = [r for r in refs if _is_ref(r)]
    found = detail.ids_by_refs(session, valid)
    return found, [r for r in refs if r not in found]


def _is_ref(ref: str) -> bool:
    try:
        detail.parse_ref(ref)
    except QueryError:
        return False
    return True


def gather_compare(
    session: Session, cache: FacetIndexCache | None, refs: list[str], add: str
) -> ComparePage:
    """The comparison of `refs` and, when `add` is given, the model it names or candidates.

    Raises:
        QueryError: more than `MAX_COMPARED` models.
    """
    refs = list(dict.fromkeys(refs))
    if len(refs) > MAX_COMPARED:
        raise QueryError(f"compare takes at most {MAX_COMPARED} models; remove some")
    found, unknown = _known(session, refs)
    added = None
    candidates: list[ResultRow] = []
    if add:
        exact, _ = _known(session, [add])
        if add in exact:
            added = add
        else:
            search = search_models(session, ModelQuery(search=add, first=CANDIDATES + 5), cache)
            rows = result_rows(session, search.page().ids)
            candidates = [r for r in rows if r.ref not in found][:CANDIDATES]
    known = [r for r in refs if r in found]
    ids = [found[r] for r in known]
    by_id = detail.models_by_ids(session, ids)
    return ComparePage(
        refs=known,
        models=[by_id[i] for i in ids if i in by_id],
        table=build_comparison(session, ids) if ids else None,
        unknown=unknown,
        add=add,
        added=added,
        candidates=candidates,
    )


def split_rows(rows: list[ComparisonRow]) -> list[tuple[str, list[ComparisonRow]]]:
    """The table's rows in two groups: what the hubs state, then what the catalog derived
    (each group with its heading; an empty group is left out)."""
    stated = [r for r in rows if r.attribute not in DERIVED_ATTRIBUTES]
    derived = [r for r in rows if r.attribute in DERIVED_ATTRIBUTES]
    groups = [("What the hubs state", stated), ("Good for and what it takes (derived)", derived)]
    return [(title, found) for title, found in groups if found]


@dataclass(frozen=True, slots=True)
class HubView:
    """One hub: its models (live, and no longer listed by the hub) and its last runs."""

    slug: str
    name: str
    url: str | None
    models: int
    removed: int
    runs: list[RunSummary]


def _platform_counts(
    session: Session, cache: FacetIndexCache | None, include_removed: bool
) -> dict[str, int]:
    query = ModelQuery(filter=ModelFilter(include_removed=include_removed), first=0)
    (facet,) = search_models(session, query, cache).facets(["platform"], MAX_FACET_LIMIT)
    return {b.value: b.count for b in facet.buckets}


def gather_hubs(session: Session, cache: FacetIndexCache | None) -> list[HubView]:
    """Every hub with its model counts (from the facet index when built) and its
    newest runs."""
    live = _platform_counts(session, cache, include_removed=False)
    every = _platform_counts(session, cache, include_removed=True)
    runs = status.recent_runs_by_platform(session, RUNS_PER_HUB)
    return [
        HubView(
            slug,
            name,
            url,
            live.get(slug, 0),
            every.get(slug, 0) - live.get(slug, 0),
            runs.get(slug, []),
        )
        for slug, name, url in list_platforms(session)
    ]
