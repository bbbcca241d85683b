"""APScheduler wiring: one periodic due-check per platform; correctness lives in the runner.

Each platform gets one job (`max_instances=1`, `coalesce=True`) that wakes every
`tick` seconds, asks the catalog whether a run is due (`harvesters.schedule`) and, if
so, runs it. Any number of schedulers may run against one database: the runner's
advisory lock lets one run per platform proceed, and due-ness is checked again under
the lock, so a run that another process just finished is not repeated.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog.queries.operations import run_history
from catalog.settings import Settings
from harvesters.base import Harvester, config_error
from harvesters.http import begin_shutdown
from harvesters.runner import HarvestLockedError, RunOptions, RunResult, run_harvest
from harvesters.schedule import Schedule

log = logging.getLogger(__name__)

HarvesterFactory = Callable[[str], Harvester | None]


class HarvestScheduler:
    """Runs due harvests in the background until `shutdown`."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        schedules: list[Schedule],
        *,
        tick_seconds: float = 60.0,
        harvester_factory: HarvesterFactory | None = None,
        on_result: Callable[[RunResult], None] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.schedules = schedules
        self.stop = threading.Event()
        self._factory = harvester_factory or (lambda _platform: None)
        self._on_result = on_result
        platforms = sorted({s.platform for s in schedules})
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max(1, len(platforms)))}, timezone=dt.UTC
        )
        for platform in platforms:
            self._scheduler.add_job(
                self.check,
                IntervalTrigger(seconds=tick_seconds, timezone=dt.UTC),
                args=[platform],
                id=f"harvest:{platform}",
                name=f"harvest {platform}",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=max(1, int(tick_seconds)),
                next_run_time=dt.datetime.now(dt.UTC),
                replace_existing=True,
            )

    def start(self) -> None:
        """Start checking schedules in background threads."""
        self._scheduler.start()
        log.info(
            "scheduler started: %s",
            ", ".join(f"{s.platform} {s.kind} {s.expression!r}" for s in self.schedules),
        )

    def shutdown(self) -> None:
        """Ask running harvests to stop after their current batch, and wait for them."""
        self.stop.set()
        begin_shutdown()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def check(self, platform: str) -> RunResult | None:
        """Run the first due schedule of `platform` (full before incremental), if any."""
        for schedule in sorted(
            (s for s in self.schedules if s.platform == platform), key=lambda s: s.kind != "full"
        ):
            if self.stop.is_set():
                return None
            if self._is_due(schedule):
                return self._run(schedule)
        return None

    def _is_due(self, schedule: Schedule, session: Session | None = None) -> bool:
        now = dt.datetime.now(dt.UTC)
        if session is not None:
            return schedule.is_due(run_history(session, schedule.platform, schedule.kind), now)
        with Session(self.engine) as own:
            return schedule.is_due(run_history(own, schedule.platform, schedule.kind), now)

    def _run(self, schedule: Schedule) -> RunResult | None:
        log.info("%s: the %s schedule is due", schedule.platform, schedule.kind)
        try:
            result = run_harvest(
                schedule.platform,
                engine=self.engine,
                settings=self.settings,
                options=RunOptions(full=schedule.kind == "full"),
                harvester=self._factory(schedule.platform),
                stop=self.stop,
                precheck=lambda session: self._is_due(schedule, session),
            )
        except HarvestLockedError:
            log.info("%s is being harvested by another process; skipped", schedule.platform)
            return None
        except ValidationError as exc:  # a broken hub config must not kill the scheduler
            log.error(
                "%s harvest could not start: %s",
                schedule.platform,
                config_error(schedule.platform, exc),
            )
            return None
        except Exception:  # nor may anything else
            log.exception("%s %s harvest could not start", schedule.platform, schedule.kind)
            return None
        _log_result(schedule, result)
        if self._on_result is not None:
            self._on_result(result)
        return result


def _log_result(schedule: Schedule, result: RunResult) -> None:
    """One line per run: what ran (and why it differs from the schedule), and how it ended."""
    note = ""
    if result.kind != schedule.kind and result.run_id is not None:
        note = f" [a {result.kind} run for the {schedule.kind} schedule: no high-water mark yet]"
    if result.status in {"succeeded", "skipped"}:
        counts = ", ".join(f"{k}={v}" for k, v in result.counts.items() if v)
        detail = result.error or counts
        log.info(
            "%s %s harvest %s: %s%s", schedule.platform, result.kind, result.status, detail, note
        )
        return
    log.warning(
        "%s %s harvest %s: %s; retried after a backoff of 5, 10, 20, ... minutes%s",
        schedule.platform,
        result.kind,
        result.status,
        result.error,
        note,
    )
