"""The explorer's routes: search, model, family, compare and hubs pages, as HTML, JSON or
CSV."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup
from psycopg import errors as pg_errors
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from api.context import new_request_id
from api.reports import svg
from api.web import graphiql
from api.web.assets import Assets
from api.web.compare import gather_compare, gather_hubs, split_rows
from api.web.derived import STRENGTHS, class_name
from api.web.family import FamilyPage, gather_family
from api.web.model import ModelPage, gather_model
from api.web.read import read
from api.web.render import Renderer, csv_response, json_response
from api.web.search import (
    MAX_EXPORT,
    ResultRow,
    SearchPage,
    facet_views,
    gather_export,
    gather_search,
)
from api.web.search import value_labels as search_labels
from api.web.state import EXCLUDE, PAGE_SIZE, SORTS, SearchState, chips, graphql_variables
from catalog.derive.usage import USAGES
from catalog.queries.errors import QueryError
from catalog.queries.filters import MAX_PAGE

log = logging.getLogger("api.web")
Handler = Callable[[Request], Awaitable[Response]]
HIDDEN = ("derived_from", "authors", "datasets", "tags")
CSV_HEADER = (
    "ref",
    "name",
    "platform",
    "tasks",
    "formats",
    "parameters",
    "downloads",
    "likes",
    "license",
    "library",
    "url",
    "memory_bytes",  # weights only, smallest variant
    *(u.replace("-", "_") for u in USAGES),
    "license_class",  # of the effective license
    "commercial_use",
    "license_conflict",
)


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name}: {raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise QueryError(f"{name} must be between {low} and {high}, got {value}")
    return value


class Explorer:
    """The pages, their templates and their static files."""

    def __init__(self) -> None:
        """Hash the static files and load the templates."""
        self.assets = Assets()
        self.renderer = Renderer(self.assets)

    def routes(self) -> list[BaseRoute]:
        """Every route of the explorer (the app puts GraphQL beside them)."""
        return [
            Route("/", self._guard(self.search), methods=["GET"]),
            Route("/models/{platform}/{external_id:path}", self._guard(self.model)),
            Route("/families/{slug}", self._guard(self.family), methods=["GET"]),
            Route("/compare", self._guard(self.compare), methods=["GET"]),
            Route("/hubs", self._guard(self.hubs), methods=["GET"]),
            Route("/static/{digest}/{name:path}", self.assets.serve, methods=["GET", "HEAD"]),
        ]

    def _guard(self, handler: Handler) -> Handler:
        """Turn failures into pages: a request we cannot answer says why; anything else
        is logged with an id the page shows."""

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except QueryError as exc:
                return self.renderer.error(request, 400, "Cannot show that", str(exc))
            except DBAPIError as exc:
                if isinstance(exc.orig, pg_errors.QueryCanceled):
                    message = "The catalog took too long to answer; narrow the search and retry."
                    return self.renderer.error(request, 503, "Too slow", message)
                return self._failed(request, exc)
            except Exception as exc:  # noqa: BLE001 - any other failure becomes a page
                return self._failed(request, exc)

        return guarded

    def _failed(self, request: Request, exc: Exception) -> Response:
        request_id = new_request_id()
        log.error("page %s failed (request %s)", request.url.path, request_id, exc_info=exc)
        message = f"Something went wrong on our side (request id {request_id}, in the log)."
        return self.renderer.error(request, 500, "Internal error", message)

    async def search(self, request: Request) -> Response:
        """`/`: search with facets (`format=json|csv` for scripts)."""
        state = SearchState.from_params(request.query_params)
        output = request.query_params.get("format", "html")
        if output == "csv":
            limit = _int_param(request, "limit", 1000, 1, MAX_EXPORT)
            rows = await read(request, gather_export, state, limit)
            return csv_response("models.csv", CSV_HEADER, (_csv_row(r) for r in rows))
        first = _int_param(request, "first", PAGE_SIZE, 1, MAX_PAGE)
        page = await read(request, gather_search, state, first)
        if output == "json":
            return json_response(_search_json(page))
        return self.renderer.html(request, "search.html", _search_context(page))

    async def model(self, request: Request) -> Response:
        """`/models/<platform>/<externalId>`: one model (`format=json` for scripts)."""
        platform = request.path_params["platform"]
        external_id = request.path_params["external_id"]
        ref = f"{platform}:{external_id}"
        page = await read(request, gather_model, ref)
        if page is None:
            search = ("Search for it", "/?" + urlencode({"q": external_id}))
            message = f"The catalog has no model {ref}."
            return self.renderer.error(request, 404, "No such model", message, search)
        if request.query_params.get("format") == "json":
            return json_response({"ref": ref, "model": page})
        return self.renderer.html(request, "model.html", _model_context(page))

    async def family(self, request: Request) -> Response:
        """`/families/<slug>`: one family across hubs (`format=json` for scripts)."""
        slug = request.path_params["slug"]
        page = await read(request, gather_family, slug)
        if page is None:
            search = ("Search for it", "/?" + urlencode({"q": slug}))
            message = f"The catalog has no family {slug!r}."
            return self.renderer.error(request, 404, "No such family", message, search)
        if request.query_params.get("format") == "json":
            return json_response({"slug": slug, "family": page})
        return self.renderer.html(request, "family.html", _family_context(page))

    async def compare(self, request: Request) -> Response:
        """`/compare?refs=...`: models side by side; add and remove models."""
        refs = [r.strip() for r in request.query_params.getlist("refs") if r.strip()]
        add = request.query_params.get("add", "").strip()
        page = await read(request, gather_compare, refs, add)
        if page.added is not None:
            return RedirectResponse(_compare_url([*page.refs, page.added]), status_code=303)
        output = request.query_params.get("format", "html")
        rows = page.table.rows if page.table else []
        if output == "json":
            return json_response({"refs": page.refs, "unknown": page.unknown, "rows": rows})
        if output == "csv":
            header = ["attribute", "label", *page.refs]
            body = ([r.attribute, r.label, *r.values] for r in rows)
            return csv_response("comparison.csv", header, body)
        only_diff = request.query_params.get("diff") == "1"
        context = {
            "page": page,
            "groups": split_rows([r for r in rows if r.differs or not only_diff]),
            "only_diff": only_diff,
            "nav": "compare",
            "url_without": {
                ref: _compare_url([r for r in page.refs if r != ref]) for ref in page.refs
            },
            "url_diff": _compare_url(page.refs, diff="" if only_diff else "1"),
            "url_add": {c.ref: _compare_url([*page.refs, c.ref]) for c in page.candidates},
            "json_url": _compare_url(page.refs, format="json"),
            "csv_url": _compare_url(page.refs, format="csv"),
            "graphql_url": graphiql.graphiql_url(graphiql.COMPARE_QUERY, {"refs": page.refs}),
        }
        return self.renderer.html(request, "compare.html", context)

    async def hubs(self, request: Request) -> Response:
        """`/hubs`: models per hub and each hub's last harvest runs."""
        hubs = await read(request, gather_hubs)
        if request.query_params.get("format") == "json":
            return json_response({"hubs": hubs})
        context = {
            "hubs": hubs,
            "nav": "hubs",
            "graphql_url": graphiql.graphiql_url(graphiql.HUBS_QUERY),
        }
        return self.renderer.html(request, "hubs.html", context)

    def graphiql(self, request: Request) -> Response:
        """GraphiQL from our own copies of its scripts (works offline)."""
        urls = {key: self.assets.url(name) for key, name in graphiql.GRAPHIQL_ASSETS.items()}
        body = self.renderer.env.get_template("graphiql.html").render(request=request, **urls)
        return HTMLResponse(body, headers={"X-Content-Type-Options": "nosniff"})


