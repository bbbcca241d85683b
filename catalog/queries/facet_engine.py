"""Answer searches from a `FacetIndex`: masks for filters, bincounts for facets, keyset pages.

Results equal the SQL backend's (`sql_search`); the tests hold both to plain Python.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from catalog.queries import bitsets
from catalog.queries.conditions import Conditions, SearchHits, shown_bits
from catalog.queries.dimensions import DIMENSIONS, RANGES, RangeFacet
from catalog.queries.facet_index import FacetIndex, bucket_codes
from catalog.queries.filters import Cursor, SortKey
from catalog.queries.results import FacetBucket, FacetCounts, PageSlice

_SCAN_CHUNK = 4096


def _top(counts: np.ndarray, field: str, index: FacetIndex, limit: int) -> list[FacetBucket]:
    vocab = index.vocab[field]
    codes = np.flatnonzero(counts)
    order = np.lexsort((vocab.value_rank[codes], -counts[codes]))[:limit]
    return [FacetBucket(vocab.values[c], vocab.labels[c], int(counts[c])) for c in codes[order]]


def facet_counts(
    index: FacetIndex,
    cond: Conditions,
    field: str,
    limit: int,
    scope: frozenset[int] | None = None,
) -> FacetCounts:
    """One facet's buckets under every condition but its own; `scope` keeps only those
    vocabulary ids as buckets."""
    if field in RANGES:
        rng = RANGES[field]
        values = index.numbers[rng.number].take(cond.mask(skip=field))
        counts = np.bincount(range_codes(rng, values), minlength=len(rng.buckets))
        buckets = [
            FacetBucket(slug, label, int(n))
            for (slug, label, _high), n in zip(rng.buckets, counts, strict=True)
            if n
        ]
        buckets.sort(key=lambda b: (-b.count, b.value))
        return FacetCounts(field, buckets[:limit])
    size = len(index.vocab[field].values) + 1
    matching = cond.count(skip=field)
    multi = DIMENSIONS[field].multi
    bits = bitsets.bitsets(index, field)
    per_row = bitsets.MULTI_ROW_COST if multi else bitsets.SINGLE_ROW_COST
    if bits is not None and matching * per_row > bits.size:
        counts = bitsets.counts(bits, cond.packed(skip=field))
    elif not multi:
        codes = bucket_codes(index, field)[cond.rows(skip=field)]
        counts = np.bincount(codes, minlength=size)[1:]
    elif matching * 4 > index.size:
        counts = _dense_multi_counts(index, field, cond.mask(skip=field), size)[1:]
    else:
        codes = _multi_codes(index, field, cond.rows(skip=field))
        counts = np.bincount(codes, minlength=size)[1:]
    if scope is not None:
        counts = counts * in_scope(index, field, scope)
    return FacetCounts(field, _top(counts, field, index, limit))


def range_codes(rng: RangeFacet, values: np.ndarray) -> np.ndarray:
    """Bucket numbers of the known (not NaN) values of a range facet's number."""
    values = values[~np.isnan(values)]
    # A value on an edge belongs to this bucket (inclusive) or the next.
    if rng.inclusive:
        return np.searchsorted(np.array(rng.edges), values, side="left")
    return np.searchsorted(np.array(rng.edges), values, side="right")


def in_scope(index: FacetIndex, field: str, scope: frozenset[int]) -> np.ndarray:
    """Per bucket code, whether its value is one of the vocabulary ids in `scope`."""
    code_of = index.vocab[field].code_of
    ids = np.array([i for i in scope if i < len(code_of)], dtype=np.int64)
    codes = code_of[ids] if len(ids) else ids
    keep = np.zeros(len(index.vocab[field].values), dtype=bool)
    keep[codes[codes >= 0]] = True
    return keep


