"""Catalog status: models per platform and the last harvest run of each."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, aliased

from catalog.leases import run_is_live
from catalog.models import HarvestRun, Model, ModelSighting, Platform

ORPHANED_SUMMARY = (
    "the run ended without recording how (its process or its database connection went "
    "away); the next run resumes"
)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The essentials of one harvest run."""

    id: int
    kind: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    counts: dict[str, Any]
    error_summary: str | None


@dataclass(frozen=True, slots=True)
class PlatformStatus:
    """Model counts and the last run of one platform."""

    slug: str
    name: str
    models: int
    removed: int
    last_run: RunSummary | None = field(default=None)


def build_platform_counts_select() -> Select[str, str, int, int]:
    """Live and removed model counts per platform (every platform, zero included)."""
    live = func.count(Model.id).filter(Model.removed_at.is_(None))
    removed = func.count(Model.id).filter(Model.removed_at.is_not(None))
    return (
        select(Platform.slug, Platform.name, live, removed)
        .outerjoin(Model, Model.platform_id == Platform.id)
        .group_by(Platform.id)
        .order_by(Platform.id)
    )


@functools.cache
def live_runs() -> type[HarvestRun]:
    """`harvest_runs` as reads should show it: a `running` run whose lock is no longer
    held is `interrupted` (its process was killed or lost its connection, and nothing
    recorded that yet; the next run of the platform will). Built once: an expression
    is immutable, and building this one took longer than running the query using it.

    Returns:
        An alias of `HarvestRun` over that view of the table, for use in selects.
    """
    orphaned = (HarvestRun.status == "running") & ~run_is_live(
        HarvestRun.platform_id, HarvestRun.id
    )
    kept = [c for c in HarvestRun.__table__.c if c.name not in {"status", "error_summary"}]
    shown = select(
        *kept,
        case((orphaned, "interrupted"), else_=HarvestRun.status).label("status"),
        case((orphaned, ORPHANED_SUMMARY), else_=HarvestRun.error_summary).label("error_summary"),
    ).subquery("harvest_runs_shown")
    return aliased(HarvestRun, shown, adapt_on_names=True)


def build_last_runs_select() -> Select[str, HarvestRun]:
    """The most recent run of each platform (with the status reads show)."""
    run = live_runs()
    return (
        select(Platform.slug, run)
        .join(run, run.platform_id == Platform.id)
        .distinct(run.platform_id)
        .order_by(run.platform_id, run.started_at.desc(), run.id.desc())
    )


def run_summary(run: HarvestRun) -> RunSummary:
    """A detached summary of a run row."""
    return RunSummary(
        id=run.id,
        kind=run.kind,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        counts=dict(run.counts or {}),
        error_summary=run.error_summary,
    )


def platform_status(session: Session) -> list[PlatformStatus]:
    """Counts and last run for every platform, in platform order."""
    last = {
        slug: run_summary(run) for slug, run in session.execute(build_last_runs_select()).tuples()
    }
    return [
        PlatformStatus(slug, name, live, removed, last.get(slug))
        for slug, name, live, removed in session.execute(build_platform_counts_select()).tuples()
    ]


def build_recent_runs_select(limit: int) -> Select[str, HarvestRun]:
    """The newest `limit` runs of every platform, newest first (with the status reads
    show)."""
    run = live_runs()
    return (
        select(Platform.slug, run)
        .join(run, run.platform_id == Platform.id)
        .order_by(run.started_at.desc(), run.id.desc())
        .limit(limit)
    )


def recent_runs(session: Session, limit: int = 10) -> list[tuple[str, RunSummary]]:
    """The newest runs with their platform, newest first."""
    rows = session.execute(build_recent_runs_select(limit)).tuples()
    return [(slug, run_summary(run)) for slug, run in rows]


def recent_runs_by_platform(session: Session, per_platform: int) -> dict[str, list[RunSummary]]:
    """The newest `per_platform` runs of each platform (newest first, with the status
    reads show); one statement."""
    run = live_runs()
    ranked = (
        select(
            HarvestRun.id,
            func.row_number()
            .over(
                partition_by=HarvestRun.platform_id,
                order_by=(HarvestRun.started_at.desc(), HarvestRun.id.desc()),
            )
            .label("n"),
        )
    ).subquery()
    stmt = (
        select(Platform.slug, run)
        .join(run, run.platform_id == Platform.id)
        .join(ranked, ranked.c.id == run.id)
        .where(ranked.c.n <= per_platform)
        .order_by(Platform.id, ranked.c.n)
    )
    found: dict[str, list[RunSummary]] = {}
    for slug, row in session.execute(stmt).tuples():
        found.setdefault(slug, []).append(run_summary(row))
    return found


@dataclass(frozen=True, slots=True)
class Sighting:
    """When a harvest last saw a model, and that run (None once the run is gone)."""

    last_seen_at: dt.datetime
    run: RunSummary | None


def model_sighting(session: Session, model_id: int) -> Sighting | None:
    """The last sighting of a model; None when no harvest has recorded one."""
    run = live_runs()
    stmt = (
        select(ModelSighting.last_seen_at, run)
        .outerjoin(run, run.id == ModelSighting.last_seen_run_id)
        .where(ModelSighting.model_id == model_id)
    )
    row = session.execute(stmt).tuples().first()
    if row is None:
        return None
    seen, found = row
    return Sighting(seen, run_summary(found) if found is not None else None)
