"""Plain result records shared by the search backends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FacetBucket:
    """One value of a facet and how many models it would give."""

    value: str
    label: str | None
    count: int


@dataclass(frozen=True, slots=True)
class FacetCounts:
    """The buckets of one facet, most models first (ties by value)."""

    field: str
    buckets: list[FacetBucket]


@dataclass(frozen=True, slots=True)
class PageSlice:
    """One page of ids in order, with each row's sort values (for cursors)."""

    ids: list[int]
    keys: Sequence[tuple[object, ...]]
    has_next: bool


def order_buckets(buckets: list[FacetBucket], limit: int) -> list[FacetBucket]:
    """Most models first, then by value; at most `limit`."""
    buckets.sort(key=lambda b: (-b.count, b.value))
    return buckets[:limit]
