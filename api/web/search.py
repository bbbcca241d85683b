"""The search page's data: one page of models, the total and the sidebar's facet counts,
all through `catalog.queries.search` (the facet index when it is built, else SQL).

Families are a tree: the family facet lists the roots, or the sub-families of the ticked
families. Ticking a sub-family of a ticked family narrows to it (the wider one is
dropped from the state), and ticked families keep their own count at the top. Memory
boxes are limits ("weights at most 8 GiB"), each counting the facet's bands below it.
Result rows carry the derived layer: usages, memory (weights only), license class."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from sqlalchemy.orm import Session

from api.web.state import (
    BUCKET_ORDER,
    MEMORY,
    MEMORY_ORDER,
    PARAMS,
    FacetSlot,
    SearchState,
    memory_label,
    sidebar,
)
from catalog.derive.licenses import LICENSE_CLASSES
from catalog.derive.usage import USAGES
from catalog.queries import derived as dq
from catalog.queries import detail
from catalog.queries import families as fq
from catalog.queries.errors import QueryError
from catalog.queries.families import FamilyRow
from catalog.queries.filters import MAX_PAGE
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.results import FacetBucket, FacetCounts
from catalog.queries.search import MAX_FACET_LIMIT, ModelSearch, search_models

FAMILY, FAMILIES = "family", "families"  # the tree-valued facet and its URL parameter
SHOWN_VALUES = 8  # per facet before "more"
LISTED_VALUES = 100  # per facet in all
MAX_EXPORT = 10_000
LICENSE_CLASS = "license_class"  # the facet that carries "commercial use allowed"
COMMERCIAL_CLASSES = frozenset(c.slug for c in LICENSE_CLASSES if c.commercial_use)


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One model as a result row (and a CSV/JSON record).

    Attributes:
        memory_bytes: Bytes of the smallest variant's weights (weights only; None: unknown).
        usage: Each usage (`feature-extraction`, ...) -> true, false or None (unknown).
        license_class: Class of the effective license (declared + inherited).
        commercial_use: Whether the effective license allows commercial use (None: unknown).
        license_conflict: The declared license is more permissive than an ancestor's.
    """

    ref: str
    platform: str
    platform_name: str
    external_id: str
    name: str
    tasks: list[str]
    formats: list[str]
    parameters: int | None
    downloads: int | None
    likes: int | None
    license: str | None
    library: str | None
    url: str | None
    memory_bytes: int | None = None
    usage: dict[str, bool | None] = field(default_factory=dict)
    license_class: str | None = None
    commercial_use: bool | None = None
    license_conflict: bool = False

    @property
    def usages(self) -> list[str]:
        """The usages known to hold (badges)."""
        return [u for u, value in self.usage.items() if value]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """What the search page shows."""

    state: SearchState
    total: int
    rows: list[ResultRow]
    facets: list[FacetCounts]
    next_after: str | None
    derived_from_id: int | None
    backend: str
    families: dict[str, FamilyRow]


def result_rows(session: Session, ids: Sequence[int]) -> list[ResultRow]:
    """Result rows of model ids, in order (three statements whatever the number)."""
    rows = detail.models_by_ids(session, ids)
    details = detail.details_by_ids(session, ids, ("task", "format"))
    derived = dq.derived_by_ids(session, ids)
    found = []
    for model_id in ids:
        row = rows.get(model_id)
        if row is None:
            continue  # removed between the search and this read
        extra = details.get(model_id)
        known = derived.get(model_id)
        facts = known if known is not None and known.derived else None
        found.append(
            ResultRow(
                ref=row.ref,
                platform=row.platform,
                platform_name=row.platform_name,
                external_id=row.external_id,
                name=row.name,
                tasks=[t.slug for t in extra.terms.get("task", [])] if extra else [],
                formats=[f.slug for f in extra.formats] if extra else [],
                parameters=row.parameters,
                downloads=row.downloads,
                likes=row.likes,
                license=row.license,
                library=row.library,
                url=row.url,
                memory_bytes=facts.memory_bytes if facts else None,
                usage={u: facts.usage[u].value if facts else None for u in USAGES},
                license_class=facts.effective_class if facts else None,
                commercial_use=facts.commercial_use if facts else None,
                license_conflict=bool(facts and facts.license_conflict),
            )
        )
    return found


