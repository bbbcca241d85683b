"""Errors a query caller can act on; the API shows their message as is."""

from __future__ import annotations

from collections.abc import Iterable

from catalog.errors import CatalogError

MAX_LISTED = 60  # allowed values listed in one message; longer lists are cut


class QueryError(CatalogError):
    """A request the catalog cannot answer as asked (bad value, unknown id, limit)."""

    exit_code = 2


def invalid_value_error(field: str, bad: Iterable[str], allowed: Iterable[str]) -> QueryError:
    """An error naming the field, the values it rejects and the values it accepts."""
    allowed_list = sorted(allowed)
    shown = ", ".join(allowed_list[:MAX_LISTED])
    if len(allowed_list) > MAX_LISTED:
        shown += f", ... ({len(allowed_list)} in all)"
    bad_list = ", ".join(repr(b) for b in bad)
    return QueryError(f"unknown value {bad_list} for {field}; allowed: {shown}")