def _flag(value: bool | None) -> str | None:
    return None if value is None else str(value).lower()


def _csv_row(r: ResultRow) -> tuple[Any, ...]:
    return (
        (r.ref, r.name, r.platform, " ".join(r.tasks), " ".join(r.formats))
        + (r.parameters, r.downloads, r.likes, r.license, r.library, r.url, r.memory_bytes)
        + tuple(_flag(r.usage.get(u)) for u in USAGES)
        + (r.license_class, _flag(r.commercial_use), _flag(r.license_conflict))
    )


def _compare_url(refs: list[str], **extra: str) -> str:
    pairs = [("refs", r) for r in refs] + [(k, v) for k, v in extra.items() if v]
    return "/compare?" + urlencode(pairs) if pairs else "/compare"


def _search_context(page: SearchPage) -> dict[str, Any]:
    state = page.state
    variables = graphql_variables(state, page.derived_from_id)
    # Filters without a sidebar facet (set by links on model pages) ride along in the form.
    hidden = [(key, value) for key, value in state.items() if key.removeprefix(EXCLUDE) in HIDDEN]
    # The default sort (no `sort` parameter) is best match with a text, else downloads,
    # so a text typed after choosing nothing is ranked by relevance.
    default = "Best match" if state.q else "Most downloaded"
    sorts = [("", f"{default} (default)")] + [
        (key, label)
        for key, (label, _) in SORTS.items()
        if key != "relevance" and (key != "downloads" or state.q)
    ]
    return {
        "page": page,
        "state": state,
        "facets": facet_views(page),
        "chips": chips(state, search_labels(page)),
        "hidden": hidden,
        "sorts": sorts,
        "sort": state.sort if state.sort in dict(sorts) else "",
        "next_url": replace(state, after=page.next_after).url() if page.next_after else None,
        "first_url": state.first_page().url() if state.after else None,
        "csv_url": state.first_page().url(format="csv"),
        "json_url": state.url(format="json"),
        "graphql_url": graphiql.graphiql_url(graphiql.search_query(), variables),
        "nav": "search",
    }


