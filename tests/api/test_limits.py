"""Safety limits and errors: depth, aliases, tokens, page size, timeouts, read-only
sessions, masked internal errors and validation messages."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.context import Context, open_request_session
from api.resolvers import stats as stats_resolvers
from api.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.api.conftest import execute
from tests.factories import load, record


def test_query_depth_is_limited(db_session, gql_errors) -> None:
    nested = "ref"
    for _ in range(MAX_DEPTH):
        nested = f"baseModels {{ parent {{ {nested} }} }}"
    messages = gql_errors(f'{{ model(ref: "huggingface:a/b") {{ {nested} }} }}')
    assert any("exceeds maximum operation depth" in m for m in messages)


def test_aliases_are_limited(db_session, gql_errors) -> None:
    aliases = " ".join(f"a{i}: platforms {{ slug }}" for i in range(MAX_ALIASES + 1))
    messages = gql_errors(f"{{ {aliases} }}")
    assert messages == [f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"]


def test_tokens_are_limited(db_session, gql_errors) -> None:
    fields = " ".join(["slug"] * MAX_TOKENS)
    messages = gql_errors(f"{{ platforms {{ {fields} }} }}")
    assert messages == [
        f"Syntax Error: Document contains more than {MAX_TOKENS} tokens. Parsing aborted."
    ]


def test_first_above_100_is_a_clear_error(db_session, gql_errors) -> None:
    assert gql_errors("{ models(first: 101) { totalCount } }") == [
        "first must be between 0 and 100, got 101"
    ]
    load(db_session, [record("a/b")])
    messages = gql_errors(
        '{ model(ref: "huggingface:a/b") { derivatives(first: 500) { totalCount } } }'
    )
    assert messages == ["first must be between 0 and 100, got 500"]


def test_unknown_values_name_the_field_and_the_allowed_ones(db_session, gql_errors) -> None:
    (message,) = gql_errors('{ models(filter: {formats: ["ggfu"]}) { totalCount } }')
    assert message.startswith("unknown value 'ggfu' for filter.formats; did you mean 'gguf'? ")
    assert "gguf" in message
    (message,) = gql_errors('{ models(filter: {licenses: ["Apache2"]}) { totalCount } }')
    assert "did you mean 'apache-2.0'? allowed: " in message
    (message,) = gql_errors('{ models(filter: {exclude: {platforms: ["hf"]}}) { totalCount } }')
    assert "filter.exclude.platforms" in message
    assert "huggingface" in message
    assert "did you mean" not in message  # nothing is close to "hf"
    (message,) = gql_errors("{ models { facets(fields: [PLATFORM], limit: 0) { field } } }")
    assert message == "facets.limit must be between 1 and 500, got 0"
    (message,) = gql_errors("{ models { facets(fields: [COLOUR]) { field } } }")
    assert "COLOUR" in message
    assert "FacetField" in message
    (message,) = gql_errors("{ models(filter: {minParameters: -1}) { totalCount } }")
    assert message == "filter.minParameters must not be negative"
    (message,) = gql_errors("{ models(sort: [RELEVANCE]) { totalCount } }")
    assert message == "sort RELEVANCE needs a search text"


def test_internal_errors_are_masked_with_a_logged_request_id(
    db_session, monkeypatch, caplog
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail from deep inside")

    monkeypatch.setattr(stats_resolvers.stats_q, "harvest_runs", broken)
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        result = execute(db_session, "{ harvestRuns { id } }", request_id="req-42")
    (error,) = result.errors
    assert error.message == "internal error (request id req-42); the server log has the details"
    assert "secret" not in error.message
    assert error.extensions == {"code": "INTERNAL", "requestId": "req-42"}
    assert "req-42" in caplog.text
    assert "secret detail from deep inside" in caplog.text


def test_statement_timeout_is_reported(fresh_engine, monkeypatch) -> None:
    def slow(session, *args: object) -> list[object]:
        session.execute(text("SELECT pg_sleep(0.5)"))
        return []

    monkeypatch.setattr(stats_resolvers.stats_q, "harvest_runs", slow)
    session = open_request_session(fresh_engine, statement_timeout_ms=50)
    try:
        ctx = Context(session=session, request_id="req-7", statement_timeout_ms=50)
        import asyncio

        from api.schema import schema

        result = asyncio.run(schema.execute("{ harvestRuns { id } }", context_value=ctx))
    finally:
        session.close()
    (error,) = result.errors
    assert error.message.startswith("the query took longer than the 50 ms limit")
    assert error.extensions["code"] == "TIMEOUT"


def test_request_sessions_are_read_only(fresh_engine) -> None:
    session = open_request_session(fresh_engine, statement_timeout_ms=1000)
    try:
        with pytest.raises(DBAPIError, match="read-only transaction"):
            session.execute(text("INSERT INTO tags (name) VALUES ('written')"))
    finally:
        session.close()
    with fresh_engine.connect() as conn:  # the pooled connection is writable again
        assert conn.execute(text("SHOW transaction_read_only")).scalar() == "off"
        assert conn.execute(text("SHOW statement_timeout")).scalar() != "1s"
