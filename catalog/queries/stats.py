"""Dashboard queries: counts matrices over two facets, download series, vocabulary counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, null, select
from sqlalchemy.orm import Session, aliased

from catalog.models import Model, ModelMetric, Platform
from catalog.queries.dimensions import DIMENSIONS, FACET_FIELDS, RANGES
from catalog.queries.errors import QueryError, invalid_value_error
from catalog.queries.resolve import ResolvedFilter
from catalog.queries.sql_search import build_conditions, range_bucket
from catalog.queries.status import live_runs

INTERVALS = ("day", "week", "month")
MAX_KEYS = 100


@dataclass(frozen=True, slots=True)
class PivotKey:
    """A row or column of a pivot table with its total."""

    value: str
    label: str | None
    count: int


@dataclass(frozen=True, slots=True)
class PivotCell:
    """Models having both the row value and the column value."""

    row: str
    column: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Pivot:
    """A counts matrix; `columns` is empty for a one-dimensional count."""

    rows: list[PivotKey]
    columns: list[PivotKey]
    cells: list[PivotCell]


Axis = tuple[ColumnElement[Any], ColumnElement[Any], list[tuple[Any, Any]], list[Any]]


def _axis(field: str, scope: frozenset[int] | None = None) -> Axis:
    """(value, label, joins, conditions) of one pivot axis; `scope` keeps only those
    vocabulary ids (the level of a tree shown)."""
    if field in RANGES:
        rng = RANGES[field]
        joins = []
        if rng.table is not Model:
            rng = replace(rng, table=aliased(rng.table))
            joins.append((rng.table, rng.table.model_id == Model.id))
        bucket = range_bucket(rng)
        return bucket, bucket, joins, [rng.sql_column().is_not(None)]
    dim = DIMENSIONS[field]
    vocab = aliased(dim.vocab)
    value = getattr(vocab, dim.slug_attr)
    label = func.min(getattr(vocab, dim.label_attr))
    if dim.multi:
        assoc = aliased(dim.assoc)
        joins = [
            (assoc, assoc.model_id == Model.id),
            (vocab, vocab.id == getattr(assoc, str(dim.assoc_attr))),
        ]
    else:
        joins = [(vocab, vocab.id == getattr(Model, str(dim.column)))]
    if scope is not None:  # the level of a tree shown: a join condition keeps it one statement
        last, onclause = joins[-1]
        joins[-1] = (last, and_(onclause, vocab.id.in_(sorted(scope)) if scope else false()))
    return value, label, joins, []


def build_pivot_select(
    rf: ResolvedFilter,
    search: str | None,
    rows: str,
    columns: str | None,
    *,
    scopes: dict[str, frozenset[int]] | None = None,
) -> Select[Any]:
    """(row value, row label, column value, column label, models) grouped; `scopes` keeps
    only those vocabulary ids of a field."""
    check_pivot_fields(rows, columns)
    scopes = scopes or {}
    r_value, r_label, joins, conds = _axis(rows, scopes.get(rows))
    if columns is not None:
        c_value, c_label, c_joins, c_conds = _axis(columns, scopes.get(columns))
        joins += c_joins
        conds += c_conds
    else:
        c_value = c_label = null()
    selected = [r_value, r_label, c_value, c_label, func.count(func.distinct(Model.id))]
    stmt = select(*selected).select_from(Model)
    for target, onclause in joins:
        stmt = stmt.join(target, onclause)
    conds += build_conditions(rf, search)
    group = [r_value] if columns is None else [r_value, c_value]
    return stmt.where(*conds).group_by(*group)


def check_pivot_fields(rows: str, columns: str | None) -> None:
    """Raise a QueryError naming the valid fields when one is unknown."""
    for name, field in (("rows", rows), ("columns", columns)):
        if field is not None and field not in FACET_FIELDS:
            raise invalid_value_error(name, [field], FACET_FIELDS)


def pivot(
    session: Session,
    rf: ResolvedFilter,
    search: str | None,
    rows: str,
    columns: str | None,
    *,
    scopes: dict[str, frozenset[int]] | None = None,
) -> Pivot:
    """Counts of models per (row value, column value) under a filter, through SQL."""
    stmt = build_pivot_select(rf, search, rows, columns, scopes=scopes)
    return assemble_pivot(session.execute(stmt).tuples(), rows, columns)


def assemble_pivot(
    found: Iterable[tuple[Any, Any, Any, Any, int]], rows: str, columns: str | None
) -> Pivot:
    """A pivot from (row value, row label, column value, column label, count) tuples."""
    row_labels = RANGES[rows].labels if rows in RANGES else {}
    col_labels = RANGES[columns].labels if columns in RANGES else {}
    row_tot: dict[str, int] = defaultdict(int)
    col_tot: dict[str, int] = defaultdict(int)
    names: dict[str, str | None] = {}
    cells = []
    for r, rl, c, cl, n in found:
        names[f"r:{r}"] = row_labels.get(r, rl)
        row_tot[r] += n
        if c is not None:
            names[f"c:{c}"] = col_labels.get(c, cl)
            col_tot[c] += n
        cells.append(PivotCell(r, c, n))

    def keys(totals: dict[str, int], prefix: str) -> list[PivotKey]:
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_KEYS]
        return [PivotKey(v, names[f"{prefix}{v}"], n) for v, n in ranked]

    row_keys, col_keys = keys(row_tot, "r:"), keys(col_tot, "c:")
    kept_r, kept_c = {k.value for k in row_keys}, {k.value for k in col_keys}
    cells = [c for c in cells if c.row in kept_r and (c.column is None or c.column in kept_c)]
    cells.sort(key=lambda c: (c.row, c.column or ""))
    return Pivot(row_keys, col_keys, cells)


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """Downloads and likes summed over the models seen in one time bucket."""

    start: dt.datetime
    downloads: int
    likes: int
    models: int


def download_series(
    session: Session,
    rf: ResolvedFilter,
    search: str | None,
    interval: str,
    since: dt.datetime | None,
) -> list[SeriesPoint]:
    """Per time bucket, the sum of each matching model's last observation in it."""
    if interval not in INTERVALS:
        raise invalid_value_error("interval", [interval], INTERVALS)
    bucket = func.date_trunc(interval, ModelMetric.observed_at).label("bucket")
    matching = select(Model.id).where(*build_conditions(rf, search))
    conds: list[ColumnElement[bool]] = [ModelMetric.model_id.in_(matching)]
    if since is not None:
        conds.append(ModelMetric.observed_at >= since)
    last = (
        select(bucket, ModelMetric.downloads, ModelMetric.likes)
        .where(*conds)
        .distinct(ModelMetric.model_id, bucket)
        .order_by(ModelMetric.model_id, bucket, ModelMetric.observed_at.desc())
        .subquery()
    )
    stmt = (
        select(
            last.c.bucket,
            func.coalesce(func.sum(last.c.downloads), 0),
            func.coalesce(func.sum(last.c.likes), 0),
            func.count(),
        )
        .group_by(last.c.bucket)
        .order_by(last.c.bucket)
    )
    return [SeriesPoint(*row) for row in session.execute(stmt).tuples()]


@dataclass(frozen=True, slots=True)
class RunRow:
    """A harvest run for operations dashboards."""

    id: int
    platform: str
    kind: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    counts: dict[str, Any]
    error_summary: str | None


def harvest_runs(session: Session, platform: str | None, last: int) -> list[RunRow]:
    """The most recent runs, newest first, of one platform or all."""
    if not 1 <= last <= 500:
        raise QueryError(f"last must be between 1 and 500, got {last}")
    run = live_runs()
    stmt = select(
        run.id,
        Platform.slug,
        run.kind,
        run.status,
        run.started_at,
        run.finished_at,
        run.counts,
        run.error_summary,
    ).join(Platform, Platform.id == run.platform_id)
    if platform is not None:
        slugs = session.execute(select(Platform.slug)).scalars().all()
        if platform not in slugs:
            raise invalid_value_error("platform", [platform], slugs)
        stmt = stmt.where(Platform.slug == platform)
    stmt = stmt.order_by(run.started_at.desc(), run.id.desc()).limit(last)
    return [RunRow(*row) for row in session.execute(stmt).tuples()]
