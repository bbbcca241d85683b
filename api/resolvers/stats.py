"""Dashboard resolvers: `stats`, `downloadSeries`, vocabularies and `harvestRuns`, `compare`."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.context import Context
from api.inputs import ModelFilter, parse_id, to_query_filter
from api.resolvers.counts import platforms as platform_rows
from api.types.compare import ComparisonRow, ComparisonTable
from api.types.model import load_models
from api.types.search import FacetField
from api.types.stats import Interval, PivotCell, PivotKey, PivotTable, SeriesPoint
from api.types.vocab import Format, HarvestRun, Modality, Platform, Task
from catalog.queries import compare as compare_q
from catalog.queries import stats as stats_q
from catalog.queries.errors import QueryError
from catalog.queries.families import family_compare_ids
from catalog.queries.filters import ModelQuery, SortKey
from catalog.queries.resolve import resolve_filter
from catalog.queries.search import search_models
from catalog.queries.vocabularies import list_formats, list_modalities, list_tasks


def stats(
    info: strawberry.Info[Context, None],
    rows: FacetField,
    filter: ModelFilter | None = None,  # noqa: A002 - the contract's argument name
    search: str | None = None,
    columns: FacetField | None = None,
) -> PivotTable:
    """Counts of models per value of `rows` (x `columns`) under a filter."""
    ctx = info.context
    # Sorted by downloads: counting needs no relevance ranks.
    by_downloads = (SortKey("downloads", True),)
    query = ModelQuery(filter=to_query_filter(filter), search=search, sort=by_downloads, first=0)
    found = search_models(ctx.session, query, ctx.index_cache)
    result = found.pivot(rows.value, columns.value if columns else None)
    counts = {(c.row, c.column): c.count for c in result.cells}
    col_values: list[str | None] = [k.value for k in result.columns] if columns else [None]
    return PivotTable(
        row_field=rows,
        column_field=columns,
        rows=[PivotKey(value=k.value, label=k.label, count=k.count) for k in result.rows],
        columns=[PivotKey(value=k.value, label=k.label, count=k.count) for k in result.columns],
        cells=[PivotCell(row=c.row, column=c.column, count=c.count) for c in result.cells],
        matrix=[[counts.get((r.value, c), 0) for c in col_values] for r in result.rows],
    )


def download_series(
    info: strawberry.Info[Context, None],
    filter: ModelFilter | None = None,  # noqa: A002 - the contract's argument name
    search: str | None = None,
    interval: Interval = Interval.DAY,
    since: dt.datetime | None = None,
) -> list[SeriesPoint]:
    """Downloads over time of the models matching a filter."""
    session = info.context.session
    rf = resolve_filter(session, to_query_filter(filter))
    text = (search or "").strip() or None
    points = stats_q.download_series(session, rf, text, interval.value, since)
    return [
        SeriesPoint(start=p.start, downloads=p.downloads, likes=p.likes, models=p.models)
        for p in points
    ]


def platforms(info: strawberry.Info[Context, None]) -> list[Platform]:
    """Every platform."""
    return [Platform(slug=s, name=n, url=u) for s, n, u in platform_rows(info.context).values()]


def modalities(info: strawberry.Info[Context, None]) -> list[Modality]:
    """Every modality."""
    return [Modality(slug=s, name=n) for s, n in list_modalities(info.context.session)]


def tasks(info: strawberry.Info[Context, None], modality: str | None = None) -> list[Task]:
    """Every task, or those of one modality."""
    rows = list_tasks(info.context.session, modality)
    return [Task(slug=s, name=n, modality=m) for s, n, m in rows]


def formats(info: strawberry.Info[Context, None]) -> list[Format]:
    """Every format."""
    return [Format(slug=s, name=n) for s, n in list_formats(info.context.session)]


def harvest_runs(
    info: strawberry.Info[Context, None], platform: str | None = None, last: int = 20
) -> list[HarvestRun]:
    """The most recent harvest runs, newest first."""
    rows = stats_q.harvest_runs(info.context.session, platform, last)
    return [HarvestRun.from_row(r) for r in rows]


async def compare(
    info: strawberry.Info[Context, None],
    ids: list[strawberry.ID] | None = None,
    refs: list[str] | None = None,
    family: str | None = None,
) -> ComparisonTable:
    """Compare models side by side; unknown ids or refs give one error listing them. With
    `family`, the family's most downloaded models on each hub (derivatives left out)."""
    session = info.context.session
    model_ids = [i for i in (parse_id(i, "ids") for i in ids or []) if i is not None]
    if family is not None:
        model_ids += family_compare_ids(session, family)
        if not model_ids and not refs:
            raise QueryError(f"family {family!r} has no models to compare yet")
    reads = info.context.loaders.comparison_reads()
    resolved = compare_q.resolve_compared(session, model_ids, refs or [], reads)
    table = compare_q.build_comparison(session, resolved, reads)
    found = await load_models(info.context, table.model_ids)
    return ComparisonTable(
        models=[m for m in found if m is not None],
        rows=[
            ComparisonRow(attribute=r.attribute, label=r.label, values=r.values, differs=r.differs)
            for r in table.rows
        ],
    )
