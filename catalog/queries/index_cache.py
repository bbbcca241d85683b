"""Keep one `FacetIndex` in step with the database, and cache search-text hits.

Two modes. Given an engine, the index is built in a background thread on its own
connection (one REPEATABLE READ snapshot, no statement timeout), then patched with what
the change log says changed since (`index_delta`, seconds for thousands of models) or
rebuilt when that is cheaper; requests use the previous index meanwhile, or the SQL
backend before the first build: answers may lag writes by the build or patch time.
Without an engine, a stale index is rebuilt inline through the caller's session, which
also sees that session's uncommitted rows (tests).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from catalog.models import Model
from catalog.queries.conditions import SearchHits
from catalog.queries.facet_engine import warm
from catalog.queries.facet_index import FacetIndex, build_index, read_version
from catalog.queries.index_delta import read_delta
from catalog.queries.index_patch import apply_delta
from catalog.queries.index_store import IndexStore
from catalog.queries.result_cache import ResultCache, snapshot_key
from catalog.queries.text_index import (
    ParallelTextBuild,
    TextIndex,
    match_points,
    query_lexemes,
    relevance,
)
from catalog.queries.text_patch import fold, needs_fold
from catalog.queries.text_search import build_match, build_rank

log = logging.getLogger(__name__)
ROWS_PER_RESULT = 5  # rows and list attributes kept for each result kept


class FacetIndexCache:
    """The current facet index of one database, patched (or rebuilt) when the catalog
    changes."""

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        check_interval: float = 0.25,
        search_cache_size: int = 256,
        on_built: Callable[[], None] | None = None,
        store: IndexStore | None = None,
        result_cache_size: int = 2048,
    ) -> None:
        """Create an empty cache.

        Args:
            engine: Build in the background through this engine; None builds inline.
            check_interval: Seconds between version checks (background mode): a
                small query, and the change log makes a patch cheap to start.
            search_cache_size: Search texts whose matching rows are kept.
            on_built: Called after each background build (e.g. to report readiness).
            store: Share the index with other processes through this store (background
                mode): one process builds each version, every process maps it.
            result_cache_size: Results kept per snapshot (`ResultCache`; background mode
                only, 0 for none).
        """
        self.engine = engine
        self.check_interval = check_interval if engine is not None else 0.0
        self._index: FacetIndex | None = None
        self._lock = threading.Lock()
        self._building = False
        self._failures = 0  # builds failed in a row
        self._retry_at = float("-inf")
        self._last_check = float("-inf")
        self._watching = False
        self._hits: OrderedDict[tuple[Any, ...], SearchHits] = OrderedDict()
        self._hits_size = search_cache_size
        self._on_built = on_built
        self.store = store
        # Only in background mode: inline, a session may see its own uncommitted rows in
        # an index whose snapshot key does not say so.
        use_results = engine is not None and result_cache_size > 0
        self.results = ResultCache(result_cache_size) if use_results else None
        # Model rows and list attributes read for pages, kept per snapshot (`row_scope`).
        self.rows = ResultCache(ROWS_PER_RESULT * result_cache_size) if use_results else None

    @property
    def index(self) -> FacetIndex | None:
        """The index in use, if one is built."""
        return self._index

    def row_scope(self) -> Hashable | None:
        """The key under which model rows read now may be kept in `rows`: the snapshot
        in use, so they are read again once the index moves on (a harvest's changes
        reach pages when they reach search); None: do not keep them (no index yet, or
        inline mode, whose session may see its own uncommitted rows)."""
        index = self._index
        return None if self.rows is None or index is None else snapshot_key(index)

    def current(self, session: Session) -> FacetIndex | None:
        """The index to answer with, checking (at most every `check_interval`, unless a
        watcher does) that it is current; None means: use SQL."""
        now = time.monotonic()
        if self._watching or now - self._last_check < self.check_interval:
            return self._index  # a watcher checks in the background: no query here
        self._last_check = now
        version = read_version(session.connection())
        index = self._index
        if index is not None and index.version == version:
            return index
        if self.engine is None:
            self._index = build_index(session.connection(), version)
            return self._index
        self.start_build()
        return index

    def watch(self, interval: float | None = None) -> None:
        """Check the catalog's version in a background thread (every `interval`, default
        `check_interval`) and bring the index up to date when it moves, so an idle
        server's index follows a harvest instead of waiting for the next request."""
        assert self.engine is not None
        every = interval if interval is not None else self.check_interval
        self._watching = True
        threading.Thread(target=self._watch, args=(every,), name="index-watch", daemon=True).start()

    def _watch(self, every: float) -> None:
        engine = self.engine
        assert engine is not None
        failing = False
        while True:
            time.sleep(every)
            if self._building:
                continue
            try:
                version = _read_version(engine)
            except Exception as exc:  # noqa: BLE001 - the database may be away a while
                if not failing:
                    log.warning("facet index: cannot read the catalog version: %s", exc)
                failing = True
                continue
            failing = False
            index = self._index
            if index is None or index.version != version:
                self.start_build()

    def start_build(self) -> None:
        """Start a background build unless one is running (or one failed moments ago:
        retries back off from 1 s to a minute)."""
        with self._lock:
            if self._building or self.engine is None or time.monotonic() < self._retry_at:
                return
            self._building = True
        threading.Thread(target=self._build, name="facet-index", daemon=True).start()

    def build_now(self) -> FacetIndex:
        """Build through the engine and wait for it (start-up, benchmarks)."""
        engine = self.engine
        assert engine is not None

        built: list[FacetIndex] = []

        def build() -> FacetIndex:
            # The published index is the newest any worker has: patch that one.
            base = self.store.latest() if self.store is not None else self._index
            with engine.connect() as conn:
                index = self._patched(conn, base) if base is not None else None
                if index is None:
                    index = self._build_snapshot(conn)
            if self.store is not None:
                started = time.perf_counter()
                warm(index)  # computed once for every process, not once per process
                log.info("facet index: warmed in %.2fs", time.perf_counter() - started)
            built.append(index)
            return index

        def version() -> tuple[Any, ...]:
            return _read_version(engine)

        index = build() if self.store is None else self.store.obtain(version, build)
        with self._lock:  # a fold checks and swaps under the lock: never over a newer one
            self._index = index
        # The process that patched the index folds its text overlay, once it has grown.
        if built and index.text is not None and needs_fold(index.text):
            threading.Thread(
                target=self._fold, args=(index,), name="text-fold", daemon=True
            ).start()
        return index

    def _fold(self, index: FacetIndex) -> None:
        """Fold `index`'s text overlay into its main postings and use that index instead,
        unless a newer one came meanwhile (the next patch carries the overlay on)."""
        assert index.text is not None
        started = time.perf_counter()
        try:
            folded = dataclasses.replace(index, text=fold(index.text), derived=dict(index.derived))
            if self.store is not None:
                replaced = self.store.replace(folded)
                if replaced is None:
                    return
                folded = replaced
            with self._lock:
                if self._index is not index:
                    return
                self._index = folded
        except Exception:  # noqa: BLE001 - the layered index still answers correctly
            log.exception("facet index: folding the text overlay failed")
            return
        took = time.perf_counter() - started
        log.info("facet index: folded %d overlaid rows in %.2fs", index.text.overlaid_rows, took)

    def _build(self) -> None:
        try:
            self.build_now()
            self._failures = 0
            if self._on_built is not None:
                self._on_built()
        except Exception:
            log.exception("facet index build failed; searches use SQL until the next try")
            self._failures += 1
            self._retry_at = time.monotonic() + min(60.0, 2.0 ** (self._failures - 1))
        finally:
            with self._lock:
                self._building = False

    def _patched(self, conn: Connection, base: FacetIndex) -> FacetIndex | None:
        """`base` patched with what changed since its snapshot; None: rebuild instead
        (also when patching fails: a rebuild does not depend on the old index)."""
        try:
            return self._patch(conn, base)
        except Exception:
            log.exception("facet index patch failed; rebuilding it from scratch")
            if conn.in_transaction():
                conn.rollback()
            return None

    def _patch(self, conn: Connection, base: FacetIndex) -> FacetIndex | None:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        started = time.perf_counter()
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            delta = read_delta(conn, base, self.engine)
        if delta is None:
            return None
        read = time.perf_counter()
        index = apply_delta(base, delta)
        log.info(
            "facet index: patched %d changed models (read %.2fs, applied %.2fs)",
            len(delta.changed),
            read - started,
            time.perf_counter() - read,
        )
        return index

    def _build_snapshot(self, conn: Connection) -> FacetIndex:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            started = time.perf_counter()
            assert self.engine is not None
            index = build_index(conn, text_build=ParallelTextBuild.start(self.engine, conn))
            log.info("facet index: %d models in %.2fs", index.size, time.perf_counter() - started)
            return index

    def clear_results(self) -> None:
        """Forget cached results and kept rows, keeping the search hits."""
        for cache in (self.results, self.rows):
            if cache is not None:
                cache.clear()

    def clear_search_cache(self) -> None:
        """Forget cached search hits and results (benchmarks measure the uncached path)."""
        with self._lock:
            self._hits.clear()
        if self.results is not None:
            self.results.clear()

    def search_hits(
        self, session: Session, index: FacetIndex, search: str, with_rank: bool
    ) -> SearchHits:
        """Index rows matching a search text (and their relevance), cached per index."""
        key = (index.version, search, with_rank)
        with self._lock:
            hit = self._hits.get(key)
            if hit is not None:
                self._hits.move_to_end(key)
                return hit
        hit = _query_hits(session, index, search, with_rank)
        with self._lock:
            self._hits[key] = hit
            while len(self._hits) > self._hits_size:
                self._hits.popitem(last=False)
        return hit


