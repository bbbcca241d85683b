"""The facet index follows the catalog: built in the background, rebuilt on change."""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from catalog.queries.filters import ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import search_models
from tests.factories import catalog_records, load, record


def _wait_for(predicate, seconds: float = 20.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_background_index_serves_sql_first_then_follows_writes(fresh_engine) -> None:
    with Session(fresh_engine) as session:
        load(session, catalog_records(20))
        session.commit()
    cache = FacetIndexCache(fresh_engine, check_interval=0.0)
    with Session(fresh_engine) as session:
        first = search_models(session, ModelQuery(), cache)
        assert first.backend == "sql"  # nothing built yet: SQL answers meanwhile
        assert first.total() == 20
    _wait_for(lambda: cache.index is not None)
    with Session(fresh_engine) as session:
        assert search_models(session, ModelQuery(), cache).total() == 20
        load(session, [record("late/one", downloads=10**9)])
        session.commit()
    with Session(fresh_engine) as session:
        search_models(session, ModelQuery(), cache)  # notices the change, rebuilds
    _wait_for(lambda: cache.index is not None and cache.index.size == 21)
    with Session(fresh_engine) as session:
        result = search_models(session, ModelQuery(first=1), cache)
        assert result.backend == "index"
        assert result.total() == 21
        assert result.page().ids == [int(cache.index.ids.max())]
