"""The Hugging Face harvester through the runner and the CLI, against a local fake Hub."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL

from harvesters.runner import RunOptions, RunResult, run_harvest
from tests import pg
from tests.harvesters.fakehub import FakeHub, generate_models, hub_settings
from tests.harvesters.snapshot import catalog_snapshot

FAST_RETRIES = {"retry_base_delay": 0.01, "retry_max_delay": 0.05, "retry_attempts": 3}


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub(generate_models(600, seed=7), page_size_cap=100) as fake:
        yield fake


def harvest(engine: Engine, hub: FakeHub, **options: Any) -> RunResult:
    overrides = {"page_size": 100, **FAST_RETRIES, **options.pop("overrides", {})}
    return run_harvest(
        "huggingface",
        engine=engine,
        settings=hub_settings(hub),
        options=RunOptions(overrides=overrides, **options),
    )


def _cursor(engine: Engine) -> dict[str, Any] | None:
    with engine.connect() as conn:
        return conn.scalar(text("select value from harvest_cursors where scope = 'full'"))


def test_full_then_incremental_picks_up_exactly_the_changed_models(
    hub: FakeHub, fresh_engine: Engine
) -> None:
    full = harvest(fresh_engine, hub)
    assert full.ok, full.error
    assert full.kind == "full"
    assert full.counts["new"] == 600

    changed = [hub.models[i]["id"] for i in (3, 99, 420)]
    for model_id in changed:
        hub.touch(model_id, likes=12345)
    hub.requests.clear()
    incremental = harvest(fresh_engine, hub)
    assert incremental.ok, incremental.error
    assert incremental.kind == "incremental"
    assert incremental.counts["changed"] == 3
    assert incremental.counts["new"] == 0
    # Only the look-back window was re-read: far fewer models than a full sweep.
    assert incremental.counts["seen"] < 600
    assert any("sort=lastModified" in r for r in hub.requests)
    with fresh_engine.connect() as conn:
        liked = set(conn.scalars(text("select external_id from models where likes = 12345")))
    assert liked == set(changed)


def test_429_with_retry_after_and_a_burst_of_500s_are_survived(
    hub: FakeHub, fresh_engine: Engine
) -> None:
    hub.fail_next(429, headers={"Retry-After": "0"})
    result = harvest(fresh_engine, hub)
    assert result.ok, result.error
    hub.fail_next(500, times=2)
    again = harvest(fresh_engine, hub, full=True)
    assert again.ok, again.error
    assert again.counts["unchanged"] == 600


def test_truncated_pages_fail_the_run_without_moving_the_checkpoint(
    hub: FakeHub, fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = {"requests": 0}

    def truncate_after_the_first_page() -> bool:
        served["requests"] += 1
        return served["requests"] > 1  # every retry of page 2 is cut off too

    monkeypatch.setattr(hub, "_take_truncation", truncate_after_the_first_page)
    failed = harvest(fresh_engine, hub, full=True)
    assert failed.status == "failed"
    assert "not valid JSON" in (failed.error or "")
    assert failed.counts["pages"] == 1
    cursor = _cursor(fresh_engine)
    with fresh_engine.connect() as conn:
        run_checkpoint = conn.scalar(text("select checkpoint from harvest_runs"))
        loaded = conn.scalar(text("select count(*) from models"))
    assert loaded == 100
    assert cursor is not None
    assert cursor["resume"] == run_checkpoint  # the page that committed, not beyond
    assert cursor["resume"]["next"]


def _cli_env(hub: FakeHub, url: URL) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "HF_TOKEN"}}
    env.update(
        {
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "HF_ENDPOINT": hub.url,
            "CATALOG_HARVESTERS__HUGGINGFACE__PAGE_SIZE": "100",
        }
    )
    return env


def _pages_committed(engine: Engine) -> int:
    with engine.connect() as conn:
        pages = conn.scalar(text("select max((counts->>'pages')::int) from harvest_runs"))
    return int(pages or 0)


def test_a_run_killed_mid_sweep_resumes_to_the_catalog_of_one_clean_run(
    hub: FakeHub, fresh_db_url: URL, server_url: URL
) -> None:
    engine = create_engine(fresh_db_url)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "catalog.cli.main",
            "harvest",
            "huggingface",
            "--full",
            "--batch-size",
            "50",
        ],
        env=_cli_env(hub, fresh_db_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while _pages_committed(engine) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.fail(f"the harvest ended before it could be killed: {proc.stderr.read()!r}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < _pages_committed(engine) < 6

    resumed = harvest(engine, hub)
    assert resumed.ok, resumed.error
    assert resumed.kind == "full"
    assert resumed.counts["seen"] < 600  # it continued rather than starting over
    with engine.connect() as conn:
        statuses = conn.scalars(text("select status from harvest_runs order by id")).all()
    assert statuses == ["interrupted", "succeeded"]

    clean_name = pg.unique_name("catalog_clean")
    clean_engine = create_engine(pg.create_database(server_url, clean_name, template=None))
    try:
        from catalog import migrate

        migrate.upgrade(clean_engine)
        assert harvest(clean_engine, hub).ok
        assert catalog_snapshot(engine) == catalog_snapshot(clean_engine)
    finally:
        clean_engine.dispose()
        engine.dispose()
        pg.drop_database(server_url, clean_name)


def test_cli_harvests_5000_models_then_is_a_no_op_and_status_shows_both_runs(
    fresh_db_url: URL,
) -> None:
    with FakeHub(generate_models(5000, seed=3), page_size_cap=1000) as big:
        env = _cli_env(big, fresh_db_url)
        env["CATALOG_HARVESTERS__HUGGINGFACE__PAGE_SIZE"] = "1000"
        cmd = [sys.executable, "-m", "catalog.cli.main"]
        first = subprocess.run(
            [*cmd, "harvest", "huggingface", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert first.returncode == 0, first.stderr
        [run1] = json.loads(first.stdout)
        assert run1["status"] == "succeeded"
        assert run1["counts"]["new"] == 5000

        second = subprocess.run(
            [*cmd, "harvest", "huggingface", "--full", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert second.returncode == 0, second.stderr
        [run2] = json.loads(second.stdout)
        assert run2["counts"]["unchanged"] == 5000
        assert run2["counts"]["new"] == run2["counts"]["changed"] == 0

        status = subprocess.run(
            [*cmd, "status", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        doc = json.loads(status.stdout)
        hf = next(p for p in doc["platforms"] if p["platform"] == "huggingface")
        assert hf["models"] == 5000
        assert hf["last_run"]["id"] == run2["run_id"]
        assert hf["last_run"]["counts"]["unchanged"] == 5000
        runs = {r["id"]: r for r in doc["recent_runs"]}
        assert runs[run1["run_id"]]["counts"]["new"] == 5000
        assert runs[run2["run_id"]]["counts"]["unchanged"] == 5000
        text_status = subprocess.run(
            [*cmd, "status"], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert "recent runs" in text_status.stdout
        assert "new=5000" in text_status.stdout
        assert "unchanged=5000" in text_status.stdout