def resolve_derived_from(session: Session, state: SearchState) -> int | None:
    """The model id of the `derived_from` ref, if any.

    Raises:
        QueryError: the ref is malformed or names no model of the catalog.
    """
    if not state.derived_from:
        return None
    found = detail.ids_by_refs(session, [state.derived_from])
    if state.derived_from not in found:
        raise QueryError(f"derived_from: no model {state.derived_from!r} in the catalog")
    return found[state.derived_from]


def gather_search(
    session: Session, cache: FacetIndexCache | None, state: SearchState, first: int = 20
) -> SearchPage:
    """One page of results with the total and every sidebar facet.

    Raises:
        QueryError: an unknown value, a stale cursor or a bad bound (says which).
    """
    derived = resolve_derived_from(session, state)
    state, families = narrow_families(session, state)
    search = search_models(session, state.model_query(derived, first), cache)
    page = search.page()
    facets = search.facets([slot.field for slot in sidebar()], MAX_FACET_LIMIT)
    cursors = search.cursors() if page.has_next and page.ids else []
    return SearchPage(
        state=state,
        total=search.total(),
        rows=result_rows(session, page.ids),
        facets=[_with_ticked(search, f, state, families) for f in facets],
        next_after=cursors[-1] if cursors else None,
        derived_from_id=derived,
        backend=search.backend,
        families=families,
    )


def narrow_families(
    session: Session, state: SearchState
) -> tuple[SearchState, dict[str, FamilyRow]]:
    """The state without ticked families that contain another ticked one (ticking a
    sub-family narrows to it), and the ticked families with their ancestors by slug."""
    ticked = state.values.get(FAMILIES, ())
    if not ticked:
        return state, {}
    known = fq.families_with_ancestors(session, ticked)
    wider = {a for slug in ticked if slug in known for a in known[slug].path if a != slug}
    kept = tuple(slug for slug in ticked if slug not in wider)
    if kept == ticked:
        return state, known
    return replace(state, values={**state.values, FAMILIES: kept}), known


def _with_ticked(
    search: ModelSearch, facet: FacetCounts, state: SearchState, families: dict[str, FamilyRow]
) -> FacetCounts:
    """The family facet with the ticked families first, each with its own count (the
    facet itself lists their sub-families)."""
    if facet.field != FAMILY:
        return facet
    listed = {b.value for b in facet.buckets}
    ticked = [families[s] for s in state.values.get(FAMILIES, ()) if s in families]
    missing = [f for f in ticked if f.slug not in listed]
    counts = search.counts_of(FAMILY, frozenset(f.id for f in missing))
    first = [FacetBucket(f.slug, f.name, counts.get(f.slug, 0)) for f in missing]
    return FacetCounts(facet.field, first + list(facet.buckets))


def gather_export(
    session: Session, cache: FacetIndexCache | None, state: SearchState, limit: int
) -> list[ResultRow]:
    """Up to `limit` matching rows in the page's order, read page by page (keyset)."""
    derived = resolve_derived_from(session, state)
    query = state.first_page().model_query(derived, MAX_PAGE)
    found: list[ResultRow] = []
    while len(found) < limit:
        search = search_models(session, query, cache)
        page = search.page()
        found += result_rows(session, page.ids[: limit - len(found)])
        if not page.has_next or not page.ids:
            break
        query = replace(query, after=search.cursors()[-1])
    return found


@dataclass(frozen=True, slots=True)
class BucketView:
    """One value in the sidebar: its checkbox state and count; `nested` for a value below
    a ticked one (sub-families)."""

    value: str
    label: str
    count: int
    checked: bool
    excluded: bool
    dom_id: str
    nested: bool = False


@dataclass(frozen=True, slots=True)
class FacetView:
    """One facet of the sidebar: the first values, the rest behind "more", and links
    (text, URL) to go with it (for families: each ticked family's page and parent)."""

    slot: FacetSlot
    shown: list[BucketView]
    more: list[BucketView]
    excludable: bool
    links: list[tuple[str, str]] = field(default_factory=list)
    commercial: BucketView | None = None

    @property
    def active(self) -> bool:
        """A value of this facet filters the results."""
        boxes = (*self.shown, *self.more, *([self.commercial] if self.commercial else []))
        return any(b.checked or b.excluded for b in boxes)


