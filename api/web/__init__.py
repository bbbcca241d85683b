"""The web explorer: server-rendered pages at `/` over the same query builders as GraphQL.

`web_routes()` gives the app its pages and static files; `render_graphiql` is the
GraphiQL page the GraphQL view shows to browsers, served from our own copies of its
scripts so that it works without internet.
"""

from __future__ import annotations

from functools import cache

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from api.web.pages import Explorer


@cache
def explorer() -> Explorer:
    """The process's explorer (static files hashed and templates loaded once)."""
    return Explorer()


def web_routes() -> list[BaseRoute]:
    """The explorer's pages (search, models, families, compare, hubs) and static files."""
    return explorer().routes()


def render_graphiql(request: Request) -> Response:
    """The GraphiQL page, with its scripts served by us."""
    return explorer().graphiql(request)
