"""Models a hub flags not safe for work: hidden from search, facets and pivots unless the
filter asks, on both backends (SQL and the in-memory facet index), for any hub."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog.queries.filters import ModelFilter, ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import ModelSearch, search_models
from catalog.records import NormalizedModel
from tests.factories import catalog_records, load, remove


@pytest.fixture(params=["sql", "index"])
def backend(request: pytest.FixtureRequest) -> FacetIndexCache | None:
    """Run a test against SQL and against the facet index."""
    return FacetIndexCache() if request.param == "index" else None


@pytest.fixture
def flagged(db_session: Session) -> tuple[list[NormalizedModel], dict[str, int]]:
    """30 varied models: every third flagged NSFW, every third flagged safe, the rest
    unrated (their hubs say nothing)."""
    records = [
        NormalizedModel(**{**_fields(r), "nsfw": (True, False, None)[i % 3]})
        for i, r in enumerate(catalog_records(30, seed=11))
    ]
    return records, load(db_session, records)


def _fields(record: NormalizedModel) -> dict[str, object]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _ref(record: NormalizedModel) -> str:
    return f"{record.platform}:{record.external_id}"


def run(session: Session, cache: FacetIndexCache | None, **kwargs: object) -> ModelSearch:
    search = search_models(session, ModelQuery(**kwargs), cache)  # type: ignore[arg-type]
    assert search.backend == ("sql" if cache is None else "index")
    return search


def test_the_loader_stores_what_the_hub_says(db_session, flagged) -> None:
    records, ids = flagged
    stored = dict(db_session.execute(text("select id, nsfw from models")).all())
    assert {stored[ids[_ref(r)]] for r in records} == {True, False, None}
    assert all(stored[ids[_ref(r)]] is r.nsfw for r in records)


def test_dashboards_read_the_flag_from_the_reporting_view(db_session, flagged) -> None:
    records, _ = flagged
    flat = dict(db_session.execute(text("select ref, nsfw from reporting.models_flat")).all())
    assert {ref: flat[ref] for ref in map(_ref, records)} == {_ref(r): r.nsfw for r in records}


def test_nsfw_models_are_hidden_unless_the_filter_asks(db_session, flagged, backend) -> None:
    records, ids = flagged
    safe = {ids[_ref(r)] for r in records if r.nsfw is not True}
    hidden = run(db_session, backend, first=100)
    assert hidden.total() == len(safe) == 20
    assert set(hidden.page().ids) == safe
    shown = run(db_session, backend, filter=ModelFilter(include_nsfw=True), first=100)
    assert shown.total() == len(records)
    assert set(shown.page().ids) == set(ids.values())


def test_facets_and_pivots_count_only_what_is_shown(db_session, flagged, backend) -> None:
    records, _ = flagged
    for include, expected in ((False, 20), (True, 30)):
        search = run(db_session, backend, filter=ModelFilter(include_nsfw=include))
        (platforms,) = search.facets(["platform"])
        assert sum(b.count for b in platforms.buckets) == expected
        pivot = search.pivot("platform", None)
        assert sum(row.count for row in pivot.rows) == expected
        counted = {b.value: b.count for b in platforms.buckets}
        for platform, count in counted.items():
            assert count == sum(
                1 for r in records if r.platform == platform and (include or r.nsfw is not True)
            )


def test_the_flag_combines_with_other_filters_and_text(db_session, flagged, backend) -> None:
    records, _ = flagged
    platform = records[0].platform
    expected = [r for r in records if r.platform == platform and r.nsfw is not True]
    flt = ModelFilter(values={"platforms": (platform,)})
    assert run(db_session, backend, filter=flt).total() == len(expected)
    found = run(db_session, backend, search="synthetic", first=100)
    assert found.total() == 20
    with_nsfw = ModelFilter(include_nsfw=True, values={"platforms": (platform,)})
    assert run(db_session, backend, filter=with_nsfw).total() == sum(
        1 for r in records if r.platform == platform
    )


def test_removed_and_nsfw_are_independent(db_session, flagged, backend) -> None:
    records, _ = flagged
    nsfw_one = next(r for r in records if r.nsfw)
    remove(db_session, _ref(nsfw_one))
    shown = ModelFilter(include_nsfw=True)
    assert run(db_session, backend, filter=shown).total() == len(records) - 1
    everything = ModelFilter(include_nsfw=True, include_removed=True)
    assert run(db_session, backend, filter=everything).total() == len(records)
    assert run(db_session, backend, filter=ModelFilter(include_removed=True)).total() == 20


def test_backends_agree(db_session, flagged) -> None:
    for flt in (ModelFilter(), ModelFilter(include_nsfw=True)):
        sql = run(db_session, None, filter=flt, first=100)
        index = run(db_session, FacetIndexCache(), filter=flt, first=100)
        assert sql.page().ids == index.page().ids
        assert [f.buckets for f in sql.facets(["task", "format"])] == [
            f.buckets for f in index.facets(["task", "format"])
        ]