def _by_row(index: FacetIndex, field: str) -> tuple[np.ndarray, np.ndarray]:
    """A multi-valued facet's bucket codes grouped by row, with per-row offsets."""
    key = f"rows:{field}"
    cached = index.derived.get(key)
    if cached is None:
        multi = index.multi[field]
        order = np.argsort(multi.rows, kind="stable")
        per_row = np.bincount(multi.rows, minlength=index.size)
        # int32: a catalog has far fewer than 2**31 entries, and this array is per model.
        offsets = np.concatenate(([0], np.cumsum(per_row))).astype(np.int32)
        cached = (bucket_codes(index, field)[order], offsets)
        index.derived[key] = cached
    return cached


def _multi_codes(index: FacetIndex, field: str, rows: np.ndarray) -> np.ndarray:
    """Bucket codes of every entry of the given rows (ascending): cheap for few rows."""
    codes, offsets = _by_row(index, field)
    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    total = int(lengths.sum())
    first = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return codes[first + np.arange(total)]


def _dense_multi_counts(index: FacetIndex, field: str, mask: np.ndarray, size: int) -> np.ndarray:
    """Per bucket code + 1, the rows of `mask` having it: one gather over every pair (by
    value), summed per value; cheaper than expanding many rows to their entries."""
    multi = index.multi[field]
    kept = mask[multi.rows].view(np.uint8)
    starts = multi.offsets[:-1]
    # reduceat gives an empty segment its next element, not 0: sum the non-empty only.
    present = np.flatnonzero(starts < multi.offsets[1:])
    if not len(present):
        return np.zeros(size, dtype=np.int64)
    per_value = np.add.reduceat(kept, starts[present], dtype=np.int64)
    codes = index.vocab[field].code_of[present] + 1
    return np.bincount(codes, weights=per_value, minlength=size).astype(np.int64)


def _sort_values(
    index: FacetIndex, key: SortKey, hits: SearchHits | None, rows: np.ndarray
) -> np.ndarray:
    """The sort key's values at `rows`."""
    if key.field == "relevance":
        assert hits is not None
        assert hits.ranks is not None
        return hits.ranks[rows]
    return index.numbers[key.field].take(rows)


def _normalized(values: np.ndarray, descending: bool) -> np.ndarray:
    """Ascending order of `result` is the wanted order; missing values (NaN) go last."""
    norm = -values if descending else values.copy()
    norm[np.isnan(norm)] = np.inf
    return norm


def _norm_cursor(value: object, descending: bool) -> float:
    if value is None:
        return float("inf")
    number = float(value)  # type: ignore[arg-type]
    return -number if descending else number


def _slice(
    index: FacetIndex,
    rows: np.ndarray,
    keys: tuple[SortKey, ...],
    hits: SearchHits | None,
    first: int,
) -> PageSlice:
    page = rows[:first]
    columns = [_sort_values(index, k, hits, page) for k in keys]
    key_rows = [
        tuple(None if np.isnan(col[i]) else float(col[i]) for col in columns)
        for i in range(len(page))
    ]
    return PageSlice([int(i) for i in index.ids[page]], key_rows, len(rows) > first)


def _global_order(index: FacetIndex, key: SortKey) -> tuple[np.ndarray, np.ndarray]:
    cached = index.sort_orders.get(key.token)
    if cached is None:
        norm = _normalized(index.numbers[key.field].full(), key.descending)
        order = np.argsort(norm, kind="stable")  # stable: ties stay in id order
        cached = (order, norm[order])
        index.sort_orders[key.token] = cached
    return cached


def patched_order(
    index: FacetIndex,
    token: str,
    old: tuple[np.ndarray, np.ndarray],
    dropped: np.ndarray,
    touched: np.ndarray,
) -> None:
    """Keep in `index` the global order `token` of the index it was patched from (rows
    not renumbered): the `dropped` rows' entries (a mask of old rows) taken out and the
    `touched` rows' merged in at their places, as `_global_order` would sort them (by
    value, ties in row order). Two passes over the order, where sorting anew took four
    times as long at millions of models."""
    key = SortKey(token[:-1], token.endswith("-"))
    order, norm = old
    keep = ~dropped[order]
    order, norm = order[keep], norm[keep]
    touched = np.sort(touched)
    new_norm = _normalized(index.numbers[key.field].take(touched), key.descending)
    by_value = np.argsort(new_norm, kind="stable")  # touched is ascending: ties by row
    touched, new_norm = touched[by_value], new_norm[by_value]
    at = np.searchsorted(norm, new_norm, side="left")
    ties = np.searchsorted(norm, new_norm, side="right") - at
    for i in np.flatnonzero(ties).tolist():  # among equal values, by row
        lo = int(at[i])
        at[i] = lo + int(np.searchsorted(order[lo : lo + int(ties[i])], touched[i]))
    index.sort_orders[token] = (np.insert(order, at, touched), np.insert(norm, at, new_norm))


