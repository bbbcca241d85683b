"""Error handling: client mistakes are shown as they are; anything else is masked with a
request id that is written to the log together with the cause."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from psycopg import errors as pg_errors
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import SchemaExtension

from catalog.queries.errors import QueryError

log = logging.getLogger("api.errors")


def _cause(error: GraphQLError) -> BaseException | None:
    cause = error.original_error
    while isinstance(cause, GraphQLError) and cause.original_error is not None:
        cause = cause.original_error
    return cause


def _with(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), **extensions},
    )


class RequestErrors(SchemaExtension):
    """Turn every error into one a client can act on, without leaking internals."""

    def on_operation(self) -> Iterator[None]:
        """Rewrite the errors of the finished operation."""
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "-")
        timeout = getattr(context, "statement_timeout_ms", None)
        result.errors = [self._rewrite(e, request_id, timeout) for e in result.errors or []]

    @staticmethod
    def _rewrite(error: GraphQLError, request_id: str, timeout: int | None) -> GraphQLError:
        cause = _cause(error)
        if cause is None or isinstance(cause, GraphQLError):
            return error  # syntax, validation and limit errors: already precise
        if isinstance(cause, QueryError):
            return _with(error, str(cause), {"code": "BAD_REQUEST"})
        if isinstance(cause, DBAPIError) and isinstance(cause.orig, pg_errors.QueryCanceled):
            log.warning("request %s: statement timeout (%s ms)", request_id, timeout)
            return _with(
                error,
                f"the query took longer than the {timeout} ms limit; narrow the filter or "
                f"ask for fewer fields (request id {request_id})",
                {"code": "TIMEOUT", "requestId": request_id},
            )
        log.error("request %s: internal error", request_id, exc_info=cause)
        return _with(
            error,
            f"internal error (request id {request_id}); the server log has the details",
            {"code": "INTERNAL", "requestId": request_id},
        )
