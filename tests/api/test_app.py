"""The ASGI app over HTTP: GraphQL, GraphiQL, health, readiness, CORS, request ids."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.orm import Session
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from api.app import create_app
from catalog.settings import Settings
from tests.factories import catalog_records, load

QUERY = """{ models(filter: {formats: ["onnx"]}, first: 3) {
  totalCount edges { node { ref } } facets(fields: [FORMAT]) { buckets { value count } } } }"""


@pytest.fixture
def client(fresh_engine) -> TestClient:
    with Session(fresh_engine) as session:
        load(session, catalog_records(30))
        session.commit()
    settings = Settings(cors_origins=["http://dash.example"], statement_timeout_ms=2000)
    metrics = Route("/metrics", lambda request: PlainTextResponse("up 1\n"))
    app = create_app(settings, fresh_engine, extra_routes=[metrics])
    with TestClient(app) as test_client:
        yield test_client


def test_graphql_health_and_readiness(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"
    sql_answer = client.post("/graphql", json={"query": QUERY}).json()
    assert "errors" not in sql_answer
    deadline = time.monotonic() + 20
    while client.get("/readyz").json()["facetIndex"] != "ready":
        assert time.monotonic() < deadline, "the facet index was never built"
        time.sleep(0.05)
    index_answer = client.post("/graphql", json={"query": QUERY}).json()
    assert index_answer == sql_answer  # the facet index answers like SQL
    assert sql_answer["data"]["models"]["totalCount"] > 0


def test_graphiql_cors_extra_routes_and_request_ids(client) -> None:
    page = client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    preflight = client.options(
        "/graphql",
        headers={"origin": "http://dash.example", "access-control-request-method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == "http://dash.example"
    assert client.get("/metrics").text == "up 1\n"
    bad = client.post(
        "/graphql",
        json={"query": '{ models(filter: {platforms: ["nope"]}) { totalCount } }'},
        headers={"x-request-id": "abc-123"},
    ).json()
    assert bad["errors"][0]["message"].startswith("unknown value 'nope' for filter.platforms")


def test_readyz_reports_an_unreachable_database() -> None:
    from sqlalchemy import create_engine

    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    app = create_app(Settings(), engine, facet_index=False)
    with TestClient(app) as test_client:
        response = test_client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
