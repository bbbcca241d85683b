"""Reading single values out of Civitai payloads of any era, without trusting their types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from harvesters import terms


def text(value: object) -> str | None:
    """A non-blank string, stripped; None for anything else."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def key(value: object) -> str:
    """The `term_key` of a string value ("" for anything else)."""
    return terms.term_key(value) if isinstance(value, str) else ""


def count(value: object) -> int | None:
    """A non-negative integer (JSON numbers such as 12.0 included); None otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not (value.is_integer() and 0 <= value < 2**63):
        return None
    number = int(value)
    return number if 0 <= number < 2**63 else None


def number(value: object) -> float | None:
    """A finite number (ratings); None otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    as_float = float(value)
    return as_float if abs(as_float) < float("inf") else None


def model_id(value: object) -> str | None:
    """A model or version id (an integer, or a string of digits) as text."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    found = text(value)
    return found if found is not None and found.isdigit() else None


def timestamp(value: object) -> dt.datetime | None:
    """An ISO-8601 time (with `Z` or an offset; a naive time is UTC); None otherwise."""
    found = text(value)
    if found is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(found.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def present(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` without the keys whose value is None (what a payload did not say)."""
    return {name: value for name, value in values.items() if value is not None}
