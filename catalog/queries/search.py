"""Faceted model search: one entry point over the facet index or plain SQL."""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TypeVar

from sqlalchemy.orm import Session

from catalog.queries import facet_engine, facet_pivot, sql_search, stats
from catalog.queries.conditions import Conditions, SearchHits
from catalog.queries.dimensions import DIMENSIONS, FACET_FIELDS
from catalog.queries.errors import QueryError, invalid_value_error
from catalog.queries.filters import ModelQuery, decode_cursor, encode_cursor
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.resolve import bucket_scope, resolve_filter
from catalog.queries.result_cache import filter_key, snapshot_key
from catalog.queries.results import FacetCounts, PageSlice
from catalog.queries.stats import Pivot

T = TypeVar("T")

MAX_FACET_LIMIT = 500
# Facets of one request are counted side by side: numpy releases the GIL, so a lone
# request uses both cores of a small machine. Under load every core is busy anyway, and
# handing work to threads only costs: a server turns it off for requests that arrive
# while others run (`api.worker`: at 1M models and 50 clients, p95 423 against 470 ms).
FACET_THREADS = 2
PARALLEL_FACETS: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "catalog_parallel_facets", default=True
)

_pool_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _facet_pool() -> ThreadPoolExecutor:
    """This process's facet threads (a forked child gets its own: threads do not fork)."""
    global _pool  # noqa: PLW0603 (one pool per process)
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(FACET_THREADS, "facets"))
        return _pool[1]


