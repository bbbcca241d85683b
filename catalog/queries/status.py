"""Catalog status: models per platform and the last harvest run of each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from catalog.models import HarvestRun, Model, ModelSighting, Platform


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


def build_last_runs_select() -> Select[str, HarvestRun]:
    """The most recent run of each platform."""
    return (
        select(Platform.slug, HarvestRun)
        .join(HarvestRun, HarvestRun.platform_id == Platform.id)
        .distinct(HarvestRun.platform_id)
        .order_by(HarvestRun.platform_id, HarvestRun.started_at.desc(), HarvestRun.id.desc())
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
    """The newest `limit` runs of every platform, newest first."""
    return (
        select(Platform.slug, HarvestRun)
        .join(HarvestRun, HarvestRun.platform_id == Platform.id)
        .order_by(HarvestRun.started_at.desc(), HarvestRun.id.desc())
        .limit(limit)
    )


def recent_runs(session: Session, limit: int = 10) -> list[tuple[str, RunSummary]]:
    """The newest runs with their platform, newest first."""
    rows = session.execute(build_recent_runs_select(limit)).tuples()
    return [(slug, run_summary(run)) for slug, run in rows]


def recent_runs_by_platform(session: Session, per_platform: int) -> dict[str, list[RunSummary]]:
    """The newest `per_platform` runs of each platform (newest first); one statement."""
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
        select(Platform.slug, HarvestRun)
        .join(HarvestRun, HarvestRun.platform_id == Platform.id)
        .join(ranked, ranked.c.id == HarvestRun.id)
        .where(ranked.c.n <= per_platform)
        .order_by(Platform.id, ranked.c.n)
    )
    found: dict[str, list[RunSummary]] = {}
    for slug, run in session.execute(stmt).tuples():
        found.setdefault(slug, []).append(run_summary(run))
    return found


@dataclass(frozen=True, slots=True)
class Sighting:
    """When a harvest last saw a model, and that run (None once the run is gone)."""

    last_seen_at: dt.datetime
    run: RunSummary | None


def model_sighting(session: Session, model_id: int) -> Sighting | None:
    """The last sighting of a model; None when no harvest has recorded one."""
    stmt = (
        select(ModelSighting.last_seen_at, HarvestRun)
        .outerjoin(HarvestRun, HarvestRun.id == ModelSighting.last_seen_run_id)
        .where(ModelSighting.model_id == model_id)
    )
    row = session.execute(stmt).tuples().first()
    if row is None:
        return None
    seen, run = row
    return Sighting(seen, run_summary(run) if run is not None else None)