def _read_version(engine: Engine) -> tuple[Any, ...]:
    """The catalog's version, outside any transaction: one statement is consistent in
    itself, and a poll four times a second leaves no connection idle in a transaction
    between its statement and the rollback, not even for a moment."""
    with engine.connect() as conn:
        return read_version(conn.execution_options(isolation_level="AUTOCOMMIT"))


def _query_hits(session: Session, index: FacetIndex, search: str, with_rank: bool) -> SearchHits:
    if index.text is not None:
        return _index_hits(session, index, index.text, search, with_rank)
    match = build_match(search)
    if match is None:
        return SearchHits(np.zeros(0, dtype=np.int64), None)
    if not with_rank:
        ids = np.fromiter(session.execute(select(Model.id).where(match)).scalars(), np.int64)
        return SearchHits(index.rows_of(np.sort(ids)), None)
    pairs = session.execute(select(Model.id, build_rank(search)).where(match)).tuples().all()
    ids = np.array([p[0] for p in pairs], dtype=np.int64)
    ranks = np.array([p[1] for p in pairs], dtype=np.float64)
    order = np.argsort(ids)
    ids, ranks = ids[order], ranks[order]
    rows, keep = index.locate(ids)
    full = np.full(index.size, np.nan)
    full[rows] = ranks[keep]
    return SearchHits(rows, full)


def _index_hits(
    session: Session, index: FacetIndex, text_index: TextIndex, search: str, with_rank: bool
) -> SearchHits:
    """Hits from the in-memory text index (only the lexemes of the text come from SQL)."""
    query = query_lexemes(session, search)
    rows, points = match_points(text_index, index.size, query)
    if not with_rank:
        return SearchHits(rows, None)
    full = np.full(index.size, np.nan)
    full[rows] = relevance(text_index, query, rows, points, index.numbers["downloads"])
    return SearchHits(rows, full)