def page_single_key(
    index: FacetIndex, mask: np.ndarray, key: SortKey, cursor: Cursor | None, first: int
) -> PageSlice:
    """A page along one precomputed global order: scan it from the cursor, keep masked rows."""
    order, sorted_norm = _global_order(index, key)
    start = 0
    if cursor is not None:
        c = _norm_cursor(cursor.values[0], key.descending)
        lo = int(np.searchsorted(sorted_norm, c, side="left"))
        hi = int(np.searchsorted(sorted_norm, c, side="right"))
        start = lo + int(np.searchsorted(index.ids[order[lo:hi]], cursor.model_id, side="right"))
    found: list[np.ndarray] = []
    have, chunk = 0, _SCAN_CHUNK
    while start < len(order) and have <= first:
        part = order[start : start + chunk]
        kept = part[mask[part]]
        found.append(kept)
        have += len(kept)
        start += chunk
        chunk *= 2
    rows = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    return _slice(index, rows[: first + 1], (key,), None, first)


def page_any(
    index: FacetIndex,
    mask: np.ndarray,
    keys: tuple[SortKey, ...],
    *,
    hits: SearchHits | None,
    cursor: Cursor | None,
    first: int,
) -> PageSlice:
    """A page by sorting the matching rows (relevance and multi-key sorts)."""
    rows = np.flatnonzero(mask)
    norms = [_normalized(_sort_values(index, k, hits, rows), k.descending) for k in keys]
    ids = index.ids[rows]
    if cursor is not None:
        after = ids > cursor.model_id
        for key, norm, value in reversed(list(zip(keys, norms, cursor.values, strict=True))):
            c = _norm_cursor(value, key.descending)
            after = (norm > c) | ((norm == c) & after)
        rows, ids, norms = rows[after], ids[after], [n[after] for n in norms]
    return _slice(index, rows[_first_in_order(ids, norms, first + 1)], keys, hits, first)


def _first_in_order(ids: np.ndarray, norms: list[np.ndarray], count: int) -> np.ndarray:
    """Positions of the `count` first rows in (norms..., id) order, in that order.

    Sorting every match costs O(n log n) (7 ms for 200,000 hits of a common word); only
    rows whose first key is at most the count-th smallest can be among the first, so a
    partition picks them (ties included) and only they are sorted.
    """
    if len(ids) > 4 * count:
        cut = np.partition(norms[0], count - 1)[count - 1]
        keep = np.flatnonzero(norms[0] <= cut)
        order = np.lexsort((ids[keep], *reversed([n[keep] for n in norms])))[:count]
        return keep[order]
    return np.lexsort((ids, *reversed(norms)))[:count]


def warm(index: FacetIndex) -> None:
    """Compute now the arrays queries otherwise compute on first use (facet codes, rows
    grouped by model, value bitsets, the order of the default sort), so that a shared
    index carries them and no worker holds a private copy. Other sort orders stay lazy:
    each costs 16 bytes a model, and most are rarely asked for."""
    shown_bits(index)
    for field in DIMENSIONS:
        bucket_codes(index, field)
    multi = [field for field, dim in DIMENSIONS.items() if dim.multi]
    # numpy sorts without the GIL: two threads use both cores of a small machine.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda f: _by_row(index, f), multi))
        list(pool.map(lambda f: bitsets.bitsets(index, f), DIMENSIONS))
    _global_order(index, SortKey("downloads", descending=True))
