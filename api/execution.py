"""Run the API's work in worker processes, so the serving event loop only speaks HTTP.

Why: the query builders and the ORM are synchronous and CPU-heavy. Run on the event
loop, a request that waited for a pooled connection blocked the loop, so the requests
holding the other connections could never finish: the API wedged for good. Run in
threads, they starve the loop of the GIL, and `/healthz` takes seconds under load. So
the serving process keeps the loop (HTTP, health, queueing) and hands each request to a
pool of worker processes (`api.worker`), one request at a time each. A request first
waits, asynchronously, for a free slot (at most `queue_timeout`, else 503): one a worker
plus one queued behind each, so that a worker that finishes finds its next request
already in the pool's queue (handed over only when a worker came free, a request crossed
three threads of the busy serving process first, and under load each worker sat idle a
third of the time). Its
session is opened and closed inside the worker job, whatever happens: an error, the
budget running out, or a client that went away (the job still finishes and gives its
connection back; the slot is freed only then).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from api.worker import INDEX_BUILDING, INDEX_OFF, INDEX_READY, WorkerConfig, init_worker
from catalog.queries.index_store import default_store_root
from catalog.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


class ServerBusyError(Exception):
    """No worker came free within the queue timeout (answered with 503)."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"the server is busy: no worker came free in {waited:.0f} s")
        self.waited = waited


class WorkerCrashedError(Exception):
    """A worker process died mid-request (answered with 503; the pool restarts)."""


def default_workers() -> int:
    """Worker processes when not configured: one per core, at least two."""
    return max(2, os.cpu_count() or 1)


class RequestExecutor:
    """A pool of worker processes, one request at a time each."""

    def __init__(
        self, database_url: str, settings: Settings, *, facet_index: bool, workers: int
    ) -> None:
        """Prepare the pool (processes start with `start`).

        Args:
            database_url: The database, password included (sent to the workers only).
            settings: The settings the workers serve with.
            facet_index: Whether workers answer searches from a facet index.
            workers: Worker processes (requests that run at once).
        """
        self.workers = workers
        self.slots = 2 * workers  # one running and one queued a worker
        self.queue_timeout = settings.api_queue_timeout_seconds
        self._ctx = multiprocessing.get_context("spawn")
        self._states = self._ctx.Array("i", [INDEX_BUILDING] * workers)
        self._config = WorkerConfig(
            database_url, settings, facet_index, self._states, self._ctx.Value("i", 0)
        )
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._own_index_dir = False  # a temporary index directory, removed at shutdown
        self._semaphore: asyncio.Semaphore | None = None
        self.active = 0

    def start(self) -> None:
        """Start the worker processes (each builds its engine and facet index)."""
        with self._lock:
            if self._pool is None:
                if self._config.facet_index and self._config.index_dir is None:
                    # One index for all workers: built by one, mapped by every one; in
                    # the configured directory it outlives the server.
                    kept = self._config.settings.index_dir
                    self._own_index_dir = kept is None
                    root = kept or str(default_store_root())
                    self._config = dataclasses.replace(self._config, index_dir=root)
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=self._ctx,
                    initializer=init_worker,
                    initargs=(self._config,),
                )
                # Start every worker now rather than on the first requests.
                for _ in range(self.workers):
                    self._pool.submit(time.sleep, 0)

    def index_state(self) -> str:
        """`ready` when every worker's facet index is built, `building`, or `off`."""
        states = [self._states[i] for i in range(self.workers)]
        if all(s == INDEX_OFF for s in states):
            return "off"
        return "ready" if all(s == INDEX_READY for s in states) else "building"

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in a worker process once one is free.

        Raises:
            ServerBusyError: no worker came free within the queue timeout.
            WorkerCrashedError: the worker died; the pool is restarted.
        """
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.slots)
        slots = self._semaphore
        started = time.monotonic()
        try:
            await asyncio.wait_for(slots.acquire(), self.queue_timeout)
        except TimeoutError:
            raise ServerBusyError(time.monotonic() - started) from None
        loop = asyncio.get_running_loop()
        try:
            self.start()
            assert self._pool is not None
            future = self._pool.submit(fn, *args)
        except BaseException:
            slots.release()
            raise
        self.active += 1
        # The slot is freed when the worker is done, not when this coroutine is: a
        # request whose client hung up still runs until its job ends.
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(self._release))
        try:
            return await asyncio.shield(asyncio.wrap_future(future))
        except BrokenProcessPool:
            self._restart()
            raise WorkerCrashedError("an API worker process died; it is being restarted") from None

    def _release(self) -> None:
        self.active -= 1
        assert self._semaphore is not None
        self._semaphore.release()

    def _restart(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            log.error("an API worker process died; restarting the worker pool")
            pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        """Stop the workers once their current requests are done."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        root = self._config.index_dir
        self._config = dataclasses.replace(self._config, index_dir=None)
        if root is not None and self._own_index_dir:
            shutil.rmtree(root, ignore_errors=True)
