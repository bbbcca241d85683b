"""Run one harvest of one platform: lock, fetch pages, process batches, sweep, record.

Each batch commits together with the run's checkpoint and counts, so a run killed at
any point resumes from its last committed page; upserts are idempotent, so re-reading
a page is harmless. Deletion is decided only after a complete full sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog import runs
from catalog.errors import CatalogError
from catalog.loader import VocabularyIds
from catalog.settings import Settings
from harvesters.base import FetchContext, Harvester, HarvestError, Page, RawRecord, RunKind
from harvesters.batch import BatchContext, LandedBatch, land_batch, process_batch
from harvesters.prefetch import Prefetcher
from harvesters.registry import harvester_class, sync_platforms
from harvesters.report import HarvestReport
from harvesters.sweep import Plan, finish_sweep, plan_run

log = logging.getLogger(__name__)


class HarvestLockedError(CatalogError):
    """Another process is harvesting the same platform."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run a harvest.

    Attributes:
        full: Force a full sweep (else incremental where the hub supports it).
        limit: Stop after this many records (a slice: no deletion sweep, no resume).
        since: For incremental runs: fetch changes since this moment.
        batch_size: Records per transaction.
        overrides: Per-hub configuration values (validated by the hub's config class).
    """

    full: bool = False
    limit: int | None = None
    since: dt.datetime | None = None
    batch_size: int = 1000
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    """The outcome of a run, as the CLI and the scheduler report it."""

    platform: str
    run_id: int | None
    kind: RunKind
    status: str
    counts: dict[str, int]
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return self.status == "succeeded"


Progress = Callable[[HarvestReport], None]


def run_harvest(
    platform: str,
    *,
    engine: Engine,
    settings: Settings,
    options: RunOptions | None = None,
    harvester: Harvester | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    precheck: Callable[[Session], bool] | None = None,
) -> RunResult:
    """Harvest `platform` once, holding its run lock for the whole run.

    `precheck`, when given, is asked again once the lock is held (e.g. "is this run
    still due?", since another process may have just finished one); False skips the run.

    Raises:
        HarvestLockedError: another run of this platform is in progress.
        UnknownPlatformError, HubPluginError: no hub loads under that slug.
        pydantic.ValidationError: the hub configuration is invalid.
    """
    options = options or RunOptions()
    if harvester is None:
        harvester = harvester_class(platform).from_settings(settings, options.overrides)
    with engine.connect() as lock_conn:
        if not runs.try_lock_platform(lock_conn, platform):
            raise HarvestLockedError(
                f"a harvest of {platform} is already running (another process holds its "
                "lock); this one did not start"
            )
        lock_conn.commit()
        try:
            if precheck is not None:
                with Session(engine) as session:
                    if not precheck(session):
                        return RunResult(platform, None, "full", "skipped", {}, "not due")
            return _run_locked(engine, settings, options, harvester, progress=progress, stop=stop)
        finally:
            runs.unlock_platform(lock_conn, platform)
            lock_conn.commit()
            harvester.close()


def _run_locked(
    engine: Engine,
    settings: Settings,
    options: RunOptions,
    harvester: Harvester,
    *,
    progress: Progress | None,
    stop: threading.Event | None,
) -> RunResult:
    report = HarvestReport()
    with Session(engine, expire_on_commit=False) as session:
        sync_platforms(session.connection(), [harvester])
        plan = plan_run(session, harvester, options, settings)
        session.commit()
        runs.ensure_metric_partition(session, plan.started_at)
        session.commit()
        status, error = "running", None
        try:
            complete = _consume(
                session,
                harvester,
                plan,
                options=options,
                report=report,
                progress=progress,
                stop=stop,
            )
            if complete is None:
                status, error = "interrupted", "stopped by a signal; the next run resumes"
            else:
                status, error = finish_sweep(
                    session, plan, report, settings=settings, complete=complete
                )
        except HarvestError as exc:
            session.rollback()
            stopping = stop is not None and stop.is_set()
            status, error = ("interrupted" if stopping else "failed"), str(exc)
        except KeyboardInterrupt:
            session.rollback()
            status, error = "interrupted", "interrupted; the next run resumes"
        except Exception as exc:  # noqa: BLE001 - an internal error ends the run, recorded
            session.rollback()
            log.exception("harvest of %s failed", harvester.name)
            status, error = "failed", f"internal error: {type(exc).__name__}: {exc}"
        runs.save_run(
            session,
            plan.run_id,
            status=status,
            error_summary=error,
            counts=report.counts(),
            report=report.details(),
            finished_at=dt.datetime.now(dt.UTC),
        )
        session.commit()
    return RunResult(
        harvester.name, plan.run_id, plan.kind, status, report.counts(), error, report.details()
    )


def _consume(
    session: Session,
    harvester: Harvester,
    plan: Plan,
    *,
    options: RunOptions,
    report: HarvestReport,
    progress: Progress | None,
    stop: threading.Event | None,
) -> bool | None:
    """Process every page. Returns whether the source was exhausted (None: stopped)."""
    ctx = BatchContext(
        harvester, plan.platform_id, plan.run_id, plan.started_at, VocabularyIds(session)
    )
    fetch_ctx = FetchContext(
        kind=plan.kind, since=plan.since, resume=plan.resume, limit=options.limit
    )
    prepared = _prepare(harvester.fetch(fetch_ctx), harvester.version, options)
    with Prefetcher(prepared) as pages:
        return _consume_pages(
            session, ctx, plan, pages, options=options, report=report, progress=progress, stop=stop
        )


@dataclass(frozen=True, slots=True)
class _PreparedPage:
    page: Page
    records: Sequence[RawRecord]
    batches: list[LandedBatch]


def _prepare(pages: Iterator[Page], version: str, options: RunOptions) -> Iterator[_PreparedPage]:
    """Trim pages to the limit and hash their payloads; runs in the fetching thread."""
    taken = 0
    for page in pages:
        records = page.records
        if options.limit is not None:
            records = records[: max(0, options.limit - taken)]
        taken += len(records)
        batches = [land_batch(chunk, version) for chunk in _chunks(records, options.batch_size)]
        yield _PreparedPage(page, records, batches)
        if options.limit is not None and taken >= options.limit:
            return


def _consume_pages(
    session: Session,
    ctx: BatchContext,
    plan: Plan,
    pages: Iterator[_PreparedPage],
    *,
    options: RunOptions,
    report: HarvestReport,
    progress: Progress | None,
    stop: threading.Event | None,
) -> bool | None:
    taken = 0
    for prepared in pages:
        taken += len(prepared.records)
        for where, reason in prepared.page.problems:
            report.warn(f"{where}: {reason}")
        for index, batch in enumerate(prepared.batches):
            process_batch(session, ctx, batch, report)
            if index < len(prepared.batches) - 1:
                session.commit()  # the last batch commits with the page's checkpoint
        report.pages += 1
        plan.track(prepared.records)
        plan.save_progress(session, prepared.page, report)
        session.commit()
        if plan.refresh_statistics(session, report):
            session.commit()
        if progress:
            progress(report)
        if options.limit is not None and taken >= options.limit:
            return False
        if stop is not None and stop.is_set():
            return None
    return True


def _chunks(records: Sequence[RawRecord], size: int) -> Iterator[Sequence[RawRecord]]:
    for start in range(0, len(records), size):
        yield records[start : start + size]


__all__ = ["HarvestLockedError", "Page", "RunOptions", "RunResult", "run_harvest"]
