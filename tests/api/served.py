"""A real `catalog serve` process over a database of its own, for tests that talk HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from benchmarks.load import (
    free_port,
    left_in_transaction,
    start_server,
    stop_server,
    wait_until_idle,
)
from tests import pg
from tests.factories import catalog_records, load, record


@dataclass
class Served:
    """A running server: its base URL, process and database."""

    base_url: str
    process: Any
    db_url: URL

    def left_in_transaction(self) -> list[str]:
        """The last statements of connections left idle in a transaction once every
        request has ended (waiting at most 10 s: below the server's 15 s idle timeout,
        so a leaked session is still there to see)."""
        wait_until_idle(self.base_url)
        return left_in_transaction(self.db_url.render_as_string(hide_password=False))


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
