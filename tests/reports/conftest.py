"""Report fixtures: the fixture catalog in a database of its own, and transports to it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL

from api.reports.client import InProcessTransport
from tests import pg
from tests.reports import fixture_catalog


@pytest.fixture(scope="module")
def catalog_url(server_url: URL, template_db: str) -> Iterator[URL]:
    """A migrated database of its own holding the fixture catalog (loaded once per module,
    like `fresh_db_url`, since every test here only reads it)."""
    name = pg.unique_name("catalog_reports")
    url = pg.create_database(server_url, name, template=template_db)
    engine = create_engine(url)
    fixture_catalog.load(engine)
    engine.dispose()
    yield url
    pg.drop_database(server_url, name)


@pytest.fixture(scope="module")
def catalog_engine(catalog_url: URL) -> Iterator[Engine]:
    """Engine over the fixture catalog."""
    engine = create_engine(catalog_url)
    yield engine
    engine.dispose()


@pytest.fixture
def transport(catalog_engine: Engine) -> InProcessTransport:
    """Reports run in process against the fixture catalog."""
    return InProcessTransport(catalog_engine)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(catalog_engine: Engine) -> Iterator[str]:
    """The API served over HTTP on 127.0.0.1 from the fixture catalog; its /graphql URL."""
    from api.app import create_app

    app = create_app(engine=catalog_engine, facet_index=False)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test API server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/graphql"
    server.should_exit = True
    thread.join(timeout=10)
