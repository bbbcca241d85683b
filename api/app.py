"""The ASGI app: the web explorer at /, GraphQL (with GraphiQL) at /graphql, /healthz, /readyz.

`create_app` returns a plain Starlette app, so other parts (metrics, `catalog up`) can
add routes (`extra_routes`) or middleware, or mount it.

The serving process never touches the database on its event loop: each /graphql
request is handed to a worker process (`api.execution.RequestExecutor`, `api.worker`),
where strawberry's `CatalogGraphQL` runs it over a session of its own. Health checks
and metrics use a small engine of the serving process, so they answer even when every
worker is busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from api.context import Context, close_request_session, open_request_session
from api.execution import RequestExecutor, default_workers
from api.middleware import GuardMiddleware, read_body, request_id_of
from api.schema import schema
from api.web import render_graphiql, web_routes
from api.worker import HttpJob, HttpReply, RequestBudgetError, run_http
from catalog.database import make_engine, resolve_url
from catalog.queries.index_cache import FacetIndexCache
from catalog.settings import Settings, get_settings

log = logging.getLogger("api")
READY_TIMEOUT_SECONDS = 2.0
MAX_JSON_DEPTH = 64
AUX_POOL_SIZE = 3
APPLICATION_NAME = "model-catalog-api"  # pg_stat_activity.application_name of API sessions


@dataclass(frozen=True, slots=True)
class AppState:
    """What the app serves from, on `app.state.catalog`.

    Attributes:
        engine: The serving process's small engine (health checks, metrics).
        settings: The settings in force.
        executor: The worker processes that run requests.
    """

    engine: Engine
    settings: Settings
    executor: RequestExecutor


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of decoded JSON, counting no deeper than `limit` + 1."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > limit:
            return level
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class CatalogGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app as a worker runs it: a session per operation."""

    def __init__(
        self, engine: Engine, settings: Settings, index_cache: FacetIndexCache | None
    ) -> None:
        """Serve `api.schema.schema` over `engine`."""
        super().__init__(schema, graphql_ide="graphiql")
        self.engine = engine
        self.settings = settings
        self.index_cache = index_cache

    def decode_json(self, data: str | bytes) -> object:
        """Decode a request body, refusing what is not a GraphQL request object.

        Raises:
            HTTPException: 400 with a message that names the problem.
        """
        try:
            decoded = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
        except UnicodeDecodeError:
            raise HTTPException(400, "the request body is not valid UTF-8") from None
        except RecursionError:
            raise HTTPException(400, "the request body nests JSON too deeply") from None
        except ValueError:
            raise HTTPException(400, "the request body is not valid JSON") from None
        if not isinstance(decoded, dict):
            raise HTTPException(
                400, 'the request body must be a JSON object: {"query": "...", "variables": {}}'
            )
        if _depth(decoded, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise HTTPException(400, f"the request body nests JSON deeper than {MAX_JSON_DEPTH}")
        if _has_nul(decoded):
            raise HTTPException(400, "the request holds a NUL character (\\u0000); remove it")
        return decoded

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL with its scripts served by us, so it works offline."""
        return render_graphiql(request)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        """A context without a session yet: it is attached in the worker thread."""
        return Context(
            index_cache=self.index_cache,
            request_id=request_id_of(request.scope),
            statement_timeout_ms=self.settings.statement_timeout_ms,
        )

    async def execute_single(  # noqa: PLR0917 - strawberry's signature
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: Any,
    ) -> ExecutionResult:
        """Run the operation over a session of its own, closed whatever happens."""
        session = open_request_session(self.engine, self.settings.statement_timeout_ms)
        context.attach(session)
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except RequestBudgetError as exc:
            log.warning("request %s: %s", context.request_id, exc)
            extensions = {"code": "TIMEOUT", "requestId": context.request_id}
            return ExecutionResult(
                data=None, errors=[GraphQLError(str(exc), extensions=extensions)]
            )
        finally:
            close_request_session(session)


def _wants_graphiql(request: Request) -> bool:
    """Strawberry's rule: a GET that accepts HTML and carries no query."""
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


class GraphQLForwarder:
    """The serving process's /graphql: hand the request to a worker, relay the answer.

    A browser's plain GET gets GraphiQL from here (no database needed).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Forward one request."""
        request = Request(scope, receive)
        if _wants_graphiql(request):
            await render_graphiql(request)(scope, receive, send)
            return
        state: AppState = scope["app"].state.catalog
        job = HttpJob(
            method=scope["method"],
            path=scope["path"],
            query_string=scope.get("query_string", b""),
            headers=list(scope.get("headers", [])),
            body=await read_body(receive),
            request_id=request_id_of(scope),
            alone=state.executor.active == 0,
        )
        reply: HttpReply = await state.executor.run(run_http, job)
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": reply.headers}
        )
        await send({"type": "http.response.body", "body": reply.body})


async def healthz(request: Request) -> Response:
    """The process is up (never touches the database)."""
    return JSONResponse({"status": "ok"})


def _ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


async def readyz(request: Request) -> Response:
    """The database answers (within 2 s, on the health engine) and the facet index state."""
    state: AppState = request.app.state.catalog
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, state.engine), READY_TIMEOUT_SECONDS)
    except (SQLAlchemyError, TimeoutError) as exc:
        log.warning("readyz: database unreachable: %s", exc.__class__.__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return JSONResponse(
        {
            "status": "ready",
            "database": "ok",
            "facetIndex": state.executor.index_state(),
            "activeRequests": state.executor.active,
        }
    )


def small_engine(settings: Settings) -> Engine:
    """The serving process's engine: health checks and metrics only."""
    return make_engine(
        resolve_url(settings),
        pool_size=2,
        max_overflow=2,
        pool_timeout=5,
        connect_args={"application_name": APPLICATION_NAME},
    )


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    *,
    facet_index: bool = True,
    extra_routes: Sequence[BaseRoute] = (),
    middleware: Sequence[Middleware] = (),
    workers: int | None = None,
) -> Starlette:
    """Build the API app.

    Args:
        settings: Settings (default: the process settings).
        engine: The serving process's engine for health checks (default:
            `small_engine(settings)`); the workers connect to the same database.
        facet_index: Answer searches from the in-memory facet index (built in the
            background in each worker; SQL answers until it is ready). False: SQL only.
        extra_routes: More routes (e.g. /metrics).
        middleware: More middleware, outermost first, after CORS.
        workers: Worker processes (default: `CATALOG_API_WORKERS`, else one per core).

    Returns:
        The Starlette app; `app.state.catalog` is its `AppState`.
    """
    settings = settings or get_settings()
    engine = engine or small_engine(settings)
    executor = RequestExecutor(
        engine.url.render_as_string(hide_password=False),
        settings,
        facet_index=facet_index,
        workers=workers or settings.api_workers or default_workers(),
    )
    state = AppState(engine, settings, executor)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await asyncio.to_thread(executor.start)
        try:
            yield
        finally:
            await asyncio.to_thread(executor.shutdown)

    stack = [Middleware(GuardMiddleware)]
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["content-type", "x-request-id"],
            )
        )
    app = Starlette(
        routes=[
            Route("/graphql", GraphQLForwarder(), methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *web_routes(),
            *extra_routes,
        ],
        middleware=[*stack, *middleware],
        lifespan=lifespan,
    )
    app.state.catalog = state
    return app
