"""The SQL search backend: filters, keyset pages, totals and facet counts as SELECTs.

It is the reference the in-memory facet index must agree with, and the fallback while
that index is built.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, not_, or_, select
from sqlalchemy.orm import Session

from catalog.models import Model
from catalog.queries.dimensions import (
    DIMENSIONS,
    RANGES,
    Dimension,
    RangeFacet,
    model_column,
    slug_column,
)
from catalog.queries.filters import Cursor, ModelQuery, SortKey, from_timestamp_key, timestamp_key
from catalog.queries.resolve import ResolvedFilter
from catalog.queries.results import FacetBucket, FacetCounts, PageSlice, order_buckets
from catalog.queries.text_search import build_match, build_rank

_TIMESTAMP_SORTS = {"created": Model.created_at, "last_modified": Model.last_modified}
_PLAIN_SORTS = {
    "downloads": Model.downloads,
    "likes": Model.likes,
    "trending": Model.trending_score,
    "parameters": Model.parameters,
}


def _has_any(dim: Dimension, ids: frozenset[int]) -> ColumnElement[bool]:
    if not ids:
        return false()
    if dim.multi:
        assoc = dim.assoc
        value_col = getattr(assoc, str(dim.assoc_attr))
        return Model.id.in_(select(assoc.model_id).where(value_col.in_(sorted(ids))))
    return model_column(dim).in_(sorted(ids))


def _has_none(dim: Dimension, ids: frozenset[int]) -> ColumnElement[bool]:
    if dim.multi:
        return not_(_has_any(dim, ids))
    col = model_column(dim)
    return or_(col.is_(None), col.not_in(sorted(ids)))


def build_conditions(
    rf: ResolvedFilter, search: str | None, skip: str | None = None
) -> list[ColumnElement[bool]]:
    """WHERE conditions for a resolved filter and search text, leaving out field `skip`.

    Leaving a field out is how disjunctive facet counts are made: a facet counts under
    every condition but its own.
    """
    conds: list[ColumnElement[bool]] = []
    if not rf.include_removed:
        conds.append(Model.removed_at.is_(None))
    if not rf.include_nsfw:
        conds.append(Model.nsfw.is_not(True))
    for field, ids in rf.include.items():
        if field != skip:
            conds.append(_has_any(DIMENSIONS[field], ids))
    for field, ids in rf.exclude.items():
        if field != skip:
            conds.append(_has_none(DIMENSIONS[field], ids))
    for field, ids in rf.required.items():
        conds.append(_has_any(DIMENSIONS[field], ids))
    conds += _range_conditions(rf, skip)
    if rf.id_set is not None:
        conds.append(Model.id.in_(sorted(rf.id_set)) if rf.id_set else false())
    if search:
        match = build_match(search)
        conds.append(match if match is not None else false())
    return conds


def _range_conditions(rf: ResolvedFilter, skip: str | None) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    for field, low, high in rf.bounds:
        if field != skip:
            conds.append(_within(RANGES[field], low, high))
    if rf.min_downloads is not None:
        conds.append(Model.downloads >= rf.min_downloads)
    if rf.created_after_us is not None:
        conds.append(Model.created_at >= from_timestamp_key(rf.created_after_us))
    if rf.updated_after_us is not None:
        conds.append(Model.last_modified >= from_timestamp_key(rf.updated_after_us))
    return conds


def _within(rng: RangeFacet, low: float | None, high: float | None) -> ColumnElement[bool]:
    col = rng.sql_column()
    parts = [col >= low] if low is not None else []
    if high is not None:
        parts.append(col <= high)
    if rng.table is Model:
        return and_(*parts)
    return Model.id.in_(select(rng.table.model_id).where(*parts))


def sort_expression(key: SortKey, search: str | None) -> Any:
    """The SQL value a sort key orders by."""
    if key.field == "relevance":
        assert search
        return build_rank(search)
    if key.field == "name":
        return func.lower(Model.name)
    if key.field in _TIMESTAMP_SORTS:
        return _TIMESTAMP_SORTS[key.field]
    return _PLAIN_SORTS[key.field]


def _cursor_param(key: SortKey, value: Any) -> Any:
    return from_timestamp_key(value) if key.field in _TIMESTAMP_SORTS else value


def keyset_condition(
    keys: tuple[SortKey, ...], exprs: list[ColumnElement[Any]], cursor: Cursor
) -> ColumnElement[bool]:
    """Rows strictly after the cursor in `(keys..., id)` order, nulls last."""
    cond: ColumnElement[bool] = Model.id > cursor.model_id
    for key, expr, value in reversed(list(zip(keys, exprs, cursor.values, strict=True))):
        if value is None:
            cond = and_(expr.is_(None), cond)
            continue
        param = _cursor_param(key, value)
        beyond = expr < param if key.descending else expr > param
        cond = or_(beyond, expr.is_(None), and_(expr == param, cond))
    return cond


def _key_value(key: SortKey, value: Any) -> object:
    if value is None:
        return None
    if key.field in _TIMESTAMP_SORTS:
        return timestamp_key(value)
    if key.field == "name":
        return str(value)
    return float(value)


def build_page_select(query: ModelQuery, rf: ResolvedFilter, cursor: Cursor | None) -> Select[Any]:
    """Ids and sort values of one page (plus one row to tell whether more follow)."""
    keys = query.sort_keys
    exprs = [sort_expression(k, query.search_text) for k in keys]
    conds = build_conditions(rf, query.search_text)
    if cursor is not None:
        conds.append(keyset_condition(keys, exprs, cursor))
    order = [
        (e.desc() if k.descending else e.asc()).nulls_last()
        for k, e in zip(keys, exprs, strict=True)
    ]
    return select(Model.id, *exprs).where(*conds).order_by(*order, Model.id).limit(query.first + 1)


def sql_page(
    session: Session, query: ModelQuery, rf: ResolvedFilter, cursor: Cursor | None
) -> PageSlice:
    """One page of model ids through SQL."""
    rows = session.execute(build_page_select(query, rf, cursor)).all()
    keys = query.sort_keys
    page = rows[: query.first]
    return PageSlice(
        ids=[row[0] for row in page],
        keys=[tuple(_key_value(k, v) for k, v in zip(keys, row[1:], strict=True)) for row in page],
        has_next=len(rows) > query.first,
    )


def build_count_select(rf: ResolvedFilter, search: str | None) -> Select[int]:
    """How many models match."""
    return select(func.count()).select_from(Model).where(*build_conditions(rf, search))


def range_bucket(rng: RangeFacet) -> ColumnElement[Any]:
    """The bucket slug of a range facet's number (buckets in ascending order)."""
    col = rng.sql_column()
    whens = [
        (col <= high if rng.inclusive else col < high, slug)
        for slug, _label, high in rng.buckets[:-1]
    ]
    return case(*whens, else_=rng.buckets[-1][0])


