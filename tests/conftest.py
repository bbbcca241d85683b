"""Shared fixtures: a real PostgreSQL per worker, migrated once, savepoint sessions."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from harvesters import registry
from harvesters.base import settings_prefix
from tests import pg

# The hub contract lives in the package (`harvesters.testing`) so other packages' hubs can
# run it; its asserts explain themselves only if pytest rewrites them.
pytest.register_assert_rewrite("harvesters.testing")

# CI runs the property tests with a fixed seed so a landing never hangs on a coin toss;
# local runs explore new examples each time (and record failures in .hypothesis/).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# No test may reach a real hub: unless a test points a source somewhere itself, every
# registered hub's `url` leads to a closed local port, through the variable a test would
# set (its environment alias, else CATALOG_HARVESTERS__<HUB>__URL), and no hub token
# of the developer's shell is used (child processes inherit this too).
UNREACHABLE = "http://127.0.0.1:9/no-source-configured"
for _variable in [v for v in os.environ if v.startswith("CATALOG_HARVESTERS__")]:
    del os.environ[_variable]
for _hub in registry.harvester_classes().values():
    _aliases = _hub.config_class.env_aliases
    for _option, _variable in _aliases.items():
        if _option != "url":
            os.environ.pop(_variable, None)
    if "url" in _hub.config_class.model_fields:
        os.environ[_aliases.get("url", f"{settings_prefix(_hub.name)}URL")] = UNREACHABLE


def pytest_configure(config: pytest.Config) -> None:
    """Without a configured server, start this run's embedded one (xdist workers join it)."""
    if hasattr(config, "workerinput"):
        return  # an xdist worker: it inherited the controller's environment
    if any(os.environ.get(v) for v in ("TEST_DATABASE_URL", "DATABASE_URL", pg.RUN_SERVER_URL)):
        return
    # Without pgserver (Python 3.13+) the tests that need a database say so themselves.
    with contextlib.suppress(ImportError):
        os.environ[pg.RUN_SERVER_URL] = pg.start_embedded()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the run's embedded server once every worker is done."""
    if not hasattr(config, "workerinput"):
        pg.stop_embedded()


@pytest.fixture(scope="session")
def worker_id_suffix(request: pytest.FixtureRequest) -> str:
    """The xdist worker id (gw0, gw1, ...) or 'main', plus the pid: test sessions that
    run at the same time against one server never share a database."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


@pytest.fixture(scope="session")
def server_url() -> URL:
    """The PostgreSQL server the tests run against."""
    return pg.server_url()


@pytest.fixture(scope="session")
def template_db(server_url: URL, worker_id_suffix: str) -> Iterator[str]:
    """A migrated database to clone isolated databases from (never connected to)."""
    name = f"catalog_tpl_{worker_id_suffix}"
    pg.migrated_database(server_url, name)
    yield name
    pg.drop_database(server_url, name)


@pytest.fixture(scope="session")
def shared_db_url(server_url: URL, template_db: str, worker_id_suffix: str) -> Iterator[URL]:
    """The worker's migrated database for savepoint-isolated tests."""
    name = f"catalog_test_{worker_id_suffix}"
    url = pg.create_database(server_url, name, template=template_db)
    yield url
    pg.drop_database(server_url, name)


@pytest.fixture(scope="session")
def shared_engine(shared_db_url: URL) -> Iterator[Engine]:
    """Engine over the worker's shared database."""
    engine = create_engine(shared_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(shared_engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with shared_engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture
def fresh_db_url(server_url: URL, template_db: str) -> Iterator[URL]:
    """A database of its own, migrated, for tests that commit or use several processes."""
    name = pg.unique_name("catalog_iso")
    url = pg.create_database(server_url, name, template=template_db)
    yield url
    pg.drop_database(server_url, name)


@pytest.fixture
def fresh_engine(fresh_db_url: URL) -> Iterator[Engine]:
    """Engine over a database of its own."""
    engine = create_engine(fresh_db_url)
    yield engine
    engine.dispose()


class QueryRecorder:
    """Counts the SQL statements an engine executes while recording."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.active = False

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, PLR0913
        if self.active:
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def query_recorder(shared_engine: Engine) -> Iterator[QueryRecorder]:
    """Record statements on the shared engine: `with`-less, toggle `.active`."""
    recorder = QueryRecorder()
    event.listen(shared_engine, "before_cursor_execute", recorder)
    yield recorder
    event.remove(shared_engine, "before_cursor_execute", recorder)
