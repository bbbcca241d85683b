"""A real `catalog serve` process over a database of its own, for tests that talk HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from benchmarks.load import free_port, start_server, stop_server
from tests import pg
from tests.factories import catalog_records, load, record


@dataclass
class Served:
    """A running server: its base URL, process and database."""

    base_url: str
    process: Any
    db_url: URL

    def left_in_transaction(self, settle_s: float = 10.0) -> list[str]:
        """The last statements of connections left idle in a transaction once every
        request has ended.

        A request still running (one whose client hung up runs to its end) is between
        two statements most of the time, and so "idle in transaction" too: wait until
        /readyz reports no active request first. `settle_s` stays below the server's
        15 s idle-in-transaction timeout, so a leaked session is still there to see.
        """
        deadline = time.monotonic() + settle_s
        while time.monotonic() < deadline:
            ready = httpx.get(f"{self.base_url}/readyz", timeout=5).json()
            if ready.get("activeRequests") == 0:
                break
            time.sleep(0.1)
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT application_name || ': ' || query FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND state LIKE 'idle in transaction%'"
                    )
                ).scalars()
                return list(rows)
        finally:
            engine.dispose()


def serve_catalog(
    server_url: URL,
    template_db: str,
    *,
    models: int = 200,
    env: dict[str, str] | None = None,
    log: Any = None,
) -> Iterator[Served]:
    """Fill a fresh database with `models` records plus a few BERTs, and serve it (its
    log to the open file `log`, if given)."""
    name = pg.unique_name("catalog_served")
    db_url = pg.create_database(server_url, name, template=template_db)
    engine = create_engine(db_url)
    with Session(engine) as session:
        bert = [
            record(f"org{i}/bert-base-finetuned-{i}", tasks=["fill-mask"], downloads=i)
            for i in range(30)
        ]
        load(session, [*catalog_records(models), *bert])
        session.commit()
    engine.dispose()
    url = db_url.render_as_string(hide_password=False)
    port = free_port()
    process = start_server(url, port, env=env, log=log)
    try:
        yield Served(f"http://127.0.0.1:{port}", process, db_url)
    finally:
        if process.poll() is None:
            stop_server(process)
        pg.drop_database(server_url, name)
