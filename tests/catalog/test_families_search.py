"""Searching by family on both backends (SQL and the facet index), held to plain Python."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.orm import Session

from catalog.families.recompute import rebuild_families
from catalog.families.records import assign_records
from catalog.families.vocabulary import Vocabulary, load_vocabulary
from catalog.queries.errors import QueryError
from catalog.queries.filters import ModelFilter, ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import search_models
from catalog.records import LineageRef
from tests.factories import load, record

RECORDS = [
    record("microsoft/resnet-50", extra={"model_type": "resnet"}),
    record("timm/resnet101.a1h_in1k", library="timm"),
    record("ResNet50-caffe2", platform="onnx-model-zoo", tags=["vision", "resnet"]),
    record("tensorflow/resnet-50", platform="kaggle", name="ResNet-50"),
    record("google/imagenet/resnet_v2_101/classification", platform="tfhub"),
    record("pytorch_vision_resnet", platform="pytorch-hub", name="ResNet"),
    record("facebook/detr-resnet-50", extra={"model_type": "detr"}),
    record("google/mobilenet_v2_1.0_224", extra={"model_type": "mobilenet_v2"}),
    record("google/imagenet/mobilenet_v2_100_224/classification", platform="tfhub"),
    record("meta-llama/Llama-3.1-8B", extra={"model_type": "llama"}),
    record(
        "lab/llama-chat",
        lineage=[LineageRef("huggingface", "meta-llama/Llama-3.1-8B", "finetune")],
        downloads=5,
    ),
    record("someone/my-model"),
]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture
def catalog(db_session: Session, vocab: Vocabulary) -> dict[str, tuple[str, ...]]:
    """The records loaded and assigned; ref -> family path, as plain Python sees it."""
    load(db_session, RECORDS)
    rebuild_families(db_session, vocab)
    found = assign_records(vocab, RECORDS)
    return {ref: vocab.families[v.slug].path for ref, v in found.items() if v and v.slug}


@pytest.fixture(params=["sql", "index"])
def backend(request: pytest.FixtureRequest) -> FacetIndexCache | None:
    return FacetIndexCache() if request.param == "index" else None


def run(session: Session, cache: FacetIndexCache | None, **kw: object):  # noqa: ANN201
    result = search_models(session, ModelQuery(first=100, **kw), cache)  # type: ignore[arg-type]
    assert result.backend == ("sql" if cache is None else "index")
    return result


def facet(result, **kw: object) -> dict[str, int]:  # noqa: ANN001
    (counts,) = result.facets(["family"], **kw)
    return {b.value: b.count for b in counts.buckets}


def test_a_family_includes_its_sub_families(db_session, catalog, backend) -> None:
    result = run(db_session, backend, filter=ModelFilter(values={"families": ("resnet",)}))
    expected = {ref for ref, path in catalog.items() if "resnet" in path}
    assert len(expected) == 6  # on five hubs; DETR is not a ResNet
    assert result.total() == len(expected)
    narrower = run(db_session, backend, filter=ModelFilter(values={"families": ("resnet-50",)}))
    assert narrower.total() == sum("resnet-50" in p for p in catalog.values())


def test_family_facet_shows_roots_then_children_of_the_selection(
    db_session, catalog, backend
) -> None:
    roots = Counter(path[0] for path in catalog.values())
    assert facet(run(db_session, backend), limit=50) == dict(roots)
    selected = run(db_session, backend, filter=ModelFilter(values={"families": ("resnet",)}))
    children = Counter(p[1] for p in catalog.values() if p[0] == "resnet" and len(p) > 1)
    assert facet(selected, limit=50) == dict(children)
    assert facet(selected, limit=50) == {"resnet-50": 3, "resnet-101": 2}
    leaf = run(db_session, backend, filter=ModelFilter(values={"families": ("resnet-101",)}))
    assert facet(leaf) == {"resnet-101": 2}


def test_family_filters_combine_with_other_fields(db_session, catalog, backend) -> None:
    flt = ModelFilter(
        values={"families": ("resnet", "mobilenet"), "platforms": ("tfhub",)},
        exclude={"families": ("mobilenet-v2",)},
    )
    result = run(db_session, backend, filter=flt)
    assert result.total() == 1  # the TF Hub ResNet; its MobileNet V2 is excluded
    (platforms,) = result.facets(["platform"])
    kept = [
        ref
        for ref, path in catalog.items()
        if {"resnet", "mobilenet"} & set(path) and "mobilenet-v2" not in path
    ]
    expected = Counter(ref.split(":", 1)[0] for ref in kept)
    assert {b.value: b.count for b in platforms.buckets} == dict(expected)
    assert expected["huggingface"] == 2


def test_backends_agree_on_family_pivots(db_session, catalog) -> None:
    pivots = [
        run(db_session, cache).pivot("family", "platform") for cache in (None, FacetIndexCache())
    ]
    assert pivots[0] == pivots[1]
    cells = {(c.row, c.column): c.count for c in pivots[0].cells}
    assert cells[("resnet", "huggingface")] == 2
    assert cells[("llama", "huggingface")] == 2
    assert {k.value for k in pivots[0].rows} == {p[0] for p in catalog.values()}


def test_backends_agree_on_pivots_of_chosen_levels(db_session, catalog) -> None:
    from sqlalchemy import select

    from catalog.models import Family

    ids = dict(db_session.execute(select(Family.slug, Family.id)).tuples().all())
    # Releases two and three levels below the selected roots, not their children.
    levels = ("llama-3.1-8b", "resnet-50")
    flt = ModelFilter(values={"families": ("llama", "resnet")})
    pivots = [
        run(db_session, cache, filter=flt).pivot(
            "family", "platform", levels={"family": frozenset(ids[s] for s in levels)}
        )
        for cache in (None, FacetIndexCache())
    ]
    assert pivots[0] == pivots[1]
    expected = Counter(
        (level, ref.split(":", 1)[0])
        for ref, path in catalog.items()
        for level in levels
        if level in path
    )
    assert {(c.row, c.column): c.count for c in pivots[0].cells} == dict(expected)
    assert {k.value: k.count for k in pivots[0].rows} == {"llama-3.1-8b": 2, "resnet-50": 3}


def test_counts_of_any_level(db_session, catalog, backend) -> None:
    from sqlalchemy import select

    from catalog.models import Family

    ids = dict(db_session.execute(select(Family.slug, Family.id)).tuples().all())
    wanted = frozenset({ids["resnet"], ids["resnet-50"], ids["llama-3.1"]})
    counts = run(db_session, backend).counts_of("family", wanted)
    assert counts == {"resnet": 6, "resnet-50": 3, "llama-3.1": 2}


def test_unknown_family_lists_valid_ones(db_session, catalog) -> None:
    with pytest.raises(
        QueryError,
        match=r"unknown value 'resnett' for filter.families; did you mean 'resnet'\? allowed",
    ):
        run(db_session, None, filter=ModelFilter(values={"families": ("resnett",)}))


def test_removed_models_leave_family_counts(db_session, catalog, backend) -> None:
    from tests.factories import remove

    remove(db_session, "kaggle:tensorflow/resnet-50")
    result = run(db_session, backend, filter=ModelFilter(values={"families": ("resnet",)}))
    assert result.total() == 5
