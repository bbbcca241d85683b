"""Derived facets and filters (usage, license class, memory, commercial use) on both
search backends, held to plain Python."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from catalog.derive.memory import GIB
from catalog.queries.filters import ModelFilter, ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import ModelSearch, search_models
from catalog.records import FormatRecord, LineageRef
from tests.factories import catalog_records, facet, keep, load, record


@pytest.fixture(params=["sql", "index"])
def backend(request: pytest.FixtureRequest) -> FacetIndexCache | None:
    """Run a test against SQL and against the facet index (rebuilt inline when stale)."""
    return FacetIndexCache() if request.param == "index" else None


def run(session: Session, cache: FacetIndexCache | None, flt: ModelFilter) -> ModelSearch:
    search = search_models(session, ModelQuery(filter=flt, first=100), cache)
    assert search.backend == ("sql" if cache is None else "index")
    return search


def sized(external_id: str, size: int, **kw: object) -> object:
    return record(external_id, formats=[FormatRecord("onnx", total_bytes=size)], **kw)


DERIVED = [
    sized("org/one-gib", GIB, license="mit", tasks=["feature-extraction"]),
    sized("org/just-over", GIB + 1, license="cc-by-nc-4.0", tasks=["image-classification"]),
    sized("org/big", 30 * GIB, license="llama3.1", tasks=["text-generation"]),
    record("org/chat-Instruct", license="apache-2.0", tasks=["text-generation"]),
    record("org/unlicensed", formats=["safetensors"], library="transformers"),
    record(
        "org/ft-of-big",
        license="mit",
        formats=["safetensors"],
        lineage=[LineageRef("huggingface", "org/big", "finetune")],
    ),
]


@pytest.fixture
def derived_catalog(db_session: Session) -> list:
    load(db_session, DERIVED)
    return DERIVED


def refs(session: Session, search: ModelSearch) -> set[str]:
    from catalog.queries.detail import models_by_ids

    return {row.external_id for row in models_by_ids(session, search.page().ids).values()}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        # org/big: an ONNX-only export (no) that a fine-tune names as its base (yes):
        # conflicting evidence of equal strength, so unknown.
        (ModelFilter(values={"usages": ("fine-tuning",)}), {"org/unlicensed", "org/ft-of-big"}),
        (ModelFilter(values={"usages": ("feature-extraction",)}), {"org/one-gib"}),
        (ModelFilter(values={"usages": ("zero-shot",)}), {"org/chat-Instruct"}),
        (ModelFilter(max_memory_bytes=GIB), {"org/one-gib"}),  # the upper bound is inclusive
        (ModelFilter(max_memory_bytes=GIB - 1), set()),
        (
            ModelFilter(commercial_use=True),
            {"org/one-gib", "org/big", "org/chat-Instruct", "org/ft-of-big"},
        ),
        (ModelFilter(commercial_use=False), {"org/just-over"}),
        (
            ModelFilter(values={"license_classes": ("restricted-custom",)}),
            {"org/big", "org/ft-of-big"},  # the fine-tune inherits Llama's terms
        ),
        (ModelFilter(exclude={"license_classes": ("unknown", "permissive")}), {
            "org/just-over", "org/big", "org/ft-of-big"}),
    ],
)  # fmt: skip
def test_derived_filters(db_session, derived_catalog, backend, flt, expected) -> None:
    search = run(db_session, backend, flt)
    assert refs(db_session, search) == expected
    assert search.total() == len(expected)


def test_memory_buckets_put_the_edge_in_the_lower_bucket(
    db_session, derived_catalog, backend
) -> None:
    (memory,) = run(db_session, backend, ModelFilter()).facets(["memory"])
    assert [(b.value, b.label, b.count) for b in memory.buckets] == [
        ("le-1gib", "weights ≤ 1 GiB", 1),
        ("le-48gib", "weights 24-48 GiB", 1),
        ("le-4gib", "weights 1-4 GiB", 1),
    ]


def test_commercial_use_holds_in_every_facet_count(db_session, derived_catalog, backend) -> None:
    search = run(db_session, backend, ModelFilter(commercial_use=True))
    classes, usages = search.facets(["license_class", "usage"])
    # Unlike a license-class filter, "commercial use allowed" is no facet selection:
    # the LICENSE_CLASS facet counts under it too.
    assert {b.value: b.count for b in classes.buckets} == {
        "permissive": 2,  # org/ft-of-big declares mit but inherits Llama's terms
        "restricted-custom": 2,
    }
    assert {b.value: b.count for b in usages.buckets} == {
        "fine-tuning": 1,
        "feature-extraction": 1,
        "zero-shot": 1,
    }


def test_memory_filter_is_skipped_by_its_own_facet(db_session, derived_catalog, backend) -> None:
    search = run(db_session, backend, ModelFilter(max_memory_bytes=GIB))
    assert search.total() == 1
    (memory,) = search.facets(["memory"])
    assert sum(b.count for b in memory.buckets) == 3


@pytest.mark.parametrize("field", ["usage", "license_class", "memory"])
def test_derived_facets_of_a_varied_catalog_match_python(db_session, backend, field) -> None:
    records = catalog_records(60)
    load(db_session, records)
    include = {"platform": ("huggingface", "kaggle", "tfhub")}
    search = run(db_session, backend, ModelFilter(values={"platforms": include["platform"]}))
    (counts,) = search.facets([field], limit=100)
    expected = facet(records, field, include)
    assert expected
    assert [(b.value, b.count) for b in counts.buckets] == expected
    assert search.total() == sum(keep(r, include) for r in records)
