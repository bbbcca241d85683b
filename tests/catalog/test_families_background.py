"""The background runner of a full family rebuild: order, failures, the GIL interval."""

from __future__ import annotations

import sys
import threading

import pytest

from catalog.families.background import Background


def test_jobs_run_in_order_on_one_thread() -> None:
    seen: list[tuple[int, str]] = []

    def job(n: int) -> int:
        seen.append((n, threading.current_thread().name))
        return n * 10

    with Background() as db:
        futures = [db.submit(job, n) for n in range(5)]
        assert db.result(futures[3]) == 30
    assert [n for n, _ in seen] == [0, 1, 2, 3, 4]
    assert len({name for _, name in seen}) == 1
    assert seen[0][1] != threading.current_thread().name


def test_the_first_failure_is_raised_not_the_ones_it_caused() -> None:
    def fail(message: str) -> None:
        raise ValueError(message)

    with Background() as db:
        db.submit(fail, "the statement that failed")
        later = db.submit(fail, "the transaction is aborted")
        with pytest.raises(ValueError, match="the statement that failed"):
            db.result(later)


def test_the_switch_interval_is_restored() -> None:
    before = sys.getswitchinterval()
    with Background():
        assert sys.getswitchinterval() <= 0.001
    assert sys.getswitchinterval() == before
