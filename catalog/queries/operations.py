"""Run history for scheduling and operations dashboards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.models import HarvestRun, Model, Platform


@dataclass(frozen=True, slots=True)
class RunHistory:
    """What scheduling needs to know about a platform's past runs.

    Attributes:
        last_success: When the last successful run that counts for the schedule's kind
            finished (a full run counts for an incremental schedule too).
        failures_since_success: Failed or interrupted runs of the platform, of any kind,
            since its last successful run of any kind: how long the hub has been failing.
            (An incremental schedule starts a full run until a watermark exists, so its
            failures are recorded as full runs.)
        last_failure: When the newest of those failures finished.
    """

    last_success: dt.datetime | None
    failures_since_success: int
    last_failure: dt.datetime | None


def run_history(session: Session, platform: str, kind: str) -> RunHistory:
    """Successes of `platform`'s runs of `kind`, and its failures since it last worked."""
    kinds = ("full", "incremental") if kind == "incremental" else ("full",)
    platform_id = select(Platform.id).where(Platform.slug == platform).scalar_subquery()
    succeeded = (HarvestRun.platform_id == platform_id) & (HarvestRun.status == "succeeded")
    last_success, last_any_success = session.execute(
        select(
            func.max(HarvestRun.finished_at).filter(HarvestRun.kind.in_(kinds)),
            func.max(HarvestRun.finished_at),
        ).where(succeeded)
    ).one()
    failed = select(func.count(), func.max(HarvestRun.finished_at)).where(
        HarvestRun.platform_id == platform_id,
        HarvestRun.status.in_(("failed", "interrupted")),
    )
    if last_any_success is not None:
        failed = failed.where(HarvestRun.finished_at > last_any_success)
    count, last_failure = session.execute(failed).one()
    return RunHistory(last_success, int(count), last_failure)


@dataclass(frozen=True, slots=True)
class PlatformRunMetrics:
    """Totals over every recorded run of one platform, for a metrics endpoint."""

    platform: str
    runs_by_status: dict[str, int]
    records: dict[str, int]
    last_success: dt.datetime | None
    last_duration_seconds: float | None
    live_models: int


RECORD_COUNTERS = ("seen", "new", "changed", "unchanged", "quarantined", "removed")


def run_metrics(session: Session) -> list[PlatformRunMetrics]:
    """Run totals per platform (every platform, zero included), from `harvest_runs`."""
    by_status: dict[str, dict[str, int]] = {}
    status_rows = session.execute(
        select(Platform.slug, HarvestRun.status, func.count())
        .join(HarvestRun, HarvestRun.platform_id == Platform.id)
        .group_by(Platform.slug, HarvestRun.status)
    ).tuples()
    for slug, status, count in status_rows:
        by_status.setdefault(slug, {})[status] = int(count)
    sums = [func.coalesce(func.sum(HarvestRun.counts[c].as_integer()), 0) for c in RECORD_COUNTERS]
    last_success = func.max(HarvestRun.finished_at).filter(HarvestRun.status == "succeeded")
    rows = session.execute(
        select(Platform.slug, last_success, *sums)
        .outerjoin(HarvestRun, HarvestRun.platform_id == Platform.id)
        .group_by(Platform.id)
        .order_by(Platform.id)
    ).all()
    durations = dict(
        session.execute(
            select(
                Platform.slug, func.extract("epoch", HarvestRun.finished_at - HarvestRun.started_at)
            )
            .join(HarvestRun, HarvestRun.platform_id == Platform.id)
            .where(HarvestRun.finished_at.is_not(None))
            .distinct(HarvestRun.platform_id)
            .order_by(HarvestRun.platform_id, HarvestRun.finished_at.desc())
        )
        .tuples()
        .all()
    )
    live = dict(
        session.execute(
            select(Platform.slug, func.count(Model.id))
            .outerjoin(Model, (Model.platform_id == Platform.id) & Model.removed_at.is_(None))
            .group_by(Platform.slug)
        )
        .tuples()
        .all()
    )
    return [
        PlatformRunMetrics(
            platform=slug,
            runs_by_status=by_status.get(slug, {}),
            records=dict(zip(RECORD_COUNTERS, (int(v) for v in totals), strict=True)),
            last_success=success,
            last_duration_seconds=float(durations[slug]) if slug in durations else None,
            live_models=int(live.get(slug, 0)),
        )
        for slug, success, *totals in rows
    ]
