"""`catalog scheduler` as real processes against one database and a local fake Hub."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL

from harvesters import registry
from tests.harvesters.fakehub import FakeHub, generate_models

# Every other registered hub (whatever plug-ins are installed) stays off.
OTHER_HUBS_OFF = {
    f"CATALOG_SCHEDULES__{slug.upper().replace('-', '_')}__{kind}": "off"
    for slug in registry.slugs()
    if slug != "huggingface"
    for kind in ("FULL", "INCREMENTAL")
}


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub(generate_models(1200, seed=11), page_size_cap=100) as fake:
        yield fake


@pytest.fixture
def engine(fresh_db_url: URL) -> Iterator[Engine]:
    engine = create_engine(fresh_db_url)
    yield engine
    engine.dispose()


def start_scheduler(
    hub: FakeHub, url: URL, incremental: str = "off", full: str = "off", **env_vars: str
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "HF_TOKEN"}}
    env.update(OTHER_HUBS_OFF)
    env.update(
        {
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "HF_ENDPOINT": hub.url,
            "CATALOG_HARVESTERS__HUGGINGFACE__PAGE_SIZE": "100",
            "CATALOG_SCHEDULER_TICK_SECONDS": "0.2",
            "CATALOG_SCHEDULES__HUGGINGFACE__INCREMENTAL": incremental,
            "CATALOG_SCHEDULES__HUGGINGFACE__FULL": full,
            **env_vars,
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "catalog.cli.main", "scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the scheduler")
        time.sleep(0.05)


def runs(engine: Engine) -> list[tuple[str, object, object]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("select status, started_at, finished_at from harvest_runs order by started_at")
            )
        ]


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def test_scheduler_harvests_when_due_and_exits_on_sigterm(
    hub: FakeHub, fresh_db_url: URL, engine: Engine
) -> None:
    proc = start_scheduler(hub, fresh_db_url, full="every 1h")
    try:
        wait_for(lambda: any(s == "succeeded" for s, *_ in runs(engine)))
        time.sleep(1)  # more ticks: an hourly schedule must not run again
    finally:
        code = stop(proc)
    assert code == 0, proc.stderr.read() if proc.stderr else ""
    assert [s for s, *_ in runs(engine)] == ["succeeded"]
    with engine.connect() as conn:
        assert conn.scalar(text("select count(*) from models")) == 1200


def test_two_schedulers_never_overlap_a_platform(
    hub: FakeHub, fresh_db_url: URL, engine: Engine
) -> None:
    first = start_scheduler(hub, fresh_db_url, full="every 1s")
    second = start_scheduler(hub, fresh_db_url, full="every 1s")
    try:
        wait_for(lambda: sum(s == "succeeded" for s, *_ in runs(engine)) >= 4, timeout=120)
    finally:
        codes = [stop(first), stop(second)]
    assert codes == [0, 0]
    finished = [(start, end) for status, start, end in runs(engine) if end is not None]
    assert len(finished) >= 4
    for (_, end), (next_start, _) in zip(finished, finished[1:], strict=False):
        assert end <= next_start, "two runs of one platform overlapped"


def test_restarted_scheduler_runs_a_missed_job_once(
    hub: FakeHub, fresh_db_url: URL, engine: Engine
) -> None:
    proc = start_scheduler(hub, fresh_db_url, full="every 1h")
    wait_for(lambda: any(s == "succeeded" for s, *_ in runs(engine)))
    proc.kill()  # no clean shutdown
    proc.wait()
    with engine.connect() as conn:  # the scheduler was down for half a day
        conn.execute(
            text(
                "update harvest_runs set started_at = started_at - interval '12 hours',"
                " finished_at = finished_at - interval '12 hours'"
            )
        )
        conn.commit()
    restarted = start_scheduler(hub, fresh_db_url, full="every 1h")
    try:
        wait_for(lambda: sum(s == "succeeded" for s, *_ in runs(engine)) >= 2)
        time.sleep(1.5)
    finally:
        stop(restarted)
    assert [s for s, *_ in runs(engine)] == ["succeeded", "succeeded"]


def test_sigterm_during_a_run_commits_the_batch_and_marks_it_interrupted(
    hub: FakeHub, fresh_db_url: URL, engine: Engine
) -> None:
    proc = start_scheduler(hub, fresh_db_url, full="every 1h")

    def pages() -> int:
        with engine.connect() as conn:
            value = conn.scalar(text("select max((counts->>'pages')::int) from harvest_runs"))
        return int(value or 0)

    wait_for(lambda: pages() >= 1)
    code = stop(proc)
    assert code == 0
    [(status, _, finished)] = runs(engine)
    with engine.connect() as conn:
        models = conn.scalar(text("select count(*) from models"))
        counts = conn.scalar(text("select counts from harvest_runs"))
        raw = conn.scalar(text("select count(*) from raw_records"))
    if status == "succeeded":  # the sweep outran the signal on a fast machine
        assert models == 1200
        return
    assert status == "interrupted"
    assert finished is not None
    assert models == raw == counts["seen"] == counts["pages"] * 100  # whole pages only


def test_a_failing_hub_is_retried_with_backoff_and_the_failure_is_a_warning(
    fresh_db_url: URL, engine: Engine
) -> None:
    with FakeHub([]) as dead:
        dead.fail_next(503, times=10_000)  # the Hub is down for the whole test
        proc = start_scheduler(
            dead,
            fresh_db_url,
            incremental="every 1h",
            CATALOG_HARVESTERS__HUGGINGFACE__RETRY_ATTEMPTS="1",
        )
        try:
            wait_for(lambda: any(s == "failed" for s, *_ in runs(engine)))
            time.sleep(2)  # ten more ticks: the retry is due 5 minutes later, not at each tick
        finally:
            code = stop(proc)
        stderr = proc.stderr.read() if proc.stderr else ""
    assert code == 0, stderr
    assert [s for s, *_ in runs(engine)] == ["failed"]
    [line] = [line for line in stderr.splitlines() if "harvest failed" in line]
    assert " WARNING " in line
    # The run is a full one (there is no high-water mark yet) and the line says so.
    assert "huggingface full harvest failed" in line
    assert "[a full run for the incremental schedule: no high-water mark yet]" in line
    assert "check HF_ENDPOINT and the network" in line
