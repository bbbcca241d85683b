"""The worker side of the API: a process that answers one request at a time.

`api.execution.RequestExecutor` starts these processes; each builds, once, its own
engine (one request connection and a small one for facet index builds), its facet
index cache and the strawberry GraphQL app, then runs jobs: a GraphQL HTTP request
(the whole ASGI exchange, so strawberry's own HTTP handling applies) or a read
function over a fresh session. Every job's session is opened and closed inside the job,
and every job runs against a deadline (see `check_deadline`).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from api.context import close_request_session, open_request_session, request_engine
from catalog.queries.errors import QueryError
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.index_store import IndexStore
from catalog.queries.search import PARALLEL_FACETS
from catalog.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

DEADLINE: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "catalog_request_deadline", default=None
)
INDEX_OFF, INDEX_BUILDING, INDEX_READY = -1, 0, 1


class RequestBudgetError(QueryError):
    """A request ran out of its time budget (answered as a GraphQL error)."""


def check_deadline(*_: Any) -> None:
    """Refuse to start a statement once the request's budget is spent.

    Installed as a `before_cursor_execute` listener on the worker's request engine.

    Raises:
        RequestBudgetError: the current request is past its deadline.
    """
    deadline = DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise RequestBudgetError(
            f"the request took longer than its {deadline[1]:.0f} s budget; ask for fewer "
            "fields, fewer aliases or narrower filters"
        )


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to start (sent to the process once, when it starts)."""

    database_url: str
    settings: Settings
    facet_index: bool
    index_states: Any  # multiprocessing Array of ints: one INDEX_* state per worker
    next_slot: Any  # multiprocessing Value: the next free index in `index_states`
    index_dir: str | None = None  # where workers share one facet index (IndexStore)


@dataclass(frozen=True)
class HttpJob:
    """One HTTP request to /graphql, as the front process received it."""

    method: str
    path: str
    query_string: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    request_id: str
    alone: bool = True  # no other request was running: facets may use threads


@dataclass
class HttpReply:
    """The worker's answer to an `HttpJob`."""

    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""


@dataclass
class WorkerState:
    """Everything one worker process holds between jobs."""

    config: WorkerConfig
    engine: Engine
    index_cache: FacetIndexCache | None
    graphql: Any
    loop: asyncio.AbstractEventLoop
    slot: int


_STATE: WorkerState | None = None


def init_worker(config: WorkerConfig) -> None:
    """Build the worker's engines, facet index cache and GraphQL app (pool initializer)."""
    global _STATE  # noqa: PLW0603 - one state per worker process, built once
    from api.app import CatalogGraphQL
    from catalog.database import make_engine
    from catalog.logs import configure_logging

    configure_logging(config.settings)
    url = make_url(config.database_url)
    app_name = {"application_name": "model-catalog-api"}
    timeout = config.settings.statement_timeout_ms
    engine = request_engine(url, timeout, pool_size=1, max_overflow=1, connect_args=app_name)
    event.listen(engine, "before_cursor_execute", check_deadline)
    with config.next_slot.get_lock():
        slot = config.next_slot.value % len(config.index_states)
        config.next_slot.value += 1
    cache = None
    if config.facet_index:
        aux = make_engine(url, pool_size=1, max_overflow=1, connect_args=app_name)
        store = IndexStore(config.index_dir) if config.index_dir else None
        cache = FacetIndexCache(
            aux,
            on_built=lambda: _set_state(config, slot, INDEX_READY),
            store=store,
            result_cache_size=config.settings.api_result_cache_size,
        )
        cache.start_build()
        cache.watch()
    _set_state(config, slot, INDEX_BUILDING if cache else INDEX_OFF)
    graphql = CatalogGraphQL(engine, config.settings, cache)
    _STATE = WorkerState(config, engine, cache, graphql, asyncio.new_event_loop(), slot)
    log.debug("API worker %d ready (pid %d)", slot, os.getpid())


def _set_state(config: WorkerConfig, slot: int, value: int) -> None:
    config.index_states[slot] = value


def _state() -> WorkerState:
    assert _STATE is not None, "init_worker has not run in this process"
    return _STATE


def _run(coro: Any, budget: float) -> Any:
    state = _state()
    deadline = (time.monotonic() + budget, budget)
    token = DEADLINE.set(deadline)
    try:
        return state.loop.run_until_complete(coro)
    finally:
        DEADLINE.reset(token)


def run_http(job: HttpJob) -> HttpReply:
    """Answer one /graphql request through the worker's strawberry app."""
    state = _state()
    reply = HttpReply()
    parts: list[bytes] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": job.method,
        "scheme": "http",
        "path": job.path,
        "raw_path": job.path.encode(),
        "query_string": job.query_string,
        "root_path": "",
        "headers": job.headers,
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 80),
        "state": {"request_id": job.request_id},
    }
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            await asyncio.sleep(3600)  # the body was read: nothing more will come
        delivered = True
        return {"type": "http.request", "body": job.body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            reply.status = message["status"]
            reply.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))

    budget = state.config.settings.api_request_budget_ms / 1000
    token = PARALLEL_FACETS.set(job.alone)
    try:
        _run(state.graphql(scope, receive, send), budget)
    finally:
        PARALLEL_FACETS.reset(token)
    reply.body = b"".join(parts)
    return reply


def run_read(fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(session, index_cache, *args)` over a fresh read-only session."""
    state = _state()
    settings = state.config.settings

    async def call() -> T:
        session = open_request_session(state.engine, settings.statement_timeout_ms)
        try:
            return fn(session, state.index_cache, *args)
        finally:
            close_request_session(session)

    result: T = _run(call(), settings.api_request_budget_ms / 1000)
    return result


def ping() -> int:
    """The worker's pid (a liveness check)."""
    return os.getpid()