def range_from(rng: RangeFacet) -> Select[Any]:
    """`SELECT ... FROM models` joined to the table of a range facet's number, if another."""
    stmt = select().select_from(Model)
    if rng.table is not Model:
        stmt = stmt.join(rng.table, rng.table.model_id == Model.id)
    return stmt


def build_facet_select(
    field: str, rf: ResolvedFilter, search: str | None, scope: frozenset[int] | None = None
) -> Select[Any]:
    """(value, label, count) of one facet under every condition but its own; `scope`
    keeps only those vocabulary ids as buckets (the level of a tree shown)."""
    conds = build_conditions(rf, search, skip=field)
    if field in RANGES:
        rng = RANGES[field]
        bucket = range_bucket(rng).label("bucket")
        return (
            range_from(rng)
            .add_columns(bucket, bucket, func.count())
            .where(rng.sql_column().is_not(None), *conds)
            .group_by(bucket)
        )
    dim = DIMENSIONS[field]
    slug = slug_column(dim)
    label = getattr(dim.vocab, dim.label_attr)
    if dim.multi:
        assoc = dim.assoc
        value_col = getattr(assoc, str(dim.assoc_attr))
        stmt = (
            select(slug, func.min(label), func.count())
            .select_from(assoc)
            .join(Model, Model.id == assoc.model_id)
            .join(dim.vocab, dim.vocab.id == value_col)
        )
    else:
        stmt = (
            select(slug, func.min(label), func.count())
            .select_from(Model)
            .join(dim.vocab, dim.vocab.id == model_column(dim))
        )
    if scope is not None:
        conds.append(dim.vocab.id.in_(sorted(scope)) if scope else false())
    # Authors are per platform: one slug on two hubs is one bucket.
    return stmt.where(*conds).group_by(slug)


def sql_facets(
    session: Session,
    fields: list[str],
    rf: ResolvedFilter,
    search: str | None,
    limit: int,
    *,
    scopes: dict[str, frozenset[int]] | None = None,
) -> list[FacetCounts]:
    """Facet counts through one GROUP BY per facet (`scopes`: see `build_facet_select`)."""
    result = []
    for field in fields:
        scope = (scopes or {}).get(field)
        rows = session.execute(build_facet_select(field, rf, search, scope)).tuples()
        labels = RANGES[field].labels if field in RANGES else {}
        buckets = [FacetBucket(str(value), labels.get(value, label), n) for value, label, n in rows]
        result.append(FacetCounts(field, order_buckets(buckets, limit)))
    return result
