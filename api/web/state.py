"""The search page's whole state as URL parameters, and back.

The URL is the state: `/?q=llama&formats=gguf&formats=onnx&exclude_licenses=other&sort=likes`.
Facet values use the GraphQL filter names (`platforms`, `tasks`, ...; OR within one,
AND across), `exclude_<name>` drops models having a value, `params` holds parameter
buckets (`lt-10m`, `10m-100m`, ...) and `min_params`/`max_params` exact bounds (`30M`,
`1.5B`). Derived facets ride along the same way: `usages`, `license_classes` (facets),
`commercial_use=1` (the effective license allows commercial use), `memory` (weights at
most 8 GiB: `le-8gib`) and `max_memory` (`12`, `12GiB`, `500MiB`, `16GB`). `nsfw=1` shows
models their hub flags not safe for work (hidden otherwise). Any URL a page shows can be
shared or bookmarked and gives the same page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from api.inputs import strawberry_name
from api.reports.fmt import compact
from api.types.search import ModelSort
from catalog.derive.memory import GIB, MEMORY_BUCKETS
from catalog.queries.dimensions import FACET_FIELDS, FILTER_KEYS, PARAMETER_BUCKETS
from catalog.queries.errors import QueryError, invalid_value_error
from catalog.queries.filters import ModelFilter, ModelQuery, SortKey

PAGE_SIZE = 20
EXCLUDE = "exclude_"
MAX_VALUES = 50  # values per filter field in one URL


@dataclass(frozen=True, slots=True)
class FacetSlot:
    """A facet of the sidebar: catalog field, heading, and URL parameter."""

    field: str
    label: str
    param: str


# The sidebar, in order. A slot shows once the catalog knows its field (a facet field).
SIDEBAR = (
    FacetSlot("platform", "Hub", "platforms"),
    FacetSlot("family", "Family", "families"),
    FacetSlot("usage", "Usage", "usages"),
    FacetSlot("task", "Task", "tasks"),
    FacetSlot("modality", "Modality", "modalities"),
    FacetSlot("format", "Format", "formats"),
    FacetSlot("library", "Library", "libraries"),
    FacetSlot("license_class", "License class", "license_classes"),
    FacetSlot("license", "License", "licenses"),
    FacetSlot("language", "Language", "languages"),
    FacetSlot("parameter_range", "Parameters", "params"),
    FacetSlot("memory", "Memory (weights only)", "memory"),
)
PARAMS = "params"
BUCKETS = {slug: (label, low, high) for slug, label, low, high in PARAMETER_BUCKETS}
BUCKET_ORDER = [slug for slug, *_ in PARAMETER_BUCKETS]
# Memory boxes are limits ("weights at most 8 GiB"), not bands: the catalog bounds memory
# from above only (`maxMemoryBytes`), which is also the question people ask ("does it fit
# in my 24 GB card?"). Ticked limits OR into the largest. Slugs are the facet's buckets'.
MEMORY = "memory"
MEMORY_LIMITS = {slug: high for slug, _label, high in MEMORY_BUCKETS if high != float("inf")}
MEMORY_ORDER = list(MEMORY_LIMITS)
COMMERCIAL = "commercial_use"
NSFW = "nsfw"
_YES = ("1", "true", "yes", "on")
# Parameters that are not text, and the value that leaves them out of the state.
_CLEARED: dict[str, tuple[str, Any]] = {
    PARAMS: ("params", ()),
    MEMORY: ("memory", ()),
    COMMERCIAL: ("commercial_use", False),
    NSFW: ("nsfw", False),
}

# URL sort name -> (label, GraphQL sort). Relevance needs a search text.
SORTS: dict[str, tuple[str, ModelSort]] = {
    "relevance": ("Best match", ModelSort.RELEVANCE),
    "downloads": ("Most downloaded", ModelSort.DOWNLOADS),
    "likes": ("Most liked", ModelSort.LIKES),
    "trending": ("Trending", ModelSort.TRENDING),
    "created": ("Newest", ModelSort.CREATED),
    "last_modified": ("Recently updated", ModelSort.LAST_MODIFIED),
    "parameters": ("Most parameters", ModelSort.PARAMETERS),
    "parameters_asc": ("Fewest parameters", ModelSort.PARAMETERS_ASC),
    "name": ("Name A-Z", ModelSort.NAME),
}
_SCALARS = ("q", "min_params", "max_params", "max_memory", "derived_from", "sort", "after")
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmbt]?)\s*$", re.IGNORECASE)
_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mgt]i?b)?\s*$", re.IGNORECASE)
_BYTES = {"mib": 2.0**20, "gib": 2.0**30, "tib": 2.0**40, "mb": 1e6, "gb": 1e9, "tb": 1e12}


def sidebar() -> list[FacetSlot]:
    """The facet slots the catalog can answer."""
    return [slot for slot in SIDEBAR if slot.field in FACET_FIELDS]


def parse_amount(text: str | None, name: str) -> float | None:
    """`30M` -> 3e7; blank -> None.

    Raises:
        QueryError: not a number with an optional k/M/B/T suffix.
    """
    if text is None or not text.strip():
        return None
    match = _AMOUNT.match(text)
    if match is None:
        raise QueryError(f"{name}: {text!r} is not an amount (write e.g. 30M, 1.5B or 7000000)")
    return float(match.group(1)) * _SCALE[match.group(2).lower()]


def parse_size(text: str | None, name: str) -> float | None:
    """`12` or `12GiB` -> 12 * 2^30 bytes (a bare number is GiB); `16GB` -> 1.6e10; blank -> None.

    Raises:
        QueryError: not a number with an optional MiB/GiB/TiB/MB/GB/TB unit.
    """
    if text is None or not text.strip():
        return None
    match = _SIZE.match(text)
    if match is None:
        raise QueryError(
            f"{name}: {text!r} is not a size (write e.g. 12, 12GiB, 500MiB or 16GB; "
            "a bare number is GiB)"
        )
    return float(match.group(1)) * _BYTES[(match.group(2) or "gib").lower()]


def memory_label(slug: str) -> str:
    """`le-8gib` -> "≤ 8 GiB"."""
    return f"≤ {MEMORY_LIMITS[slug] / GIB:g} GiB"


def _flag(params: QueryParams, key: str) -> bool:
    raw = params.get(key, "").strip().lower()
    if raw and raw not in _YES:
        raise QueryError(f"{key}: write {key}=1 to keep models it holds for, or leave it out")
    return bool(raw)


def _values(params: QueryParams, key: str) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(v.strip() for v in params.getlist(key) if v.strip()))
    if len(found) > MAX_VALUES:
        raise QueryError(f"{key}: at most {MAX_VALUES} values")
    return found


@dataclass(frozen=True, slots=True)
class SearchState:
    """What the search page shows (everything in its URL)."""

    q: str = ""
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)
    params: tuple[str, ...] = ()
    min_params: str = ""
    max_params: str = ""
    memory: tuple[str, ...] = ()
    max_memory: str = ""
    commercial_use: bool = False
    nsfw: bool = False  # models their hub flags not safe for work shown
    derived_from: str = ""
    sort: str = ""
    after: str = ""

    @classmethod
    def from_params(cls, params: QueryParams) -> SearchState:
        """Read the state from a URL's parameters (unknown parameters are ignored).

        Raises:
            QueryError: a malformed amount, size, sort, flag, parameter or memory bucket.
        """
        sort = params.get("sort", "").strip()
        if sort and sort not in SORTS:
            raise invalid_value_error("sort", [sort], SORTS)
        buckets = _buckets(params, PARAMS, BUCKET_ORDER)
        limits = _buckets(params, MEMORY, MEMORY_ORDER)
        state = cls(
            q=params.get("q", "").strip(),
            values={k: v for k in FILTER_KEYS if (v := _values(params, k))},
            exclude={k: v for k in FILTER_KEYS if (v := _values(params, EXCLUDE + k))},
            params=tuple(sorted(buckets, key=BUCKET_ORDER.index)),
            min_params=params.get("min_params", "").strip(),
            max_params=params.get("max_params", "").strip(),
            memory=limits,
            max_memory=params.get("max_memory", "").strip(),
            commercial_use=_flag(params, COMMERCIAL),
            nsfw=_flag(params, NSFW),
            derived_from=params.get("derived_from", "").strip(),
            sort=sort,
            after=params.get("after", "").strip(),
        )
        state.parameter_bounds()  # malformed amounts fail here, before any query
        state.memory_bound()
        return state

    @property
    def effective_sort(self) -> str:
        """The sort in force: as asked, else best match with a text, else downloads."""
        if self.sort == "relevance" and not self.q:
            return "downloads"
        return self.sort or ("relevance" if self.q else "downloads")

    def parameter_bounds(self) -> tuple[float | None, float | None]:
        """Parameter bounds (inclusive): the span of the ticked buckets within the typed ones.

        Buckets are contiguous ranges, so ticked buckets filter on one span from the
        lowest to the highest (the page shows every bucket inside it ticked).
        """
        low = parse_amount(self.min_params, "min_params")
        high = parse_amount(self.max_params, "max_params")
        if self.params:
            first, last = BUCKETS[self.params[0]], BUCKETS[self.params[-1]]
            low = max(low or 0.0, first[1]) if first[1] > 0 else low
            if last[2] != float("inf"):
                # Counts are whole numbers and a bucket's upper edge is exclusive.
                high = min(high, last[2] - 1) if high is not None else last[2] - 1
        return low, high

    def bucket_span(self) -> list[str]:
        """Every bucket inside the ticked span (shown ticked)."""
        if not self.params:
            return []
        first, last = BUCKET_ORDER.index(self.params[0]), BUCKET_ORDER.index(self.params[-1])
        return BUCKET_ORDER[first : last + 1]

    def memory_bound(self) -> float | None:
        """Most bytes of weights (smallest variant): the largest ticked limit, within the
        typed one."""
        typed = parse_size(self.max_memory, "max_memory")
        ticked = MEMORY_LIMITS[self.memory[-1]] if self.memory else None
        found = [b for b in (typed, ticked) if b is not None]
        return min(found) if found else None

    def model_filter(self, derived_from_id: int | None) -> ModelFilter:
        """The catalog filter (the `derived_from` ref resolved by the caller)."""
        low, high = self.parameter_bounds()
        return ModelFilter(
            values=dict(self.values),
            exclude=dict(self.exclude),
            min_parameters=low,
            max_parameters=high,
            derived_from=derived_from_id,
            max_memory_bytes=self.memory_bound(),
            commercial_use=True if self.commercial_use else None,
            include_nsfw=self.nsfw,
        )

    def model_query(self, derived_from_id: int | None, first: int = PAGE_SIZE) -> ModelQuery:
        """The catalog query of this state."""
        sort = SORTS[self.effective_sort][1].value
        return ModelQuery(
            filter=self.model_filter(derived_from_id),
            search=self.q or None,
            sort=(SortKey(sort[:-1], sort.endswith("-")),),
            first=first,
            after=self.after or None,
        )

    def items(self) -> list[tuple[str, str]]:
        """The URL parameters of this state, in a stable order."""
        found: list[tuple[str, str]] = []
        if self.q:
            found.append(("q", self.q))
        for key in FILTER_KEYS:
            found += [(key, v) for v in self.values.get(key, ())]
            found += [(EXCLUDE + key, v) for v in self.exclude.get(key, ())]
        found += [(PARAMS, b) for b in self.params]
        for key in ("min_params", "max_params"):
            if value := getattr(self, key):
                found.append((key, value))
        found += [(MEMORY, b) for b in self.memory]
        if self.max_memory:
            found.append(("max_memory", self.max_memory))
        if self.commercial_use:
            found.append((COMMERCIAL, "1"))
        if self.nsfw:
            found.append((NSFW, "1"))
        for key in ("derived_from", "sort", "after"):
            if value := getattr(self, key):
                found.append((key, value))
        return found

    def url(self, path: str = "/", **extra: str) -> str:
        """The URL of this state (plus `extra` parameters, e.g. `format=csv`)."""
        pairs = self.items() + [(k, v) for k, v in extra.items() if v]
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def first_page(self) -> SearchState:
        """The same search from its first page."""
        return replace(self, after="")

    def without(self, key: str, value: str = "") -> SearchState:
        """The state minus one filter value (or a whole scalar parameter), first page."""
        state = self.first_page()
        if key in FILTER_KEYS:
            return replace(state, values=_drop(self.values, key, value))
        if key.startswith(EXCLUDE):
            return replace(state, exclude=_drop(self.exclude, key[len(EXCLUDE) :], value))
        if key in _CLEARED:
            field_name, empty = _CLEARED[key]
            return replace(state, **{field_name: empty})
        if key not in _SCALARS:
            raise ValueError(f"not a state parameter: {key}")
        return replace(state, **{key: ""})  # type: ignore[arg-type] # a str field

    def with_value(self, key: str, value: str) -> SearchState:
        """The state plus one filter value, first page."""
        merged = dict(self.values)
        merged[key] = tuple(dict.fromkeys((*merged.get(key, ()), value)))
        return replace(self.first_page(), values=merged)

    def is_empty(self) -> bool:
        """No text, filter or bound: the whole catalog."""
        return not [k for k, _ in self.items() if k not in ("sort", "after")]


def _buckets(params: QueryParams, key: str, order: list[str]) -> tuple[str, ...]:
    found = _values(params, key)
    bad = [b for b in found if b not in order]
    if bad:
        raise invalid_value_error(key, bad, order)
    return tuple(sorted(found, key=order.index))


def _drop(mapping: dict[str, tuple[str, ...]], key: str, value: str) -> dict[str, tuple[str, ...]]:
    kept = {k: v for k, v in mapping.items() if k != key}
    rest = tuple(v for v in mapping.get(key, ()) if value and v != value)
    if rest:
        kept[key] = rest
    return kept


def graphql_variables(state: SearchState, derived_from_id: int | None) -> dict[str, Any]:
    """The GraphQL variables equivalent to a state (for the "as GraphQL" link)."""
    low, high = state.parameter_bounds()
    flt: dict[str, Any] = {strawberry_name(k): list(v) for k, v in state.values.items()}
    if state.exclude:
        flt["exclude"] = {strawberry_name(k): list(v) for k, v in state.exclude.items()}
    bounds = (("minParameters", low), ("maxParameters", high))
    for name, value in (*bounds, ("maxMemoryBytes", state.memory_bound())):
        if value is not None:
            flt[name] = value
    if state.commercial_use:
        flt["commercialUse"] = True
    if state.nsfw:
        flt["nsfw"] = True
    if derived_from_id is not None:
        flt["derivedFrom"] = str(derived_from_id)
    variables: dict[str, Any] = {"filter": flt, "sort": [SORTS[state.effective_sort][1].name]}
    if state.q:
        variables["search"] = state.q
    if state.after:
        variables["after"] = state.after
    return variables


def chips(state: SearchState, labels: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    """Active filters as (text, URL without it), for the "remove" links."""
    found: list[tuple[str, str]] = []
    titles = {slot.param: slot.label for slot in SIDEBAR}
    for key in FILTER_KEYS:
        title = titles.get(key, key.title())
        for value in state.values.get(key, ()):
            text = f"{title}: {labels.get((key, value), value)}"
            found.append((text, state.without(key, value).url()))
        for value in state.exclude.get(key, ()):
            text = f"{title}: not {labels.get((key, value), value)}"
            found.append((text, state.without(EXCLUDE + key, value).url()))
    found += _scalar_chips(state)
    return found


def _scalar_chips(state: SearchState) -> Iterable[tuple[str, str]]:
    if state.params:
        spans = state.bucket_span()
        text = BUCKETS[spans[0]][0]
        if len(spans) > 1:
            low, high = BUCKETS[spans[0]][1], BUCKETS[spans[-1]][2]
            if not low:
                text = f"< {compact(high)}"
            elif high == float("inf"):
                text = f">= {compact(low)}"
            else:
                text = f"{compact(low)} - {compact(high)}"
        yield f"Parameters: {text}", state.without(PARAMS).url()
    if state.min_params:
        yield f"Parameters at least {state.min_params}", state.without("min_params").url()
    if state.max_params:
        yield f"Parameters at most {state.max_params}", state.without("max_params").url()
    if state.memory:
        yield f"Memory: weights {memory_label(state.memory[-1])}", state.without(MEMORY).url()
    if state.max_memory:
        yield f"Memory at most {state.max_memory}", state.without("max_memory").url()
    if state.commercial_use:
        yield "Commercial use allowed", state.without(COMMERCIAL).url()
    if state.nsfw:
        yield "NSFW models shown", state.without(NSFW).url()
    if state.derived_from:
        yield f"Derived from {state.derived_from}", state.without("derived_from").url()
