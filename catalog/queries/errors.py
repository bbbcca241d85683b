"""Errors a query caller can act on; the API shows their message as is."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from catalog.errors import CatalogError

MAX_LISTED = 60  # allowed values listed in one message; longer lists are cut


class QueryError(CatalogError):
    """A request the catalog cannot answer as asked (bad value, unknown id, limit)."""

    exit_code = 2


def invalid_value_error(field: str, bad: Iterable[str], allowed: Iterable[str]) -> QueryError:
    """An error naming the field, the values it rejects and the values it accepts.

    A rejected value close to an allowed one (`apache2`, `Apache-2.0` for `apache-2.0`)
    gets a "did you mean" first, since the allowed list may be long or cut.
    """
    allowed_list = sorted(allowed)
    bad_list = list(bad)
    shown = ", ".join(allowed_list[:MAX_LISTED])
    if len(allowed_list) > MAX_LISTED:
        shown += f", ... ({len(allowed_list)} in all)"
    guesses = {b: guess for b in bad_list if (guess := closest(b, allowed_list))}
    hint = ""
    if len(guesses) == 1 and len(bad_list) == 1:
        hint = f"did you mean {next(iter(guesses.values()))!r}? "
    elif guesses:
        hint = "did you mean " + ", ".join(f"{g!r} for {b!r}" for b, g in guesses.items()) + "? "
    rejected = ", ".join(repr(b) for b in bad_list)
    return QueryError(f"unknown value {rejected} for {field}; {hint}allowed: {shown}")


def closest(value: str, allowed: Sequence[str]) -> str | None:
    """The allowed value `value` most likely meant, ignoring case and punctuation."""
    keys: dict[str, str] = {}
    for candidate in allowed:
        keys.setdefault(_key(candidate), candidate)
    wanted = _key(value)
    if wanted in keys:
        return keys[wanted]
    matches = difflib.get_close_matches(wanted, list(keys), n=1, cutoff=0.75)
    return keys[matches[0]] if matches else None


def _key(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.casefold())
