"""Test databases on a real PostgreSQL: TEST_DATABASE_URL / DATABASE_URL, else embedded."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from catalog import migrate
from catalog.database import normalize_url


def server_url() -> URL:
    """The maintenance-database URL of the server the tests use."""
    raw = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if raw:
        return normalize_url(raw)
    import pgserver

    # One embedded server for the whole run, shared by xdist workers (pgserver counts
    # the processes that hold it and stops it when the last one exits).
    pgdata = Path(tempfile.gettempdir()) / "model-catalog-tests" / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return make_url(server.get_uri()).set(drivername="postgresql+psycopg")


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
