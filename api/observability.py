"""`/metrics` in Prometheus format: harvest totals from the catalog, API request latency.

Harvest figures are read from `harvest_runs` at scrape time, so every API replica
reports the same totals whatever process ran the harvests, and nothing is lost when a
scheduler restarts. Request latency is measured here, per GraphQL operation.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.queries.operations import RECORD_COUNTERS, run_metrics
from catalog.settings import Settings

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PAGE_LABELS = frozenset(("/", "/models", "/compare", "/hubs", "/static", "/healthz", "/readyz"))
MAX_BODY_PEEK = 64 * 1024  # operation names sit at the top level of the JSON body


class HarvestCollector(Collector):
    """Reads run totals from the catalog on every scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """Yield the harvest metric families."""
        runs = CounterMetricFamily(
            "catalog_harvest_runs",
            "Harvest runs by platform and status.",
            labels=["platform", "status"],
        )
        records = CounterMetricFamily(
            "catalog_harvest_records",
            "Records handled by harvest runs, by outcome.",
            labels=["platform", "outcome"],
        )
        success = GaugeMetricFamily(
            "catalog_harvest_last_success_timestamp_seconds",
            "When the last successful run of a platform finished.",
            labels=["platform"],
        )
        duration = GaugeMetricFamily(
            "catalog_harvest_last_run_duration_seconds",
            "Duration of the last finished run of a platform.",
            labels=["platform"],
        )
        models = GaugeMetricFamily(
            "catalog_models", "Models in the catalog (not removed).", labels=["platform"]
        )
        with Session(self.engine) as session:
            rows = run_metrics(session)
        for row in rows:
            for status, count in sorted(row.runs_by_status.items()):
                runs.add_metric([row.platform, status], count)
            for outcome in RECORD_COUNTERS:
                records.add_metric([row.platform, outcome], row.records[outcome])
            if row.last_success is not None:
                success.add_metric([row.platform], row.last_success.timestamp())
            if row.last_duration_seconds is not None:
                duration.add_metric([row.platform], row.last_duration_seconds)
            models.add_metric([row.platform], row.live_models)
        yield from (runs, records, success, duration, models)


class Observability:
    """The registry, the latency histogram and the `/metrics` route of one app."""

    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(HarvestCollector(engine))
        self.latency = Histogram(
            "catalog_api_request_duration_seconds",
            "API request latency by GraphQL operation (or path).",
            ["operation"],
            registry=self.registry,
            buckets=LATENCY_BUCKETS,
        )

    async def metrics(self, request: Request) -> Response:
        """The Prometheus text exposition (read off the event loop: it queries the
        catalog)."""
        body = await asyncio.to_thread(generate_latest, self.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    def route(self) -> Route:
        """`GET /metrics`."""
        return Route("/metrics", self.metrics, methods=["GET"])

    def middleware(self) -> Middleware:
        """The middleware that times every request."""
        return Middleware(LatencyMiddleware, histogram=self.latency)


class LatencyMiddleware:
    """Times requests; GraphQL requests are labelled by their operation name."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request and observe how long it took."""
        if scope["type"] != "http" or scope["path"] == "/metrics":
            await self.app(scope, receive, send)
            return
        label = {"value": operation_label(scope, b"")}
        started = time.perf_counter()
        first_chunk = True

        async def peek() -> Message:
            nonlocal first_chunk
            message = await receive()
            if first_chunk and message.get("type") == "http.request":
                first_chunk = False
                label["value"] = operation_label(scope, message.get("body", b""))
            return message

        try:
            await self.app(scope, peek, send)
        finally:
            self.histogram.labels(label["value"]).observe(time.perf_counter() - started)


def page_label(path: str) -> str:
    """The label of a non-GraphQL path: its first segment when it is one of ours, else
    `other` (one label per model page, or per path a client makes up, would grow the
    metric without bound)."""
    head = "/" + path.lstrip("/").split("/", 1)[0]
    return head if head in PAGE_LABELS else "other"


def operation_label(scope: Scope, body: bytes) -> str:
    """`graphql:<operationName>` for named GraphQL operations, else the path."""
    path = str(scope["path"])
    if not path.startswith("/graphql"):
        return page_label(path)
    name: Any = None
    if body and len(body) <= MAX_BODY_PEEK:
        try:
            doc = json.loads(body)
        except (ValueError, RecursionError):  # the GraphQL app answers it with a 400
            doc = None
        if isinstance(doc, dict):
            name = doc.get("operationName")
    if not name:
        query = scope.get("query_string", b"").decode("latin-1")
        for part in query.split("&"):
            key, _, value = part.partition("=")
            if key == "operationName" and value:
                name = value
    return f"graphql:{name}" if isinstance(name, str) and name.isidentifier() else "graphql"


def create_observed_app(
    settings: Settings | None = None, engine: Engine | None = None, *, facet_index: bool = True
) -> Starlette:
    """The API app with `/metrics` and request timing (what `catalog serve`/`up` run).

    Metrics read the catalog through the serving process's small engine, never through
    a worker.
    """
    from api.app import create_app, small_engine
    from catalog.settings import get_settings

    settings = settings or get_settings()
    engine = engine or small_engine(settings)
    observability = Observability(engine)
    return create_app(
        settings,
        engine,
        facet_index=facet_index,
        extra_routes=[observability.route()],
        middleware=[observability.middleware()],
    )
