"""Load every hub's demo snapshot through the harvest pipeline, without it counting as a harvest.

Each hub's payloads go through the runner's own batch processing (raw landing,
normalize, validate, load with the derived layer and every per-batch hook), holding the
platform's run lock and lease like a harvest, in one transaction per hub. What makes it
not a harvest:

- its run row has kind `demo` and status `loaded`: the schedules (which count
  `succeeded` full and incremental runs, and `failed`/`interrupted` ones for backoff)
  ignore it, so the first real harvest is due at once;
- it saves no cursor or high-water mark and runs no deletion sweep;
- it loads only models the catalog does not have yet (removed ones included), so it
  never overwrites, restores or removes what a harvest brought;
- the models only it has seen are placeholders: a real full sweep that does not see
  them removes them without tripping the deletion fail-safe (`catalog.runs`).

Sightings, metric points and raw landing are dated by the snapshot's `as_of` day.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from catalog import leases, runs
from catalog.errors import CatalogError
from catalog.loader import VocabularyIds
from catalog.models import Model
from catalog.settings import Settings
from harvesters.base import Harvester, HarvestError, RawRecord
from harvesters.batch import BatchContext, land_batch, process_batch
from harvesters.demo.snapshot import Snapshot, find_snapshot, raw_records, read_payloads
from harvesters.outcome import first_line
from harvesters.registry import harvester_classes, sync_platforms
from harvesters.report import HarvestReport

log = logging.getLogger(__name__)

LOADED = "loaded"
BATCH_SIZE = 500


@dataclass
class DemoResult:
    """What loading one hub's snapshot did.

    Attributes:
        platform: The hub's slug.
        status: `loaded`, `unchanged` (every model was already in the catalog),
            `skipped` (a harvest of the hub was running) or `failed`.
        as_of: The day the snapshot's metadata was public, if known.
        payloads: Payloads in the snapshot.
        present: Of those, models the catalog already had (left as they are).
        counts: The run's counters (new, quarantined, ...).
        run_id: The `demo` run row, when something was loaded.
        error: Why it was skipped or failed.
    """

    platform: str
    status: str
    as_of: dt.date | None = None
    payloads: int = 0
    present: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    run_id: int | None = None
    error: str | None = None

    @property
    def loaded(self) -> int:
        """Models this load added to the catalog."""
        return self.counts.get("new", 0)


def load_demo(
    engine: Engine, settings: Settings, *, batch_size: int = BATCH_SIZE
) -> list[DemoResult]:
    """Load the demo snapshot of every registered hub that ships one.

    Never raises for one hub's trouble: it is that hub's `failed` result.
    """
    results = []
    with engine.begin() as conn:
        sync_platforms(conn)
    for platform, cls in harvester_classes().items():
        try:
            snapshot = find_snapshot(cls)
            # The hub's defaults, not the user's settings: normalizing needs no source.
            harvester = None if snapshot is None else cls(cls.config_class.load({}, {}), settings)
        except (CatalogError, ValidationError) as exc:
            results.append(DemoResult(platform, "failed", error=first_line(exc)))
            continue
        if snapshot is not None and harvester is not None:
            try:
                results.append(_load_hub(engine, harvester, snapshot, batch_size))
            finally:
                harvester.close()
    return results


def _load_hub(
    engine: Engine, harvester: Harvester, snapshot: Snapshot, batch_size: int
) -> DemoResult:
    name = harvester.name
    try:
        payloads = read_payloads(snapshot)
        records = raw_records(harvester, snapshot, payloads, dt.datetime.now(dt.UTC))
        with engine.connect() as lock_conn:
            if not leases.try_lock_platform(lock_conn, name):
                return DemoResult(
                    name, "skipped", snapshot.as_of, len(payloads),
                    error=f"a harvest of {name} is running; its live data wins",
                )  # fmt: skip
            lock_conn.commit()
            try:
                return _load_leased(
                    engine, lock_conn, harvester, snapshot, records=records, batch_size=batch_size
                )
            finally:
                leases.unlock_platform(lock_conn, name)
    except (CatalogError, HarvestError, DBAPIError) as exc:
        log.warning("demo snapshot of %s not loaded: %s", name, first_line(exc))
        return DemoResult(name, "failed", snapshot.as_of, error=first_line(exc))


def _load_leased(
    engine: Engine,
    lock_conn: Connection,
    harvester: Harvester,
    snapshot: Snapshot,
    *,
    records: Sequence[RawRecord],
    batch_size: int,
) -> DemoResult:
    name = harvester.name
    now = dt.datetime.now(dt.UTC)
    observed_at = snapshot.observed_at(now)
    lease = leases.take_lease(lock_conn, name)
    result = DemoResult(name, "unchanged", snapshot.as_of, len(records))
    with Session(engine, expire_on_commit=False) as session:
        leases.fence(session, lease)
        platform_id = runs.platform_id(session, name)
        runs.ensure_metric_partition(session, observed_at)
        session.commit()
        present = _present(session, platform_id, [r.external_id for r in records])
        todo = [r for r in records if r.external_id not in present]
        result.present = len(records) - len(todo)
        if not todo:
            return result
        # One transaction: a failure leaves no trace, not even a run row (a failed run
        # would count against the hub's first real harvest).
        run_id = runs.open_run(session, platform_id, runs.DEMO_KIND, now)
        leases.claim_run(session, lease, run_id)
        report = HarvestReport()
        ctx = BatchContext(harvester, platform_id, run_id, observed_at, VocabularyIds(session))
        for start in range(0, len(todo), batch_size):
            batch = land_batch(todo[start : start + batch_size], harvester.version)
            process_batch(session, ctx, batch, report)
        report.pages = 1
        runs.save_run(
            session,
            run_id,
            status=LOADED,
            counts=report.counts(),
            report={**report.details(), "demo": _about(snapshot, result.present)},
            finished_at=dt.datetime.now(dt.UTC),
        )
        session.commit()
    result.status, result.counts, result.run_id = LOADED, report.counts(), run_id
    return result


def _present(session: Session, platform_id: int, ids: Sequence[str | None]) -> set[str]:
    """Which of `ids` the catalog already has on the platform (removed ones too)."""
    wanted = [i for i in ids if i]
    return set(
        session.scalars(
            select(Model.external_id).where(
                Model.platform_id == platform_id, Model.external_id.in_(wanted)
            )
        )
    )


def _about(snapshot: Snapshot, present: int) -> dict[str, object]:
    return {
        "as_of": snapshot.as_of.isoformat() if snapshot.as_of else None,
        "source": snapshot.source,
        "already_in_catalog": present,
    }


def as_of_text(results: Sequence[DemoResult]) -> str:
    """The snapshots' dates in words: `2024-03-18`, `2024-03-18 to 2025-03-21`, or
    `of unrecorded date`."""
    days = sorted({r.as_of for r in results if r.as_of is not None})
    if not days:
        return "of unrecorded date"
    if len(days) == 1:
        return f"as of {days[0].isoformat()}"
    return f"as of {days[0].isoformat()} to {days[-1].isoformat()}"


def load_if_empty(engine: Engine, settings: Settings, *, harvesting: bool) -> list[str]:
    """On a catalog without any model, load every hub's demo snapshot; returns the lines
    to show (none when the catalog had models)."""
    with Session(engine) as session:
        if runs.count_models(session):
            return []
    results = load_demo(engine, settings)
    loaded = [r for r in results if r.status == LOADED]
    then = (
        "scheduled harvests replace it with live data"
        if harvesting
        else "`catalog harvest all` replaces it with live data"
    )
    lines = [f"demo snapshot of {r.platform} not loaded: {r.error}" for r in results if r.error]
    if not loaded:  # another process loaded them meanwhile, or no hub ships one
        return lines
    return [
        f"the catalog was empty: loaded the bundled demo snapshot of "
        f"{sum(r.loaded for r in loaded):,} models from {len(loaded)} hubs "
        f"(public metadata {as_of_text(loaded)}); {then}",
        *lines,
    ]
