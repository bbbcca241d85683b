"""Output meant for people, read through a pipe: whole cells and URLs, no stray noise."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from catalog import migrate
from catalog.database import describe, normalize_url
from tests.cli import CATALOG, catalog_env, run_catalog

MANIFEST = Path(__file__).parents[1] / "harvesters" / "onnx_zoo" / "fixtures"
MANIFEST /= "ONNX_HUB_MANIFEST.json"
ELLIPSIS = "…"


def _url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def test_tables_in_a_pipe_keep_every_cell_whole(fresh_db_url: URL, tmp_path: Path) -> None:
    env = catalog_env(
        DATABASE_URL=_url(fresh_db_url),
        CATALOG_HOME=str(tmp_path / "home"),
        CATALOG_ONNX_MANIFEST_URL=str(MANIFEST),
    )
    harvest = run_catalog("harvest", "onnx-model-zoo", env=env)
    assert harvest.returncode == 0, harvest.stderr
    assert ELLIPSIS not in harvest.stdout
    (row,) = [line for line in harvest.stdout.splitlines() if "onnx-model-zoo" in line]
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert cells[:5] == ["onnx-model-zoo", cells[1], "full", "succeeded", "16"]
    assert "quarantined" in harvest.stdout

    status = run_catalog("status", env=env)
    assert status.returncode == 0, status.stderr
    assert ELLIPSIS not in status.stdout
    first = status.stdout.splitlines()[0]
    # The database URL is on one line, however long, so it can be copied from a log.
    shown = describe(normalize_url(_url(fresh_db_url)))
    assert first == f"database (DATABASE_URL): {shown}  schema {migrate.head()}"
    runs = [line for line in status.stdout.splitlines() if "onnx-model-zoo" in line]
    assert runs
    assert all("new=16, seen=16, pages=1" in line for line in runs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_until_healthy(proc: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail(f"catalog up did not serve: {proc.communicate()[1]}")


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="pgserver has wheels for < 3.13 only")
def test_embedded_server_starts_quietly_and_logs_under_catalog_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = catalog_env(CATALOG_HOME=str(home))
    env.pop("XDG_RUNTIME_DIR", None)  # as in most containers
    port = _free_port()
    # What `scripts/run` does: `catalog up` logs at INFO.
    proc = subprocess.Popen(
        [str(CATALOG), "up", "--no-harvest", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _serve_until_healthy(proc, port)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert f"explorer: http://127.0.0.1:{port}/ " in stderr
    for noise in ("initdb", "pg_ctl", "Running commandline", "Warning", "fixing permissions"):
        assert noise not in stderr
    log = (home / "embedded-postgres.log").read_text()
    assert "initdb" in log

    status = run_catalog("status", env=env)
    assert status.returncode == 0, status.stderr
    assert status.stderr == ""
    assert status.stdout.startswith("database (embedded): postgresql+psycopg://")
