"""GraphQL test helpers: run the real schema against the test session."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from api.context import Context
from api.schema import schema
from catalog.queries.index_cache import FacetIndexCache

Run = Callable[..., Any]


def execute(
    session: Session,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    index_cache: FacetIndexCache | None = None,
    request_id: str = "test-request",
) -> Any:
    """Execute a GraphQL document; returns the strawberry ExecutionResult."""
    context = Context(session=session, index_cache=index_cache, request_id=request_id)
    return asyncio.run(schema.execute(query, variable_values=variables, context_value=context))


@pytest.fixture
def gql(db_session: Session) -> Run:
    """Run a query that must succeed and return its data."""

    def run(query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        result = execute(db_session, query, variables, **kw)
        assert result.errors is None, result.errors
        return result.data

    return run


@pytest.fixture
def gql_errors(db_session: Session) -> Run:
    """Run a query that must fail and return its error messages."""

    def run(query: str, variables: dict[str, Any] | None = None, **kw: Any) -> list[str]:
        result = execute(db_session, query, variables, **kw)
        assert result.errors, "expected errors"
        return [e.message for e in result.errors]

    return run
