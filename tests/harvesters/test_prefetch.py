"""The page prefetcher keeps order, surfaces errors in place and stops cleanly."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from harvesters.base import FatalHarvestError
from harvesters.prefetch import Prefetcher


def test_items_arrive_in_order() -> None:
    with Prefetcher(iter(range(50)), depth=3) as items:
        assert list(items) == list(range(50))


def test_an_error_in_the_source_is_raised_after_the_items_before_it() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise FatalHarvestError("the hub went away")

    seen: list[int] = []
    with Prefetcher(source()) as items:
        seen.append(next(items))
        seen.append(next(items))
        with pytest.raises(FatalHarvestError, match="went away"):
            next(items)
    assert seen == [1, 2]


def test_leaving_early_stops_the_thread_and_closes_the_source() -> None:
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    prefetcher = Prefetcher(endless(), depth=2)
    with prefetcher as items:
        assert next(items) == 0
    assert closed.wait(5)
    assert not prefetcher._thread.is_alive()  # noqa: SLF001
