"""Safety limits and errors: depth, aliases, tokens, page size, timeouts, read-only
sessions, masked internal errors and validation messages."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError

from api import context as context_module
from api.context import Context, close_request_session, open_request_session, request_engine
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


@pytest.fixture
def worker_engine(fresh_db_url) -> Iterator[Engine]:
    """An API worker's request engine over a database of its own."""
    engine = request_engine(fresh_db_url, 1000, connect_args={"application_name": "api-test"})
    yield engine
    engine.dispose()


def test_a_worker_request_costs_no_transaction_round_trips(worker_engine) -> None:
    sent: list[str] = []
    event.listen(worker_engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    for _ in range(2):  # the second request reuses the pooled connection
        session = open_request_session(worker_engine, statement_timeout_ms=1000)
        try:
            assert session.execute(text("SHOW transaction_read_only")).scalar() == "on"
            assert session.execute(text("SHOW statement_timeout")).scalar() == "1s"
            with pytest.raises(DBAPIError, match="read-only transaction"):
                session.execute(text("INSERT INTO tags (name) VALUES ('written')"))
        finally:
            close_request_session(session)
    assert all(s.startswith(("SHOW", "INSERT")) for s in sent), sent  # no set-up statement
    with worker_engine.connect() as conn:  # autocommit: never left in a transaction
        state = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'api-test' "
                "AND state LIKE 'idle in transaction%'"
            )
        ).scalar()
    assert state == 0
    with pytest.raises(ValueError, match="1000 ms statement timeout"):
        open_request_session(worker_engine, statement_timeout_ms=50)


def test_a_worker_connection_killed_while_idle_is_replaced(
    worker_engine, fresh_engine, monkeypatch
) -> None:
    monkeypatch.setattr(context_module, "PING_AFTER_IDLE_S", 0.05)
    session = open_request_session(worker_engine, statement_timeout_ms=1000)
    first = session.execute(text("SELECT pg_backend_pid()")).scalar()
    close_request_session(session)
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar()
    time.sleep(0.1)
    session = open_request_session(worker_engine, statement_timeout_ms=1000)
    try:
        second = session.execute(text("SELECT pg_backend_pid()")).scalar()
    finally:
        close_request_session(session)
    assert second != first
