"""Plan a run (kind, resume point, window) and finish it (deletion sweep, watermark)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from catalog import runs
from catalog.settings import Settings
from harvesters.base import Harvester, Page, RawRecord, RunKind
from harvesters.report import HarvestReport

if TYPE_CHECKING:
    from harvesters.runner import RunOptions

WATERMARK = "watermark"
DEFAULT_LOOKBACK_HOURS = 6
MIN_ANALYZE_ROWS = 1000


@dataclass
class Plan:
    """Where a run starts and what it must remember as it goes."""

    platform_id: int
    run_id: int
    kind: RunKind
    started_at: dt.datetime
    sweep_started_at: dt.datetime
    since: dt.datetime | None
    resume: dict[str, Any] | None
    high_water: str | None
    slice_only: bool
    analyzed_size: int = 0
    new_at_analyze: int = 0

    def track(self, records: Sequence[RawRecord]) -> None:
        """Raise the high-water mark to the newest cursor value seen."""
        values = [r.cursor_value for r in records if r.cursor_value]
        if values:
            newest = max(values, key=_as_time)
            if self.high_water is None or _as_time(newest) > _as_time(self.high_water):
                self.high_water = newest

    def cursor_value(self, resume: Any) -> dict[str, Any]:
        """The cursor row saved with each batch."""
        return {
            "resume": dict(resume) if resume is not None else None,
            "sweep_started_at": self.sweep_started_at.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "high_water": self.high_water,
        }

    def refresh_statistics(self, session: Session, report: HarvestReport) -> bool:
        """ANALYZE the harvested tables whenever this run has doubled the catalog.

        A first sweep of a large hub grows every table from nothing; without fresh
        statistics the planner keeps planning batches for tiny tables.
        """
        added = report.new - self.new_at_analyze
        if added < max(self.analyzed_size, MIN_ANALYZE_ROWS):
            return False
        runs.analyze_harvested_tables(session)
        self.analyzed_size += added
        self.new_at_analyze = report.new
        return True

    def save_progress(self, session: Session, page: Page, report: HarvestReport) -> None:
        """Store counts and the checkpoint after `page` (committed with its batch)."""
        checkpoint = dict(page.checkpoint) if page.checkpoint is not None else None
        runs.save_run(session, self.run_id, counts=report.counts(), checkpoint=checkpoint)
        if not self.slice_only:
            runs.save_cursor(
                session,
                self.platform_id,
                self.kind,
                self.cursor_value(checkpoint),
                run_id=self.run_id,
                now=dt.datetime.now(dt.UTC),
            )


def plan_run(
    session: Session, harvester: Harvester, options: RunOptions, settings: Settings
) -> Plan:
    """Decide the kind, the window and the resume point of a run, and open its row."""
    now = dt.datetime.now(dt.UTC)
    platform_id = runs.platform_id(session, harvester.name)
    runs.close_stale_runs(session, platform_id, now)
    watermark = (runs.get_cursor(session, platform_id, WATERMARK) or {}).get("high_water")
    kind: RunKind = "full"
    if harvester.supports_incremental and not options.full and (options.since or watermark):
        kind = "incremental"
    slice_only = options.limit is not None or options.since is not None
    cursor = None if slice_only else runs.get_cursor(session, platform_id, kind)
    resume = cursor.get("resume") if cursor else None
    if resume is not None and cursor is not None:
        sweep_started = dt.datetime.fromisoformat(cursor["sweep_started_at"])
        since = _parse(cursor.get("since"))
        high_water = cursor.get("high_water")
    else:
        sweep_started, high_water = now, None
        since = (
            options.since or _window_start(watermark, harvester) if kind == "incremental" else None
        )
    run_id = runs.open_run(session, platform_id, kind, now)
    runs.save_run(session, run_id, checkpoint=resume)
    return Plan(
        platform_id, run_id, kind, now, sweep_started, since, resume, high_water, slice_only
    )


def finish_sweep(
    session: Session,
    plan: Plan,
    report: HarvestReport,
    *,
    settings: Settings,
    complete: bool,
) -> tuple[str, str | None]:
    """Close a run that reached its end: deletion sweep, watermark, cursor reset.

    Returns:
        The run status and its error summary (None when all went well).
    """
    if plan.slice_only or not complete:
        report.warn("a limited run (--limit or --since): no deletion sweep, no resume point")
        return "succeeded", None
    status, error = "succeeded", None
    if plan.kind == "full":
        status, error = _remove_unseen(session, plan, report, settings.removal_threshold)
    now = dt.datetime.now(dt.UTC)
    runs.save_cursor(
        session, plan.platform_id, plan.kind, plan.cursor_value(None), run_id=plan.run_id, now=now
    )
    old = (runs.get_cursor(session, plan.platform_id, WATERMARK) or {}).get("high_water")
    newest = max([v for v in (old, plan.high_water) if v], key=_as_time, default=None)
    if newest:
        runs.save_cursor(
            session,
            plan.platform_id,
            WATERMARK,
            {"high_water": newest},
            run_id=plan.run_id,
            now=now,
        )
    return status, error


def _remove_unseen(
    session: Session, plan: Plan, report: HarvestReport, threshold: float
) -> tuple[str, str | None]:
    unseen = runs.count_unseen(session, plan.platform_id, plan.sweep_started_at)
    live = runs.count_live(session, plan.platform_id)
    if unseen and live and unseen / live > threshold:
        return "failed", (
            f"deletion fail-safe: the sweep would remove {unseen:,} of {live:,} models "
            f"({unseen / live:.0%} > {threshold:.0%}); nothing was removed. If the hub really "
            "lost them, rerun with a higher CATALOG_REMOVAL_THRESHOLD"
        )
    report.removed = runs.mark_unseen_removed(
        session, plan.platform_id, plan.sweep_started_at, dt.datetime.now(dt.UTC)
    )
    return "succeeded", None


def _window_start(watermark: str | None, harvester: Harvester) -> dt.datetime | None:
    if watermark is None:
        return None
    hours = getattr(harvester.config, "lookback_hours", DEFAULT_LOOKBACK_HOURS)
    return _as_time(watermark) - dt.timedelta(hours=hours)


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _as_time(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
