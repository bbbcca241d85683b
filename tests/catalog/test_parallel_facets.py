"""A lone request counts its facets on threads; one that arrived while others ran (a
busy server) counts them in its own thread, with the same answer."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm import Session

from catalog.queries import facet_engine
from catalog.queries.filters import ModelFilter, ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import PARALLEL_FACETS, search_models
from tests.factories import catalog_records, load


def test_facets_use_threads_only_when_the_request_is_alone(
    fresh_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(fresh_engine) as session:
        load(session, catalog_records(30))
        session.commit()
    threads: list[str] = []
    counts = facet_engine.facet_counts

    def recorded(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread().name)
        return counts(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(facet_engine, "facet_counts", recorded)
    cache = FacetIndexCache(fresh_engine, result_cache_size=0)
    cache.build_now()

    def facets() -> list[object]:
        with Session(fresh_engine) as session:
            query = ModelQuery(filter=ModelFilter(), first=5)
            found = search_models(session, query, cache)
            assert found.backend == "index"
            fields = ["platform", "format", "task", "license"]
            return [
                (f.field, [(b.value, b.count) for b in f.buckets]) for f in found.facets(fields)
            ]

    alone = facets()
    assert all(name.startswith("facets") for name in threads), threads
    threads.clear()
    token = PARALLEL_FACETS.set(False)
    try:
        busy = facets()
    finally:
        PARALLEL_FACETS.reset(token)
    assert threads == [threading.current_thread().name] * 4
    assert busy == alone
