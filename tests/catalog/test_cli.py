"""The `catalog` command against real databases: status, db, bad URLs, embedded server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from catalog import migrate
from tests import pg
from tests.cli import catalog_env, run_catalog


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "TEST_DATABASE_URL", "CATALOG_HOME"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "catalog.cli.main", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def test_status_on_an_empty_catalog_in_text_and_json(fresh_db_url: URL) -> None:
    env = {"DATABASE_URL": _url(fresh_db_url)}
    text_out = run_cli("status", env=env)
    assert text_out.returncode == 0, text_out.stderr
    assert "huggingface" in text_out.stdout
    assert "never" in text_out.stdout
    assert "catalog is empty" in text_out.stdout

    json_out = run_cli("status", "--json", env=env)
    assert json_out.returncode == 0, json_out.stderr
    doc = json.loads(json_out.stdout)
    assert doc["embedded"] is False
    assert doc["schema_revision"] == migrate.head()
    assert [p["platform"] for p in doc["platforms"]] == [
        "huggingface",
        "tfhub",
        "pytorch-hub",
        "kaggle",
        "onnx-model-zoo",
    ]
    assert all(p["models"] == 0 and p["last_run"] is None for p in doc["platforms"])
    assert doc["recent_runs"] == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://alice:s3cret@127.0.0.1:1/nowhere", "unreachable"),
        ("mysql://alice:s3cret@localhost/db", "must be a PostgreSQL URL"),
        ("::not a url::s3cret", "not a valid URL"),
    ],
)
def test_bad_database_url_gives_one_line_and_exit_code_2(url: str, expected: str) -> None:
    result = run_cli("status", env={"DATABASE_URL": url})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]
    assert expected in lines[0]
    assert "s3cret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_is_idempotent_and_current_reports_head(fresh_db_url: URL) -> None:
    env = {"DATABASE_URL": _url(fresh_db_url)}
    upgraded = run_cli("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"schema at {migrate.head()}" in upgraded.stdout
    current = run_cli("db", "current", env=env)
    assert f"database: {migrate.head()}" in current.stdout
    assert f"code head: {migrate.head()}" in current.stdout


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="pgserver has wheels for < 3.13 only")
def test_embedded_server_starts_from_nothing_is_reused_and_stops(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"CATALOG_HOME": str(home)}
    first = run_cli("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert (home / "pgdata" / "PG_VERSION").exists()

    second = run_cli("status", "--json", env=env)
    assert second.returncode == 0, second.stderr
    doc = json.loads(second.stdout)
    assert doc["embedded"] is True
    assert doc["schema_revision"] == migrate.head()  # the data of the first command is still there

    # Each command stops the server it started when it exits (no other user holds it).
    assert not (home / "pgdata" / "postmaster.pid").exists()
    stopped = run_cli("db", "stop", env=env)
    assert stopped.returncode == 0
    assert "not running" in stopped.stdout


def test_a_missing_database_is_named_with_how_to_create_it(server_url: URL) -> None:
    missing = server_url.set(database=pg.unique_name("catalog_missing"), password="s3cret")
    env = catalog_env(DATABASE_URL=_url(missing))
    result = run_catalog("status", env=env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"database '{missing.database}' does not exist" in line
    assert "unreachable" not in line
    assert re.search(rf"`createdb [^`]*\b{missing.database}`", line), line
    assert "catalog db upgrade" in line
    assert "s3cret" not in line