def _dom_id(param: str, value: str) -> str:
    # Stable across pages, so a script can give focus back to the same box after an update.
    return f"f-{param}-{hashlib.sha1(value.encode()).hexdigest()[:10]}"  # noqa: S324 - an id


def facet_views(page: SearchPage) -> list[FacetView]:
    """The sidebar: each facet's values, the ticked and excluded ones always shown."""
    by_field = {f.field: f.buckets for f in page.facets}
    views = []
    state = page.state
    for slot in sidebar():
        if slot.param == MEMORY:
            views.append(_memory_view(slot, by_field.get(slot.field, []), state))
            continue
        if slot.param == PARAMS:
            ticked = set(state.bucket_span())
            excluded: set[str] = set()
        else:
            ticked = set(state.values.get(slot.param, ()))
            excluded = set(state.exclude.get(slot.param, ()))
        buckets = list(by_field.get(slot.field, []))
        if slot.param == PARAMS:
            buckets.sort(key=lambda b: _bucket_rank(b.value))
        listed = {b.value for b in buckets}
        # A ticked value that matches nothing under the other filters still shows (at 0).
        buckets += [FacetBucket(v, None, 0) for v in sorted((ticked | excluded) - listed)]
        views_of = [
            BucketView(
                b.value,
                b.label or b.value,
                b.count,
                b.value in ticked,
                b.value in excluded,
                _dom_id(slot.param, b.value),
                nested=slot.field == FAMILY and bool(ticked) and b.value not in ticked,
            )
            for b in buckets
        ]
        keep = SHOWN_VALUES if slot.param != PARAMS else len(views_of)
        shown = views_of[:keep] + [v for v in views_of[keep:] if v.checked or v.excluded]
        more = [v for v in views_of[keep:LISTED_VALUES] if not (v.checked or v.excluded)]
        links = _family_links(page) if slot.field == FAMILY else []
        commercial = _commercial_box(buckets, state) if slot.field == LICENSE_CLASS else None
        views.append(FacetView(slot, shown, more, slot.param != PARAMS, links, commercial))
    return views


def _commercial_box(buckets: Sequence[FacetBucket], state: SearchState) -> BucketView:
    """ "Commercial use allowed": the models of the license classes that allow it, under
    every filter but the license class ones (the facet's own counts)."""
    count = sum(b.count for b in buckets if b.value in COMMERCIAL_CLASSES)
    label = "Commercial use allowed"
    return BucketView("1", label, count, state.commercial_use, False, "f-commercial_use")


def _memory_view(slot: FacetSlot, bands: Sequence[FacetBucket], state: SearchState) -> FacetView:
    """Memory limits, each counting the models whose weights fit in it: the facet's bands
    (weights only; not bounded by memory) up to the limit."""
    per_band = {b.value: b.count for b in bands}
    views, fits = [], 0
    for slug in MEMORY_ORDER:
        fits += per_band.get(slug, 0)
        ticked = slug in state.memory
        if fits or ticked:
            views.append(
                BucketView(slug, memory_label(slug), fits, ticked, False, _dom_id(MEMORY, slug))
            )
    return FacetView(slot, views, [], excludable=False)


def _family_links(page: SearchPage) -> list[tuple[str, str]]:
    """Per ticked family: its page, and the search one level up."""
    links = []
    for slug in page.state.values.get(FAMILIES, ()):
        family = page.families.get(slug)
        if family is None:
            continue
        links.append((f"About {family.name}", f"/families/{quote(slug, safe='')}"))
        parent = page.families.get(family.path[-2]) if len(family.path) > 1 else None
        if parent is not None:
            up = page.state.without(FAMILIES, slug).with_value(FAMILIES, parent.slug)
            links.append((f"Up to {parent.name}", up.url()))
    return links


def _bucket_rank(slug: str) -> int:
    return BUCKET_ORDER.index(slug) if slug in BUCKET_ORDER else len(BUCKET_ORDER)


def value_labels(page: SearchPage) -> dict[tuple[str, str], str]:
    """(URL parameter, value) -> display label, for the active-filter chips."""
    params = {slot.field: slot.param for slot in sidebar()}
    return {
        (params[f.field], b.value): b.label or b.value
        for f in page.facets
        if f.field in params
        for b in f.buckets
    }
