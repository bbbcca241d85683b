"""Per-request cached lookups shared by many nodes (model counts, platforms, last runs)."""

from __future__ import annotations

from sqlalchemy import select

from api.context import Context
from catalog.models import Platform
from catalog.queries.filters import ModelQuery
from catalog.queries.search import MAX_FACET_LIMIT, search_models
from catalog.queries.stats import RunRow
from catalog.queries.status import build_last_runs_select


def model_counts(ctx: Context, field: str) -> dict[str, int]:
    """Live models per value of a facet, computed once per request."""

    def compute() -> dict[str, int]:
        result = search_models(ctx.session, ModelQuery(first=0), ctx.index_cache)
        (facet,) = result.facets([field], MAX_FACET_LIMIT)
        return {b.value: b.count for b in facet.buckets}

    return ctx.memo(f"counts:{field}", compute)


def last_runs(ctx: Context) -> dict[str, RunRow]:
    """The last harvest run of each platform."""

    def compute() -> dict[str, RunRow]:
        rows = ctx.session.execute(build_last_runs_select()).tuples()
        return {
            slug: RunRow(
                run.id,
                slug,
                run.kind,
                run.status,
                run.started_at,
                run.finished_at,
                dict(run.counts or {}),
                run.error_summary,
            )
            for slug, run in rows
        }

    return ctx.memo("last_runs", compute)


# Built once and run on the connection: the ORM's per-call set-up cost more than the query.
_PLATFORMS = select(Platform.slug, Platform.name, Platform.url).order_by(Platform.id)


def platforms(ctx: Context) -> dict[str, tuple[str, str, str | None]]:
    """Every platform: slug -> (slug, name, url)."""

    def compute() -> dict[str, tuple[str, str, str | None]]:
        rows = ctx.session.connection().execute(_PLATFORMS).tuples()
        return {row[0]: row for row in rows}

    return ctx.memo("platforms", compute)
