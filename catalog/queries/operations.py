"""Run history for scheduling and operations dashboards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.models import HarvestRun, Platform


@dataclass(frozen=True, slots=True)
class RunHistory:
    """What scheduling needs to know about a platform's past runs of one kind.

    Attributes:
        last_success: When the last successful run (of this kind, or a full run, which
            covers an incremental one) finished.
        failures_since_success: Failed runs of this kind after that success.
        last_failure: When the newest of those failures finished.
    """

    last_success: dt.datetime | None
    failures_since_success: int
    last_failure: dt.datetime | None


def run_history(session: Session, platform: str, kind: str) -> RunHistory:
    """Successes and recent failures of `platform`'s runs of `kind`."""
    kinds = ("full", "incremental") if kind == "incremental" else ("full",)
    platform_id = select(Platform.id).where(Platform.slug == platform).scalar_subquery()
    last_success = session.scalar(
        select(func.max(HarvestRun.finished_at)).where(
            HarvestRun.platform_id == platform_id,
            HarvestRun.status == "succeeded",
            HarvestRun.kind.in_(kinds),
        )
    )
    failed = select(func.count(), func.max(HarvestRun.finished_at)).where(
        HarvestRun.platform_id == platform_id,
        HarvestRun.status.in_(("failed", "interrupted")),
        HarvestRun.kind == kind,
    )
    if last_success is not None:
        failed = failed.where(HarvestRun.finished_at > last_success)
    count, last_failure = session.execute(failed).one()
    return RunHistory(last_success, int(count), last_failure)