def _search_json(page: SearchPage) -> dict[str, Any]:
    state = page.state
    return {
        "total": page.total,
        "sort": state.effective_sort,
        "models": page.rows,
        "facets": {f.field: f.buckets for f in page.facets},
        "next": replace(state, after=page.next_after).url(format="json")
        if page.next_after
        else None,
        "graphql": {
            "query": graphiql.search_query(),
            "variables": graphql_variables(state, page.derived_from_id),
        },
    }


def _charts(page: ModelPage) -> list[Markup]:
    """Downloads and likes over time (one chart each: their scales differ by far)."""
    charts = []
    for label, value_of in (("downloads", lambda p: p.downloads), ("likes", lambda p: p.likes)):
        points = tuple(
            (p.observed_at, float(value_of(p))) for p in page.metrics if value_of(p) is not None
        )
        if points:
            series = svg.LineSeries(label, points)
            title = f"{page.row.name}: {label} over time"
            chart = svg.line_chart([series], title=title, y_label=label, width=600, height=300)
            # svg.py escapes every label it writes, so the markup is safe to embed.
            charts.append(Markup(chart))  # noqa: S704
    return charts


def _family_context(page: FamilyPage) -> dict[str, Any]:
    slug = page.family.slug

    def search_url(family: str = slug, **values: str) -> str:
        """The search page of a family's models with these other values."""
        found: dict[str, tuple[str, ...]] = {"families": (family,)}
        found.update((key, (value,)) for key, value in values.items())
        return SearchState(values=found).url()

    return {
        "page": page,
        "f": page.family,
        "search_url": search_url,
        "hub_url": lambda hub: search_url(platforms=hub),
        "hub_format_url": lambda hub, fmt: search_url(platforms=hub, formats=fmt),
        "release_url": lambda release: f"/families/{quote(release, safe='')}",
        "release_hub_url": lambda release, hub: search_url(release, platforms=hub),
        "compare_url": _compare_url(page.compare_refs) if page.compare_refs else None,
        "json_url": "?format=json",
        "graphql_url": graphiql.graphiql_url(graphiql.FAMILY_QUERY, {"slug": slug}),
        "nav": "",
    }


def _model_context(page: ModelPage) -> dict[str, Any]:
    ref = page.row.ref
    return {
        "page": page,
        "m": page.row,
        "terms": page.detail.terms,
        "charts": _charts(page),
        "strengths": STRENGTHS,
        "class_name": class_name,
        "derived_url": SearchState(derived_from=ref).url(),
        "compare_url": _compare_url([ref]),
        "same_compare_url": _compare_url([ref, *(s.ref for s in page.same_as)]),
        "json_url": "?format=json",
        "graphql_url": graphiql.graphiql_url(graphiql.MODEL_QUERY, {"ref": ref}),
        "nav": "",
    }