class ModelSearch:
    """One search request. The page, the total and the facets are computed on first use,
    so a client that asks only for `totalCount` pays only for the count.

    With a `FacetIndexCache` holding a current index, filters, totals, facets and pages
    come from memory (sorting by name goes to SQL); otherwise every part is SQL.
    """

    def __init__(
        self,
        session: Session,
        query: ModelQuery,
        index_cache: FacetIndexCache | None = None,
        restrict_to: frozenset[int] | None = None,
    ) -> None:
        """Resolve the filter and decode the cursor (errors surface here).

        Args:
            session: The request's session.
            query: What to search.
            index_cache: The facet index to answer from, if any.
            restrict_to: Only consider these model ids (e.g. the children of a model).
        """
        self.session = session
        self.query = query
        self.keys = query.sort_keys
        self.cursor = decode_cursor(query.after, self.keys) if query.after else None
        self.cache = index_cache
        self.index = index_cache.current(session) if index_cache is not None else None
        self.filter = resolve_filter(session, query.filter, self.index)
        if restrict_to is not None:
            kept = restrict_to if self.filter.id_set is None else restrict_to & self.filter.id_set
            self.filter = replace(self.filter, id_set=kept)
        self._conditions: Conditions | None = None
        self._conditions_lock = threading.Lock()
        self._hits: SearchHits | None = None
        self._page: PageSlice | None = None
        self._total: int | None = None

    @property
    def backend(self) -> str:
        """`index` or `sql`: what answers this request."""
        return "sql" if self.index is None else "index"

    def _remember(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """`compute()`, or its result for an equal request on the same index snapshot."""
        results = self.cache.results if self.cache is not None else None
        if results is None or self.index is None:
            return compute()
        return results.get(self._result_key(key), compute)

    def _remembered(self, key: tuple[Hashable, ...]) -> bool:
        results = self.cache.results if self.cache is not None else None
        return results is not None and self.index is not None and self._result_key(key) in results

    def _result_key(self, key: tuple[Hashable, ...]) -> tuple[Hashable, ...]:
        assert self.index is not None
        request = (snapshot_key(self.index), filter_key(self.filter), self.query.search_text)
        return (*request, *key)

    def _conds(self) -> Conditions:
        assert self.index is not None
        assert self.cache is not None
        with self._conditions_lock:  # facet threads may get here together
            if self._conditions is None:
                search = self.query.search_text
                if search:
                    needs_rank = any(k.field == "relevance" for k in self.keys)
                    self._hits = self.cache.search_hits(
                        self.session, self.index, search, needs_rank
                    )
                self._conditions = Conditions(self.index, self.filter, self._hits)
            return self._conditions

    def page(self) -> PageSlice:
        """The requested page of model ids in order."""
        if self._page is None:
            keys = tuple(k.token for k in self.keys)
            key = ("page", keys, self.query.after, self.query.first)
            self._page = self._remember(key, self._compute_page)
        return self._page

    def _compute_page(self) -> PageSlice:
        first = self.query.first
        if self.index is None or any(k.field == "name" for k in self.keys):
            return sql_search.sql_page(self.session, self.query, self.filter, self.cursor)
        mask = self._conds().mask()
        if len(self.keys) == 1 and self.keys[0].field != "relevance":
            return facet_engine.page_single_key(self.index, mask, self.keys[0], self.cursor, first)
        return facet_engine.page_any(
            self.index, mask, self.keys, hits=self._hits, cursor=self.cursor, first=first
        )

    def cursors(self) -> list[str]:
        """A cursor per row of the page."""
        page = self.page()
        return [
            encode_cursor(self.keys, key, model_id)
            for model_id, key in zip(page.ids, page.keys, strict=True)
        ]

    def total(self) -> int:
        """How many models match (the page's position does not matter)."""
        if self._total is None:
            if self.index is None:
                stmt = sql_search.build_count_select(self.filter, self.query.search_text)
                self._total = self.session.execute(stmt).scalar_one()
            else:
                self._total = self._remember(("total",), lambda: self._conds().count())
        return self._total

    def facets(self, fields: Sequence[str], limit: int = 20) -> list[FacetCounts]:
        """Disjunctive facet counts: each honours every filter but its own field's.

        Raises:
            QueryError: an unknown field or a limit out of range.
        """
        bad = [f for f in fields if f not in FACET_FIELDS]
        if bad:
            raise invalid_value_error("facets.fields", bad, FACET_FIELDS)
        if not 1 <= limit <= MAX_FACET_LIMIT:
            raise QueryError(f"facets.limit must be between 1 and {MAX_FACET_LIMIT}, got {limit}")
        scopes = self._scopes(fields)
        if self.index is None:
            return sql_search.sql_facets(
                self.session,
                list(fields),
                self.filter,
                self.query.search_text,
                limit,
                scopes=scopes,
            )
        index = self.index
        keys = {f: ("facet", f, limit, scopes.get(f)) for f in fields}
        if not all(self._remembered(k) for k in keys.values()):
            self._conds()  # here: it may use the session, which is not for other threads

        def count(field: str) -> FacetCounts:
            return self._remember(
                keys[field],
                lambda: facet_engine.facet_counts(
                    index, self._conds(), field, limit, scopes.get(field)
                ),
            )

        if len(fields) < 2 or not PARALLEL_FACETS.get():
            return [count(f) for f in fields]
        return list(_facet_pool().map(count, fields))

    def _scopes(self, fields: Sequence[str | None]) -> dict[str, frozenset[int]]:
        """The level shown of each tree-valued field (roots, or children of the selection)."""
        return {
            f: bucket_scope(self.session, DIMENSIONS[f], self.filter.include.get(f))
            for f in fields
            if f in DIMENSIONS and DIMENSIONS[f].hierarchical
        }

    def counts_of(self, field: str, ids: frozenset[int]) -> dict[str, int]:
        """Matching models per value, for these vocabulary ids only (of any level)."""
        if not ids:
            return {}
        if self.index is None:
            (found,) = sql_search.sql_facets(
                self.session,
                [field],
                self.filter,
                self.query.search_text,
                len(ids),
                scopes={field: ids},
            )
        else:
            found = facet_engine.facet_counts(self.index, self._conds(), field, len(ids), ids)
        return {b.value: b.count for b in found.buckets}

    def pivot(
        self, rows: str, columns: str | None, *, levels: dict[str, frozenset[int]] | None = None
    ) -> Pivot:
        """Counts matrix of two facets (or one) over the matching models.

        Args:
            rows: Facet field of the rows.
            columns: Facet field of the columns, or None for one dimension.
            levels: For a tree-valued field, the vocabulary ids to show instead of the
                roots or the children of the selection (e.g. every release below a family).

        Raises:
            QueryError: an unknown facet field.
        """
        stats.check_pivot_fields(rows, columns)
        scopes = self._scopes([rows, columns]) | (levels or {})
        if self.index is None:
            return stats.pivot(
                self.session, self.filter, self.query.search_text, rows, columns, scopes=scopes
            )
        index = self.index
        key = ("pivot", rows, columns, tuple(sorted(scopes.items())))

        def compute() -> Pivot:
            found = facet_pivot.pivot_rows(index, self._conds(), rows, columns, scopes=scopes)
            return stats.assemble_pivot(found, rows, columns)

        return self._remember(key, compute)


def search_models(
    session: Session, query: ModelQuery, index_cache: FacetIndexCache | None = None
) -> ModelSearch:
    """Start a model search (see `ModelSearch`)."""
    return ModelSearch(session, query, index_cache)
