"""Schedules: parsing, due times from run history, backoff, and the scheduler loop."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from catalog.queries.operations import RunHistory, run_history
from catalog.settings import Settings
from harvesters import registry
from harvesters.schedule import Schedule, ScheduleError, backoff, load_schedules
from harvesters.scheduler import HarvestScheduler
from tests.harvesters.wrappers import ListHarvester

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def _hourly() -> Schedule:
    schedule = Schedule.parse("huggingface", "incremental", "every 1h")
    assert schedule is not None
    return schedule


def test_never_run_is_due_at_once() -> None:
    assert _hourly().is_due(RunHistory(None, 0, None), NOW)


def test_interval_is_counted_from_the_last_success() -> None:
    history = RunHistory(NOW - dt.timedelta(minutes=59), 0, None)
    assert not _hourly().is_due(history, NOW)
    assert _hourly().is_due(history, NOW + dt.timedelta(minutes=1))


def test_missed_runs_coalesce_into_one() -> None:
    # Down for a day: due now, and after that one success the next is an hour later.
    assert _hourly().is_due(RunHistory(NOW - dt.timedelta(days=1), 0, None), NOW)
    assert not _hourly().is_due(RunHistory(NOW, 0, None), NOW + dt.timedelta(minutes=5))


def test_failures_retry_with_growing_backoff_capped_at_the_period() -> None:
    schedule = _hourly()
    assert backoff(1, schedule) == dt.timedelta(minutes=5)
    assert backoff(2, schedule) == dt.timedelta(minutes=10)
    assert backoff(10, schedule) == dt.timedelta(hours=1)
    failed = RunHistory(NOW - dt.timedelta(hours=3), 2, NOW - dt.timedelta(minutes=9))
    assert not schedule.is_due(failed, NOW)
    assert schedule.is_due(failed, NOW + dt.timedelta(minutes=1))


def test_crontab_schedule_fires_at_the_next_slot() -> None:
    weekly = Schedule.parse("huggingface", "full", "0 3 * * 0")
    assert weekly is not None
    saturday = dt.datetime(2026, 5, 30, 12, tzinfo=dt.UTC)
    assert weekly.next_after(saturday) == dt.datetime(2026, 5, 31, 3, tzinfo=dt.UTC)
    assert weekly.period() == dt.timedelta(days=7)


def test_schedules_from_settings_overlay_the_defaults() -> None:
    defaults = registry.default_schedules()
    schedules = load_schedules(
        {"huggingface": {"full": "off"}, "tfhub": {"full": "every 6h"}},
        {"huggingface": defaults["huggingface"], "tfhub": defaults["tfhub"]},
    )
    described = {(s.platform, s.kind): s.expression for s in schedules}
    assert described == {("huggingface", "incremental"): "every 1h", ("tfhub", "full"): "every 6h"}


@pytest.mark.parametrize("bad", ["every hour", "sometimes", "61 * * * *"])
def test_malformed_schedule_says_which_forms_work(bad: str) -> None:
    with pytest.raises(ScheduleError, match="every <N>s|m|h|d"):
        load_schedules({"tfhub": {"full": bad}}, {"tfhub": {"full": "every 1d"}})


def test_scheduler_runs_a_due_harvest_once(fresh_engine: Engine) -> None:
    payloads = [{"id": f"org/m{i}", "downloads": i} for i in range(5)]
    schedule = Schedule.parse("huggingface", "full", "every 1h")
    assert schedule is not None
    scheduler = HarvestScheduler(
        fresh_engine,
        Settings(),
        [schedule],
        tick_seconds=0.2,
        harvester_factory=lambda _platform: ListHarvester(payloads),
    )
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with fresh_engine.connect() as conn:
                if conn.scalar(text("select count(*) from harvest_runs where status='succeeded'")):
                    break
            time.sleep(0.1)
        time.sleep(1.0)  # several more ticks: none of them may start another run
    finally:
        scheduler.shutdown()
    with fresh_engine.connect() as conn:
        statuses = conn.scalars(text("select status from harvest_runs")).all()
        models = conn.scalar(text("select count(*) from models"))
    assert statuses == ["succeeded"]
    assert models == 5


def _record_run(engine: Engine, kind: str, status: str, finished: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into harvest_runs (platform_id, kind, status, started_at, finished_at) "
                "select id, :kind, :status, :at, :at from platforms where slug = 'huggingface'"
            ),
            {"kind": kind, "status": status, "at": finished},
        )


def _due(engine: Engine, schedule: Schedule, now: dt.datetime) -> bool:
    with Session(engine) as session:
        return schedule.is_due(run_history(session, "huggingface", schedule.kind), now)


def test_an_incremental_schedule_backs_off_after_its_first_run_failed_as_a_full_one(
    fresh_engine: Engine,
) -> None:
    # Without a high-water mark the incremental schedule starts a full run, recorded as such.
    _record_run(fresh_engine, "full", "failed", NOW)
    assert not _due(fresh_engine, _hourly(), NOW + dt.timedelta(minutes=1))
    assert _due(fresh_engine, _hourly(), NOW + dt.timedelta(minutes=5))
    _record_run(fresh_engine, "incremental", "failed", NOW + dt.timedelta(minutes=5))
    assert not _due(fresh_engine, _hourly(), NOW + dt.timedelta(minutes=14))
    assert _due(fresh_engine, _hourly(), NOW + dt.timedelta(minutes=15))


def test_a_failure_never_brings_the_next_scheduled_run_forward(fresh_engine: Engine) -> None:
    _record_run(fresh_engine, "incremental", "succeeded", NOW)
    weekly = Schedule.parse("huggingface", "full", "0 3 * * 0")
    assert weekly is not None
    _record_run(fresh_engine, "full", "succeeded", NOW - dt.timedelta(days=1))
    _record_run(fresh_engine, "incremental", "failed", NOW + dt.timedelta(minutes=10))
    # The hourly schedule retries 5 minutes after the failure, but not before its hour is up.
    assert not _due(fresh_engine, _hourly(), NOW + dt.timedelta(minutes=20))
    assert _due(fresh_engine, _hourly(), NOW + dt.timedelta(hours=1))
    # The weekly full run keeps its Sunday slot.
    assert not _due(fresh_engine, weekly, NOW + dt.timedelta(hours=2))
