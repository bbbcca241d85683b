"""`catalog up`: migrate, serve, stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy.engine import URL

from tests import pg


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_up_without_harvest_migrates_serves_health_and_stops_on_sigint(
    server_url: URL,
) -> None:
    name = pg.unique_name("catalog_up")
    url = pg.create_database(server_url, name)  # empty: `up` must migrate it
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = url.render_as_string(hide_password=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "catalog.cli.main", "up", "--no-harvest", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        if health is None:
            pytest.fail(f"catalog up did not serve: {proc.stderr.read() if proc.stderr else ''}")
        assert health.status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": "{ platforms { slug } }"}, timeout=10
        )
        assert {p["slug"] for p in answer.json()["data"]["platforms"]} >= {"huggingface", "kaggle"}
        explorer = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert explorer.status_code == 200
        assert "The catalog is empty" in explorer.text
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        _, stderr = proc.communicate()
        assert f"explorer: http://127.0.0.1:{port}/" in stderr
        assert "harvesting: off" in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
        pg.drop_database(server_url, name)
