"""Test databases on a real PostgreSQL: TEST_DATABASE_URL / DATABASE_URL, else embedded."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
import warnings
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from catalog import migrate
from catalog.database import normalize_url

# The embedded server of this test run, set by the process that started it (the pytest
# controller) and inherited by the xdist workers it spawns afterwards.
RUN_SERVER_URL = "CATALOG_TESTS_SERVER_URL"

_started: list[tuple[Any, Path]] = []  # (pgserver handle, its directory) of this process


def server_url() -> URL:
    """The maintenance-database URL of the server the tests use."""
    for variable in ("TEST_DATABASE_URL", "DATABASE_URL", RUN_SERVER_URL):
        raw = os.environ.get(variable)
        if raw:
            return normalize_url(raw)
    # Not under the test run's controller (a benchmark, say): a server of this process.
    return normalize_url(start_embedded())


def start_embedded() -> str:
    """Start an embedded server in a new directory of its own and return its URL.

    Each test run gets its own server: runs from several checkouts, or two runs of one,
    never share a data directory (a shared one failed a first run on a fresh machine).
    The directory is made here, before pgserver sees it, so no two processes race to
    create it; pgserver serialises initdb and start-up itself. The server is stopped and
    its directory removed by `stop_embedded`, or when this process exits.

    Raises:
        ImportError: pgserver is not installed (Python 3.13 and later).
    """
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime dir that containers rarely set.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver

    root = Path(tempfile.mkdtemp(prefix="model-catalog-tests-"))
    pgdata = root / "pgdata"
    pgdata.mkdir()
    try:
        server = pgserver.get_server(pgdata, cleanup_mode="delete")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    _started.append((server, root))
    # atexit runs last-in first-out: this runs before pgserver's own hook.
    atexit.register(stop_embedded)
    return str(server.get_uri())


def stop_embedded() -> None:
    """Stop the servers this process started and remove their directories."""
    while _started:
        server, root = _started.pop()
        server.cleanup()  # stops the server and deletes pgdata (cleanup_mode="delete")
        shutil.rmtree(root, ignore_errors=True)


def _admin(url: URL):  # noqa: ANN202 - an Engine; kept private to tests
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(url: URL, name: str, template: str | None = None) -> URL:
    """Create database `name` (dropping a leftover of the same name first)."""
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    admin.dispose()
    return url.set(database=name)


def drop_database(url: URL, name: str) -> None:
    """Drop database `name`, closing whatever still connects to it."""
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrated_database(url: URL, name: str) -> URL:
    """Create `name` and upgrade it to head through the migrations."""
    db_url = create_database(url, name)
    engine = create_engine(db_url)
    migrate.upgrade(engine)
    engine.dispose()
    return db_url


def unique_name(prefix: str) -> str:
    """A database name no other test uses."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"
