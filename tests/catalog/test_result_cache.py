"""Equal requests on one index snapshot are answered once; a new snapshot answers anew."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from catalog.queries import facet_engine, facet_pivot
from catalog.queries.filters import ModelFilter, ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import search_models
from tests.factories import catalog_records, load, record


def _ask(session: Session, cache: FacetIndexCache) -> tuple[object, ...]:
    query = ModelQuery(filter=ModelFilter(values={"tags": ["edge"]}), first=5)
    found = search_models(session, query, cache)
    assert found.backend == "index"
    return (
        found.total(),
        found.page().ids,
        [(b.value, b.count) for f in found.facets(["platform", "format"]) for b in f.buckets],
        found.pivot("format", "platform").cells,
    )


def test_equal_requests_share_one_answer_until_the_catalog_changes(
    fresh_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(fresh_engine) as session:
        load(session, catalog_records(40))
        session.commit()
    computed: list[str] = []
    counts, pivot = facet_engine.facet_counts, facet_pivot.pivot_rows
    monkeypatch.setattr(
        facet_engine, "facet_counts", lambda *a, **k: computed.append("facet") or counts(*a, **k)
    )
    monkeypatch.setattr(
        facet_pivot, "pivot_rows", lambda *a, **k: computed.append("pivot") or pivot(*a, **k)
    )
    cache = FacetIndexCache(fresh_engine)
    cache.build_now()
    with Session(fresh_engine) as session:
        first = _ask(session, cache)
        assert computed == ["facet", "facet", "pivot"]
        assert _ask(session, cache) == first
        assert computed == ["facet", "facet", "pivot"]  # nothing computed again
    with Session(fresh_engine) as session:
        load(session, [record(f"edge/model-{i}", tags=["edge"]) for i in range(3)])
        session.commit()
    cache.build_now()  # a new snapshot (patched)
    with Session(fresh_engine) as session:
        after = _ask(session, cache)
    assert after[0] == first[0] + 3
    assert len(computed) == 6
