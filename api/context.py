"""Per-request context: the database session, fresh DataLoaders and a request id."""

from __future__ import annotations

import time
import uuid
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session

from api.loaders import Loaders
from catalog.database import make_engine
from catalog.queries.index_cache import FacetIndexCache

T = TypeVar("T")


IDLE_IN_TRANSACTION_MS = 15_000
PING_AFTER_IDLE_S = 1.0

# Engines made by `request_engine`, with the statement timeout their connections carry.
_PRESET: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()


def request_engine(url: URL, statement_timeout_ms: int, **kwargs: Any) -> Engine:
    """An engine for request sessions only (an API worker's), whose connections are
    set up once: read-only, the statement timeout, generic plans, and autocommit.

    Autocommit: every statement is its own read-only transaction (READ COMMITTED
    already gave each statement its own snapshot), so a request costs no BEGIN, no
    set-up statement and no COMMIT (three round trips, a tenth of a worker's time under
    load), and no connection can be left idle in a transaction. A pooled connection is
    pinged only when it sat idle for `PING_AFTER_IDLE_S` (a server restart is found
    before a request uses it), not on every checkout.
    """
    options = (
        "-c default_transaction_read_only=on "
        f"-c statement_timeout={int(statement_timeout_ms)} "
        "-c plan_cache_mode=force_generic_plan"
    )
    connect_args = {**kwargs.pop("connect_args", {}), "options": options}
    engine = make_engine(
        url,
        connect_args=connect_args,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,
        **kwargs,
    )
    event.listen(engine, "checkin", _note_idle)
    event.listen(engine, "checkout", _ping_if_idle)
    _PRESET[engine] = int(statement_timeout_ms)
    return engine


def _note_idle(dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except psycopg.Error as exc:
        # The pool drops this connection and checks out another (a fresh one).
        raise DisconnectionError("a pooled connection was lost while idle") from exc


def open_request_session(engine: Engine, statement_timeout_ms: int) -> Session:
    """A session whose transaction is read-only and bounded by a statement timeout.

    On an engine from `request_engine`, the connection already is (and the timeout
    must be the one it was made with); on any other engine the settings are set for
    the session's transaction.

    As a safety net, PostgreSQL ends the transaction if it ever sits idle for
    `IDLE_IN_TRANSACTION_MS` (a session that leaked despite `api.execution`).

    The settings are transaction-local, so the pooled connection is clean afterwards.
    Generic plans: the API runs the same few statements with different ids, and
    re-planning a five-way join costs more than running it (3 ms against 0.5 ms).
    """
    session = Session(bind=engine, autoflush=False, expire_on_commit=False)
    preset = _PRESET.get(engine)
    if preset is not None:
        if preset != statement_timeout_ms:
            raise ValueError(
                f"this engine's connections carry a {preset} ms statement timeout, "
                f"not {statement_timeout_ms} ms"
            )
        return session
    session.execute(
        text(
            "SELECT set_config('transaction_read_only', 'on', true), "
            "set_config('statement_timeout', :timeout, true), "
            "set_config('plan_cache_mode', 'force_generic_plan', true), "
            "set_config('idle_in_transaction_session_timeout', :idle, true)"
        ),
        {"timeout": str(int(statement_timeout_ms)), "idle": str(IDLE_IN_TRANSACTION_MS)},
    )
    return session


def close_request_session(session: Session) -> None:
    """End a request's session. Commit, not roll back, though nothing was written:
    psycopg forgets the statements it prepared on a rollback, and re-planning them on
    every request costs more than running them."""
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()  # the transaction failed (e.g. a timeout): nothing to keep
    finally:
        session.close()


def new_request_id() -> str:
    """A short random id that ties a masked error to its log line."""
    return uuid.uuid4().hex[:16]


class Context:
    """What every resolver gets.

    When served, the session is attached (`attach`) in the worker thread that runs the
    request (see `api.execution`); tests pass one directly.

    Attributes:
        index_cache: The facet index, or None to answer every search with SQL.
        request_id: Shown in masked errors and written to the log with the cause.
        statement_timeout_ms: The timeout in force, for the error message.
    """

    loaders: Loaders

    def __init__(
        self,
        session: Session | None = None,
        index_cache: FacetIndexCache | None = None,
        request_id: str | None = None,
        statement_timeout_ms: int | None = None,
    ) -> None:
        """Create the context; fresh loaders per request, so nothing is cached across
        requests."""
        self.index_cache = index_cache
        self.request_id = request_id or new_request_id()
        self.statement_timeout_ms = statement_timeout_ms
        self._session: Session | None = None
        self._memo: dict[str, Any] = {}
        if session is not None:
            self.attach(session)

    @property
    def session(self) -> Session:
        """The request's session (read-only, statement timeout, when served)."""
        if self._session is None:
            raise RuntimeError("the request's session is attached in its worker thread")
        return self._session

    def attach(self, session: Session) -> None:
        """Serve this request from `session` (with fresh loaders over it)."""
        self._session = session
        self.loaders = Loaders(session, self.index_cache)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a per-request value once (e.g. counts every `Task` node shares)."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value
