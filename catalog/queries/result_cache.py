"""Answers computed from one facet-index snapshot, kept for the requests that follow.

An index snapshot never changes: a facet count, a total, a page or a counts matrix
computed from it stays exact until the next snapshot replaces it, so equal requests
(a dashboard's refresh, the explorer's landing page, a popular search) are answered by
a dictionary lookup. Keys carry the snapshot; a new snapshot simply stops matching the
old keys, which age out of the LRU.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from catalog.queries.facet_index import FacetIndex
from catalog.queries.resolve import ResolvedFilter

T = TypeVar("T")


class ResultCache:
    """A bounded LRU of results by (index snapshot, request key)."""

    def __init__(self, size: int = 2048) -> None:
        """Keep at most `size` results."""
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result stored under `key`, computed (outside the lock) and stored if new."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[no-any-return,unused-ignore]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def get_many(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        """The results stored under any of `keys` (absent keys are left out)."""
        found = {}
        with self._lock:
            for key in keys:
                if key in self._items:
                    self._items.move_to_end(key)
                    found[key] = self._items[key]
        return found

    def put_many(self, items: dict[Hashable, Any]) -> None:
        """Store several results at once."""
        with self._lock:
            self._items.update(items)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def __contains__(self, key: Hashable) -> bool:
        """Whether a result is stored under `key` (it may age out right after)."""
        with self._lock:
            return key in self._items

    def clear(self) -> None:
        """Forget everything (benchmarks measure the uncached path)."""
        with self._lock:
            self._items.clear()


def snapshot_key(index: FacetIndex) -> Hashable:
    """What tells one index snapshot from another."""
    return (index.snapshot, index.version)


def filter_key(rf: ResolvedFilter) -> Hashable:
    """A hashable form of a resolved filter (equal filters, equal keys)."""
    return tuple(_frozen(getattr(rf, f.name)) for f in dataclasses.fields(rf))


def _frozen(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value
