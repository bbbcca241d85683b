"""Harvests under faults: a lost lock, a lost connection, SIGKILL, 429/5xx storms.

Every fault is real: backends end by `pg_terminate_backend`, processes by SIGKILL, and
the fake Hub fails over HTTP. Whatever happens, a run never writes beside another run
of its platform, says in one line how it ended, records the counts it committed, and
the next run ends with the catalog of one clean run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from catalog.loader import load_models
from catalog.queries.status import platform_status
from harvesters import batch
from harvesters.report import HarvestReport
from harvesters.runner import RunOptions, RunResult, run_harvest
from tests import pg
from tests.api.conftest import execute
from tests.harvesters.fakehub import FakeHub, generate_models, hub_settings
from tests.harvesters.snapshot import catalog_snapshot
from tests.installed_cli import catalog_env, run_catalog, start_catalog

FAST_RETRIES = {"retry_base_delay": 0.01, "retry_max_delay": 0.05, "retry_attempts": 5}
CLI_RETRIES = {
    "CATALOG_HARVESTERS__HUGGINGFACE__PAGE_SIZE": "100",
    "CATALOG_HARVESTERS__HUGGINGFACE__RETRY_BASE_DELAY": "0.01",
    "CATALOG_HARVESTERS__HUGGINGFACE__RETRY_MAX_DELAY": "0.05",
    "CATALOG_HARVESTERS__HUGGINGFACE__RETRY_ATTEMPTS": "5",
}
LOCK_HOLDERS = """
select pid from pg_locks where locktype = 'advisory' and granted
and database = (select oid from pg_database where datname = current_database())
"""
OTHER_BACKENDS = """
select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
"""


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub(generate_models(600, seed=5), page_size_cap=100) as fake:
        yield fake


@pytest.fixture
def clean_snapshot(server_url: URL, template_db: str) -> Callable[[FakeHub], list[Any]]:
    """The catalog one undisturbed run of a hub makes, in a database of its own."""

    def take(hub: FakeHub) -> list[Any]:
        name = pg.unique_name("catalog_clean")
        engine = create_engine(pg.create_database(server_url, name, template=template_db))
        try:
            assert harvest(engine, hub).ok
            return catalog_snapshot(engine)
        finally:
            engine.dispose()
            pg.drop_database(server_url, name)

    return take


def harvest(engine: Engine, hub: FakeHub, **options: Any) -> RunResult:
    progress = options.pop("progress", None)
    return run_harvest(
        "huggingface",
        engine=engine,
        settings=hub_settings(hub),
        options=RunOptions(overrides={"page_size": 100, **FAST_RETRIES}, **options),
        progress=progress,
    )


def terminate(engine: Engine, which: str) -> list[int]:
    """End backends of the engine's database: the run lock's holders, or all others."""
    with engine.connect() as conn:
        pids = list(conn.scalars(text(which)))
        for pid in pids:  # the second argument waits until the backend is gone
            conn.execute(text("select pg_terminate_backend(:pid, 10000)"), {"pid": pid})
    return pids


def run_rows(engine: Engine) -> list[tuple[str, dict[str, int], str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("select status, counts, error_summary from harvest_runs order by id")
        )
        return [(status, counts, error) for status, counts, error in rows]


def loaded(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("select count(*) from models")) or 0)


def test_a_run_that_lost_its_lock_stops_and_its_successor_sees_no_change(
    hub: FakeHub, fresh_engine: Engine, clean_snapshot: Callable[[FakeHub], list[Any]]
) -> None:
    successor: list[RunResult] = []

    def after_page(report: HarvestReport) -> None:
        # Between two transactions of the first run: its lock connection dies, and a
        # second run of the platform starts, takes the lock and runs to its end.
        if report.pages == 2 and not successor:
            assert terminate(fresh_engine, LOCK_HOLDERS)
            successor.append(harvest(fresh_engine, hub))

    first = harvest(fresh_engine, hub, progress=after_page)
    [second] = successor
    assert second.ok, second.error
    assert second.counts["changed"] == 0  # unchanged data is never "changed"
    assert second.counts["new"] + second.counts["unchanged"] == second.counts["seen"] == 400
    assert first.status == "failed"
    assert first.error is not None
    assert first.error.startswith("another run of huggingface took over")
    assert first.counts["pages"] == 2  # it wrote nothing once the other run had begun
    assert [(s, c["seen"]) for s, c, _ in run_rows(fresh_engine)] == [
        ("failed", 200),
        ("succeeded", 400),
    ]
    assert catalog_snapshot(fresh_engine) == clean_snapshot(hub)


def test_a_run_whose_lock_connection_died_stops_at_its_next_transaction(
    hub: FakeHub, fresh_engine: Engine
) -> None:
    def after_page(report: HarvestReport) -> None:
        if report.pages == 3:
            assert terminate(fresh_engine, LOCK_HOLDERS)

    result = harvest(fresh_engine, hub, progress=after_page)
    assert result.status == "failed"
    assert result.error == (
        "lost its run lock (the database connection holding it ended): stopped after the "
        "last committed page; the next run resumes there"
    )
    assert result.counts["seen"] == loaded(fresh_engine) == 300
    resumed = harvest(fresh_engine, hub)
    assert resumed.ok, resumed.error
    assert resumed.counts["seen"] == 300  # from the page after the last committed one


def test_losing_the_connection_mid_batch_fails_the_run_with_the_counts_it_committed(
    hub: FakeHub, fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0

    def load_on_a_dead_connection(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 5:  # page 3, first batch: its statements meet a dead backend
            assert terminate(fresh_engine, OTHER_BACKENDS)
        return load_models(*args, **kwargs)

    monkeypatch.setattr(batch, "load_models", load_on_a_dead_connection)
    result = harvest(fresh_engine, hub, batch_size=50)
    assert result.status == "failed"
    assert result.error == (
        "lost the database connection (terminating connection due to administrator "
        "command): stopped after the last committed page; the next run resumes there"
    )
    [(status, counts, error)] = run_rows(fresh_engine)
    assert (status, error) == ("failed", result.error)
    # Pages 1 and 2 committed (4 batches); the fifth batch died with its connection.
    assert counts["seen"] == counts["new"] == loaded(fresh_engine) == 200
    assert counts == result.counts
    with fresh_engine.connect() as conn:  # no record was blamed for the lost connection
        assert conn.scalar(text("select count(*) from quarantine")) == 0
    monkeypatch.undo()
    resumed = harvest(fresh_engine, hub)
    assert resumed.ok, resumed.error
    assert resumed.counts["new"] == 400


def _pages_of_run(engine: Engine, nth: int) -> int:
    with engine.connect() as conn:
        pages = conn.scalar(
            text("select (counts->>'pages')::int from harvest_runs order by id offset :n limit 1"),
            {"n": nth - 1},
        )
    return int(pages or 0)


def _wait_for_pages(engine: Engine, proc: subprocess.Popen[str], nth: int, pages: int) -> None:
    """Wait until the `nth` run (1-based) committed `pages` pages."""
    deadline = time.monotonic() + 90
    while _pages_of_run(engine, nth) < pages:
        if proc.poll() is not None:
            pytest.fail(f"the harvest ended before the fault: {proc.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail("the harvest made no progress")
        time.sleep(0.01)


def _lock_released(engine: Engine) -> None:
    deadline = time.monotonic() + 30
    while True:
        with engine.connect() as conn:
            if not conn.scalars(text(LOCK_HOLDERS)).all():
                return
        assert time.monotonic() < deadline, "the killed run's lock was never released"
        time.sleep(0.02)


def _finish(proc: subprocess.Popen[str]) -> tuple[int, dict[str, Any], str]:
    stdout, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr, stderr
    [result] = json.loads(stdout)
    return proc.returncode, result, stderr


def test_a_killed_run_shows_as_interrupted_in_status_and_the_api(
    hub: FakeHub, fresh_db_url: URL, fresh_engine: Engine
) -> None:
    hub.delay = 0.05
    env = catalog_env(fresh_db_url, HF_ENDPOINT=hub.url, **CLI_RETRIES)
    proc = start_catalog("harvest", "huggingface", "--batch-size", "50", env=env)
    _wait_for_pages(fresh_engine, proc, 1, 1)
    with Session(fresh_engine) as session:
        [hf] = [p for p in platform_status(session) if p.slug == "huggingface"]
    assert hf.last_run is not None
    assert hf.last_run.status == "running"  # alive: its lock is held
    proc.kill()
    proc.communicate()
    _lock_released(fresh_engine)

    status = run_catalog("status", "--json", env=env)
    assert status.returncode == 0, status.stderr
    doc = json.loads(status.stdout)
    [last] = [p["last_run"] for p in doc["platforms"] if p["platform"] == "huggingface"]
    assert last["status"] == doc["recent_runs"][0]["status"] == "interrupted"
    assert last["finished_at"] is None
    assert "ended without recording how" in last["error"]
    with Session(fresh_engine) as session:
        result = execute(
            session,
            "{ platforms { slug lastHarvest { status errorSummary } }"
            ' harvestRuns(platform: "huggingface") { status } }',
        )
    assert result.errors is None, result.errors
    [api_last] = [p["lastHarvest"] for p in result.data["platforms"] if p["slug"] == "huggingface"]
    assert api_last["status"] == "interrupted"
    assert result.data["harvestRuns"] == [{"status": "interrupted"}]


def test_faults_of_every_kind_still_end_in_the_catalog_of_one_clean_run(
    fresh_db_url: URL, fresh_engine: Engine, clean_snapshot: Callable[[FakeHub], list[Any]]
) -> None:
    with FakeHub(generate_models(2000, seed=9), page_size_cap=100) as hub:
        hub.delay = 0.01
        hub.storm(every=3)  # 429, 500, 502 and 503 all along
        env = catalog_env(fresh_db_url, HF_ENDPOINT=hub.url, **CLI_RETRIES)
        command = ("harvest", "huggingface", "--batch-size", "50", "--json")

        killed = start_catalog(*command, env=env)  # 1. SIGKILL mid-run
        _wait_for_pages(fresh_engine, killed, 1, 2)
        os.kill(killed.pid, signal.SIGKILL)
        killed.communicate()
        _lock_released(fresh_engine)  # its backend notices the dead client, then lets go

        lock_lost = start_catalog(*command, env=env)  # 2. its lock connection dies ...
        _wait_for_pages(fresh_engine, lock_lost, 2, 2)
        assert terminate(fresh_engine, LOCK_HOLDERS)
        # ... and a second run starts at once (with the summary meant for people)
        successor = start_catalog(*command[:-1], env=env)
        code, first, _ = _finish(lock_lost)
        assert code == 1
        assert first["status"] == "failed"
        assert "the next run resumes" in first["error"] or "took over" in first["error"]

        _wait_for_pages(fresh_engine, successor, 3, 2)  # 3. every backend of a run ends
        assert terminate(fresh_engine, OTHER_BACKENDS)
        stdout, stderr = successor.communicate(timeout=120)
        assert successor.returncode == 1
        assert "Traceback" not in stderr, stderr
        said = " ".join(stdout.split())  # one line, however a terminal wraps it
        assert re.search(r"huggingface: lost (its run lock|the database connection)", said)
        assert "the next run resumes there" in said

        code, last, _ = _finish(start_catalog(*command, env=env))
        assert code == 0
        assert last["status"] == "succeeded"
        assert last["counts"]["removed"] == 0

        runs = run_rows(fresh_engine)
        assert [status for status, _, _ in runs] == ["interrupted", "failed", "failed", "succeeded"]
        assert all(counts.get("changed", 0) == 0 for _, counts, _ in runs)
        hub.storm(0)
        assert catalog_snapshot(fresh_engine) == clean_snapshot(hub)
