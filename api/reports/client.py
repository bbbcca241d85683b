"""A thin GraphQL client with two transports: the schema in process, or a server over HTTP.

Reports only ever talk GraphQL, the same API users call: `InProcessTransport` executes
the strawberry schema against the configured database with the context the API builds
for a request; `HttpTransport` POSTs JSON to a running `catalog serve` (`--endpoint`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from catalog.errors import CatalogError

if TYPE_CHECKING:
    from sqlalchemy import Engine


class ReportError(CatalogError):
    """A report cannot be made; the message says why in words a user can act on."""


class Transport(Protocol):
    """Runs one GraphQL operation and returns its `data`, or raises `ReportError`."""

    source: str

    def execute(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """Run `query` with `variables`."""
        ...


def _raise_errors(errors: list[Any]) -> None:
    messages = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
    raise ReportError("; ".join(dict.fromkeys(messages)))


class HttpTransport:
    """POST `{"query", "variables"}` to a GraphQL endpoint.

    Args:
        endpoint: URL of the GraphQL endpoint, e.g. `http://127.0.0.1:8000/graphql`.
        timeout: Seconds to wait for each answer.
        client: An httpx client to use (tests, proxies); one is made when omitted.
    """

    def __init__(
        self, endpoint: str, *, timeout: float = 60.0, client: httpx.Client | None = None
    ) -> None:
        self.source = endpoint
        self._client = client or httpx.Client(timeout=timeout)

    def execute(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """Run the operation on the server.

        Raises:
            ReportError: the server is unreachable, answers with an HTTP error, or returns
                GraphQL errors.
        """
        try:
            response = self._client.post(
                self.source, json={"query": query, "variables": dict(variables)}
            )
        except httpx.HTTPError as exc:
            raise ReportError(f"cannot reach the GraphQL endpoint {self.source}: {exc}") from exc
        try:
            doc = response.json()
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise ReportError(
                f"{self.source} answered HTTP {response.status_code} without a GraphQL "
                "response: is it the /graphql endpoint of `catalog serve`?"
            )
        if doc.get("errors"):
            _raise_errors(doc["errors"])
        data = doc.get("data")
        if not isinstance(data, dict):
            raise ReportError(f"{self.source} answered HTTP {response.status_code} with no data")
        return data

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()


class InProcessTransport:
    """Execute the API's schema in this process, one read-only session per operation.

    Args:
        engine: The database to read (default: the configured catalog database).
    """

    def __init__(self, engine: Engine | None = None) -> None:
        from catalog.database import get_engine
        from catalog.migrate import require_current_schema

        self._engine = engine or get_engine()
        require_current_schema(self._engine)
        url = self._engine.url
        # Reports get shared: name the database, never the user or the password.
        where = f" at {url.host}" if url.host else ""
        self.source = f"catalog database {url.database}{where}"

    def execute(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """Run the operation against the schema with a fresh request context.

        Raises:
            ReportError: the operation returned GraphQL errors.
        """
        from api.context import Context, open_request_session
        from api.schema import schema
        from catalog.settings import get_settings

        timeout = get_settings().statement_timeout_ms
        session = open_request_session(self._engine, timeout)
        try:
            context = Context(session=session, statement_timeout_ms=timeout)
            result = asyncio.run(
                schema.execute(query, variable_values=dict(variables), context_value=context)
            )
        finally:
            session.rollback()  # read-only: nothing to keep, and the connection goes back clean
            session.close()
        if result.errors:
            _raise_errors([e.message for e in result.errors])
        return dict(result.data or {})
