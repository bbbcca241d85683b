"""Run one harvest of one platform: lock, fetch pages, process batches, sweep, record.

Each batch commits together with the run's checkpoint and counts, so a run killed at
any point resumes from its last committed page; upserts are idempotent, so re-reading
a page is harmless. Deletion is decided only after a complete full sweep. Every
transaction of a run first proves that the run still owns its platform (its lease,
`catalog.leases`); a run that lost its lock or its connection stops, records itself as
failed with the counts it committed, and leaves the rest to the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from catalog import leases, runs
from catalog.errors import CatalogError
from catalog.leases import LeaseLostError
from catalog.loader import VocabularyIds
from catalog.settings import Settings
from harvesters import outcome
from harvesters.base import FetchContext, Harvester, Page, RawRecord, RunKind
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


@dataclass(frozen=True, slots=True)
class _Job:
    """What every step of one run needs."""

    engine: Engine
    settings: Settings
    options: RunOptions
    harvester: Harvester
    progress: Progress | None
    stop: threading.Event | None


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
    """Harvest `platform` once, holding its run lock and lease for the whole run.

    `precheck`, when given, is asked again once the lock is held (e.g. "is this run
    still due?", since another process may have just finished one); False skips the run.
    Losing the database connection or the lock ends the run as `failed`; it never raises.

    Raises:
        HarvestLockedError: another run of this platform is in progress.
        UnknownPlatformError, HubPluginError: no hub loads under that slug.
        pydantic.ValidationError: the hub configuration is invalid.
    """
    options = options or RunOptions()
    if harvester is None:
        harvester = harvester_class(platform).from_settings(settings, options.overrides)
    job = _Job(engine, settings, options, harvester, progress, stop)
    try:
        with engine.connect() as lock_conn:
            # The registered hubs' platform rows first: the lease and the run refer to them.
            sync_platforms(lock_conn, [harvester])
            lock_conn.commit()
            return _run_holding_lock(job, lock_conn, precheck)
    except DBAPIError as exc:  # the lock or the lease could not be taken
        return RunResult(platform, None, "full", "failed", {}, outcome.database_failure(exc))
    finally:
        harvester.close()


def _run_holding_lock(
    job: _Job, lock_conn: Connection, precheck: Callable[[Session], bool] | None
) -> RunResult:
    platform = job.harvester.name
    if not leases.try_lock_platform(lock_conn, platform):
        raise HarvestLockedError(
            f"a harvest of {platform} is already running (another process holds its "
            "lock); this one did not start"
        )
    lock_conn.commit()
    try:
        if precheck is not None:
            with Session(job.engine) as session:
                if not precheck(session):
                    return RunResult(platform, None, "full", "skipped", {}, "not due")
        return _run_leased(job, leases.take_lease(lock_conn, platform))
    finally:
        # A lock connection that died took the lock with it: nothing is left to release,
        # and nothing may hide how the run ended.
        if not leases.unlock_platform(lock_conn, platform):
            log.info("the run lock of %s was already gone (its connection ended)", platform)


def _run_leased(job: _Job, lease: leases.Lease) -> RunResult:
    report = HarvestReport()
    name = job.harvester.name
    with Session(job.engine, expire_on_commit=False) as session:
        leases.fence(session, lease)
        try:
            plan = plan_run(session, job.harvester, job.options, job.settings)
            leases.claim_run(session, lease, plan.run_id)
            session.commit()
        except (LeaseLostError, DBAPIError) as exc:
            outcome.rollback(session)
            ended, why = outcome.failure(exc, name, job.stop)
            return RunResult(name, None, "full", ended, {}, why)
        try:
            status, error = _harvest(job, session, plan, report)
            outcome.finish(session, plan.run_id, report, status, error)
        except BaseException as exc:
            outcome.rollback(session)
            status, error = outcome.failure(exc, name, job.stop)
            outcome.record(job.engine, plan.run_id, report, status, error)
            if not isinstance(exc, Exception | KeyboardInterrupt):
                raise  # SystemExit and the like: recorded, then on their way
    return RunResult(
        name, plan.run_id, plan.kind, status, report.committed, error, report.details()
    )


def _harvest(
    job: _Job, session: Session, plan: Plan, report: HarvestReport
) -> tuple[str, str | None]:
    """Consume every page, then sweep; returns the run's status and error summary."""
    runs.ensure_metric_partition(session, plan.started_at)
    session.commit()
    complete = _consume(
        session,
        job.harvester,
        plan,
        options=job.options,
        report=report,
        progress=job.progress,
        stop=job.stop,
    )
    if complete is None:
        return "interrupted", "stopped by a signal; the next run resumes"
    return finish_sweep(session, plan, report, settings=job.settings, complete=complete)


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
                # The last batch commits with the page's checkpoint; each commit carries
                # the counts it makes true, so a run that dies never claims more.
                runs.save_run(session, plan.run_id, counts=report.counts())
                outcome.commit(session, report)
        report.pages += 1
        plan.track(prepared.records)
        plan.save_progress(session, prepared.page, report)
        outcome.commit(session, report)
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


__all__ = [
    "HarvestLockedError",
    "Page",
    "RunOptions",
    "RunResult",
    "run_harvest",
]
