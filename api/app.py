"""The ASGI app: the web explorer at /, GraphQL (with GraphiQL) at /graphql, /healthz, /readyz.

`create_app` returns a plain Starlette app, so other parts (metrics, `catalog up`) can
add routes (`extra_routes`) or middleware, or mount it.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

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

from api.context import Context, close_request_session, new_request_id, open_request_session
from api.schema import schema
from api.web import render_graphiql, web_routes
from catalog.database import get_engine
from catalog.queries.index_cache import FacetIndexCache
from catalog.settings import Settings, get_settings

log = logging.getLogger("api")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True, slots=True)
class AppState:
    """What the app serves from, on `app.state.catalog`."""

    engine: Engine
    settings: Settings
    index_cache: FacetIndexCache | None


class CatalogGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with a read-only, time-limited session per request."""

    def __init__(self, state: AppState) -> None:
        """Serve `api.schema.schema` from `state`."""
        super().__init__(schema, graphql_ide="graphiql")
        self.state = state

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        """Open the request's session and fresh loaders."""
        header = request.headers.get("x-request-id", "")
        timeout = self.state.settings.statement_timeout_ms
        ctx = Context(
            session=open_request_session(self.state.engine, timeout),
            index_cache=self.state.index_cache,
            request_id=header if _REQUEST_ID.match(header) else new_request_id(),
            statement_timeout_ms=timeout,
        )
        request.state.catalog_context = ctx
        return ctx

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL with its scripts served by us, so it works offline."""
        return render_graphiql(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request and always give its connection back."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            ctx = scope.get("state", {}).get("catalog_context")
            if ctx is not None:
                close_request_session(ctx.session)


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """The database answers (and whether the facet index is built)."""
    state: AppState = request.app.state.catalog
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("readyz: database unreachable: %s", exc.__class__.__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    cache = state.index_cache
    index = "off" if cache is None else ("ready" if cache.index is not None else "building")
    return JSONResponse({"status": "ready", "database": "ok", "facetIndex": index})


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    *,
    facet_index: bool = True,
    extra_routes: Sequence[BaseRoute] = (),
    middleware: Sequence[Middleware] = (),
) -> Starlette:
    """Build the API app.

    Args:
        settings: Settings (default: the process settings).
        engine: Database engine (default: `catalog.database.get_engine()`).
        facet_index: Answer searches from the in-memory facet index (built in the
            background at start-up; SQL answers until it is ready). False: SQL only.
        extra_routes: More routes (e.g. /metrics).
        middleware: More middleware, outermost first, after CORS.

    Returns:
        The Starlette app; `app.state.catalog` is its `AppState`.
    """
    settings = settings or get_settings()
    engine = engine or get_engine()
    cache = FacetIndexCache(engine) if facet_index else None
    state = AppState(engine=engine, settings=settings, index_cache=cache)
    graphql = CatalogGraphQL(state)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if cache is not None:
            cache.start_build()
        yield

    stack = []
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
            Route("/graphql", graphql, methods=["GET", "POST"]),
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
