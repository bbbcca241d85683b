"""`catalog up`: migrate, load the demo snapshot into an empty catalog, serve, stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from harvesters.demo.snapshot import find_snapshot, read_payloads
from harvesters.registry import harvester_classes
from tests import pg

DEMO_LINE = "the catalog was empty: loaded the bundled demo snapshot of"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(url: URL, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = url.render_as_string(hide_password=False)
    env.update(extra)
    return env


def _start_up(env: dict[str, str], port: int, *options: str) -> subprocess.Popen[str]:
    """`catalog up` on `port`, once it answers `/healthz`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "catalog.cli.main", "up", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail(f"catalog up did not serve: {proc.communicate()[1]}")


def _stop(proc: subprocess.Popen[str]) -> str:
    """Ctrl-C, then the process's stderr (it must exit cleanly)."""
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    return stderr


def test_up_without_harvest_migrates_serves_health_and_stops_on_sigint(
    server_url: URL,
) -> None:
    name = pg.unique_name("catalog_up")
    url = pg.create_database(server_url, name)  # empty: `up` must migrate it
    port = _free_port()
    proc = _start_up(_env(url), port, "--no-harvest", "--no-demo")
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": "{ platforms { slug } }"}, timeout=10
        )
        assert {p["slug"] for p in answer.json()["data"]["platforms"]} >= {"huggingface", "kaggle"}
        explorer = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert explorer.status_code == 200
        assert "The catalog is empty" in explorer.text  # --no-demo: nothing was loaded
        stderr = _stop(proc)
        assert f"explorer: http://127.0.0.1:{port}/" in stderr
        assert "harvesting: off" in stderr
        assert "demo" not in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
        pg.drop_database(server_url, name)


def test_up_loads_the_demo_snapshot_into_an_empty_catalog_once_and_serves_it(
    fresh_db_url: URL,
) -> None:
    sizes = {
        platform: len(read_payloads(snapshot))
        for platform, cls in harvester_classes().items()
        if (snapshot := find_snapshot(cls)) is not None
    }
    # The scheduler runs, but no schedule may reach for the internet.
    off = {
        f"CATALOG_SCHEDULES__{p.upper().replace('-', '_')}__{kind}": "off"
        for p in sizes
        for kind in ("FULL", "INCREMENTAL")
    }
    env = _env(fresh_db_url, CATALOG_API_WORKERS="1", **off)
    port = _free_port()
    proc = _start_up(env, port)
    try:
        found = httpx.get(f"http://127.0.0.1:{port}/", params={"format": "json"}, timeout=30)
        assert found.status_code == 200
        results = found.json()
        assert results["total"] == sum(sizes.values())
        assert {b["value"]: b["count"] for b in results["facets"]["platform"]} == sizes
        page = httpx.get(f"http://127.0.0.1:{port}/", params={"q": "bert"}, timeout=30)
        assert "bert-base-uncased" in page.text
        stderr = _stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    line = next(ln for ln in stderr.splitlines() if ln.startswith(DEMO_LINE))
    assert f"of {sum(sizes.values())} models from {len(sizes)} hubs" in line
    assert "(public metadata as of 20" in line
    assert line.endswith("scheduled harvests replace it with live data")
    assert "harvesting: scheduled" in stderr

    restarted = _start_up(env, port, "--no-harvest")
    try:
        stderr = _stop(restarted)
    finally:
        if restarted.poll() is None:
            restarted.kill()
    assert DEMO_LINE not in stderr
    engine = create_engine(fresh_db_url)
    try:
        with engine.connect() as conn:
            runs = conn.scalar(text("select count(*) from harvest_runs where kind = 'demo'"))
            models = conn.scalar(text("select count(*) from models"))
    finally:
        engine.dispose()
    assert (runs, models) == (len(sizes), sum(sizes.values()))
