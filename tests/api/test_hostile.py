"""Hostile and malformed requests against a real `catalog serve`: each gets a 4xx or a
GraphQL error that names the problem, quickly, and the server keeps serving."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.served import Served, serve_catalog


@pytest.fixture(scope="module")
def served(server_url, template_db) -> Iterator[Served]:
    yield from serve_catalog(server_url, template_db, models=80)


def post(served: Served, body: bytes | dict, timeout: float = 30) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        f"{served.base_url}/graphql",
        content=content,
        headers={"content-type": "application/json"},
        timeout=timeout,
    )


def still_serving(served: Served) -> None:
    assert httpx.get(f"{served.base_url}/healthz", timeout=5).status_code == 200
    answer = post(served, {"query": "{ platforms { slug } }"}).json()
    assert answer["data"]["platforms"], answer


BAD_BODIES = [
    (b"\xff\xfe{", "not valid UTF-8"),
    (b"42", "must be a JSON object"),
    (b"{not json", "not valid JSON"),
    (
        b'{"query": "{ platforms { slug } }", "variables": {"a": '
        + b"[" * 10000
        + b"]" * 10000
        + b"}}",
        "nests JSON",
    ),
    (b'{"query": "{ platforms { slug } }", "variables": {"a": "x\\u0000y"}}', "NUL"),
]


@pytest.mark.parametrize(("body", "message"), BAD_BODIES)
def test_malformed_bodies_get_a_400_that_names_the_problem(served, body, message) -> None:
    response = post(served, body)
    assert response.status_code == 400
    assert message in response.text
    still_serving(served)


def test_a_body_over_a_megabyte_is_refused(served) -> None:
    response = post(served, b'{"query": "' + b" " * 1_100_000 + b'{ platforms { slug } }"}')
    assert response.status_code == 413
    assert "exceeds" in response.json()["errors"][0]["message"]


def _cursor(values: object) -> str:
    payload = json.dumps({"s": "downloads-", "v": values, "id": 1}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


BAD_QUERIES = [
    ({"query": "{}"}, "empty selection set"),
    ({"query": "query {}"}, "empty selection set"),
    ({"query": '{ models(search: "%") { totalCount } }'}, "no letter or digit"),
    ({"query": '{ models(search: "(*_)") { edges { node { ref } } } }'}, "no letter or digit"),
    ({"query": '{ models(search: "a\\u0000") { totalCount } }'}, "NUL character"),
    ({"query": '{ models(filter: {tasks: ["x\\u0000"]}) { totalCount } }'}, "NUL character"),
    ({"query": '{ model(ref: "huggingface:a\\u0000b") { name } }'}, "NUL character"),
    ({"query": '{ model(id: "99999999999999999999999") { name } }'}, "is not a model id"),
    ({"query": '{ model(id: "-3") { name } }'}, "is not a model id"),
    (
        {
            "query": "query($a: String) { models(after: $a) { totalCount } }",
            "variables": {"a": _cursor(["text"])},
        },
        "not a cursor returned by this API",
    ),
    (
        {
            "query": "query($a: String) { models(after: $a) { totalCount } }",
            "variables": {"a": _cursor([[[[1]]]])},
        },
        "not a cursor returned by this API",
    ),
    (
        {
            "query": "query($a: String) { models(after: $a) { totalCount } }",
            "variables": {"a": base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()},
        },
        "not a cursor returned by this API",
    ),
    (
        {"query": "query A { platforms { slug } } query B { formats { slug } }"},
        "send operationName",
    ),
    ({"query": "query A { platforms { slug } }", "operationName": "Nope"}, 'named "Nope"'),
]


@pytest.mark.parametrize(("body", "message"), BAD_QUERIES)
def test_bad_queries_get_a_graphql_error_that_names_the_problem(served, body, message) -> None:
    # Sent again (three times: two workers): still refused, only fine documents are cached.
    for _ in range(3):
        response = post(served, body)
        assert response.status_code in (200, 400)
        if not response.headers["content-type"].startswith("application/json"):
            assert response.status_code == 400  # refused while reading the request
            assert message in response.text
            continue
        errors = response.json()["errors"]
        assert any(message in e["message"] for e in errors), errors
        assert not any(e.get("extensions", {}).get("code") == "INTERNAL" for e in errors)


def _nested_fragments(levels: int = 10, width: int = 10) -> str:
    parts = ["query { ...F0 }"]
    for level in range(levels):
        spreads = " ".join(f"...F{level + 1}" for _ in range(width))
        parts.append(f"fragment F{level} on Query {{ {spreads} }}")
    parts.append(f"fragment F{levels} on Query {{ platforms {{ slug }} }}")
    return "\n".join(parts)


def test_fragment_bombs_and_alias_floods_are_refused_at_once(served) -> None:
    started = time.monotonic()
    bomb = post(served, {"query": _nested_fragments()}).json()
    assert "more than 1000 fields once its fragments are expanded" in bomb["errors"][0]["message"]
    aliases = " ".join(
        f'a{i}: models(search: "{chr(97 + i % 26)}") {{ totalCount }}' for i in range(30)
    )
    flood = post(served, {"query": f"{{ {aliases} }}"}).json()
    assert "at most 10 per request" in flood["errors"][0]["message"]
    # Refused before any validation or search ran: seconds, not the minutes they cost.
    assert time.monotonic() - started < 10
    still_serving(served)


def test_internal_errors_carry_a_request_id_that_is_in_the_answer(served) -> None:
    response = post(served, {"query": "{ platforms { slug } }"})
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 16
    mine = httpx.get(f"{served.base_url}/healthz", headers={"x-request-id": "trace-42"})
    assert mine.headers["x-request-id"] == "trace-42"
