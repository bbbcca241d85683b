"""A full rebuild's database work on one background thread, in submission order.

The server's share of a rebuild (reading a chunk's facts, writing its assignments, each
written row's foreign-key check and index entries) is about as long as Python's share
(matching names); on one thread they add up. Here the server reads the next chunk and
writes the last one while Python matches the current one. psycopg releases the GIL while
it waits for the server, so the two overlap on two cores.

Statements still run one at a time, in order, on the session's one connection and in its
transaction: the caller's thread leaves the session alone while jobs are pending (it
waits for them with `result` or `wait` first).

While jobs run, the interpreter hands the GIL over every millisecond instead of every
five: the database thread needs it back after each network read of a result, and with
the default interval it waited behind the matching thread for most of a chunk's read.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

SWITCH_INTERVAL = 0.001  # seconds (Python's default: 0.005)

P = ParamSpec("P")
T = TypeVar("T")


class Background:
    """Database jobs run on one thread, in the order they were submitted."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="families-db")
        self._pending: deque[Future[Any]] = deque()
        self._interval = sys.getswitchinterval()

    def submit(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue a job after every job submitted before it."""
        future = self._pool.submit(work, *args, **kwargs)
        self._pending.append(future)
        return future

    def result(self, future: Future[T]) -> T:
        """Wait for a job and every job before it; return its result.

        Raises:
            Exception: The first job that failed, in submission order: after a failed
                statement the transaction is aborted, so the later ones fail only
                because of it.
        """
        while self._pending:
            done = self._pending.popleft()
            value = self._outcome(done)
            if done is future:
                return value
        return future.result()

    def wait(self) -> None:
        """Wait for every job (raising the first failure)."""
        while self._pending:
            self._outcome(self._pending.popleft())

    def _outcome(self, future: Future[T]) -> T:
        try:
            return future.result()
        except BaseException:
            self._pending.clear()  # what fails after it fails because of it
            raise

    def __enter__(self) -> Background:
        sys.setswitchinterval(min(self._interval, SWITCH_INTERVAL))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # On an error, drop the queued jobs but let the running one finish: the session
        # must not be rolled back under a statement.
        self._pool.shutdown(wait=True, cancel_futures=exc is not None)
        sys.setswitchinterval(self._interval)
        if exc is None:
            self.wait()
