"""Faceted search: filters, disjunctive facets, keyset pages and full-text search, on
both backends (SQL and the in-memory facet index), held to plain Python."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from catalog.queries.dimensions import FACET_FIELDS, FILTER_KEYS
from catalog.queries.errors import QueryError
from catalog.queries.filters import ModelFilter, ModelQuery, SortKey
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import search_models
from catalog.records import NormalizedModel
from tests.factories import NOW, catalog_records, facet, keep, load, record, remove
from tests.shared_index import MappedIndexCache

KEY_OF_FIELD = {field: key for key, field in FILTER_KEYS.items()}


@pytest.fixture(params=["sql", "index", "shared"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> FacetIndexCache | None:
    """Run a test against SQL, the facet index (rebuilt inline when stale), and the index
    as API workers share it (saved, then mapped read-only)."""
    if request.param == "shared":
        return MappedIndexCache(tmp_path)
    return FacetIndexCache() if request.param == "index" else None


@pytest.fixture
def catalog(db_session: Session) -> tuple[list[NormalizedModel], dict[str, int]]:
    """60 varied models."""
    records = catalog_records(60)
    return records, load(db_session, records)


def run(session: Session, cache: FacetIndexCache | None, **kwargs: object):  # noqa: ANN201
    search = search_models(session, ModelQuery(**kwargs), cache)  # type: ignore[arg-type]
    assert search.backend == ("sql" if cache is None else "index")
    return search


def _filter(include: dict[str, tuple[str, ...]], **kw: object) -> ModelFilter:
    return ModelFilter(values={KEY_OF_FIELD[f]: v for f, v in include.items()}, **kw)  # type: ignore[arg-type]


FIELD_VALUES = [
    ("platform", ("kaggle",)),
    ("task", ("text-generation",)),
    ("modality", ("vision",)),
    ("format", ("onnx",)),
    ("library", ("timm",)),
    ("license", ("mit",)),
    ("language", ("fr",)),
    ("author", ("org3",)),
    ("dataset", ("imagenet-1k",)),
    ("tag", ("edge",)),
]


@pytest.mark.parametrize(("field", "values"), FIELD_VALUES)
def test_each_filter_alone_matches_python(db_session, catalog, backend, field, values) -> None:
    records, _ = catalog
    expected = sum(keep(r, {field: values}) for r in records)
    assert expected > 0
    result = run(db_session, backend, filter=_filter({field: values}), first=100)
    assert result.total() == expected
    assert len(result.page().ids) == expected


def test_numeric_and_date_filters(db_session, catalog, backend) -> None:
    records, _ = catalog
    cutoff = NOW - dt.timedelta(days=300)
    cases = [
        (ModelFilter(min_parameters=1e8), lambda r: (r.parameters or -1) >= 1e8),
        (
            ModelFilter(max_parameters=5e7),
            lambda r: r.parameters is not None and r.parameters <= 5e7,
        ),
        (ModelFilter(min_downloads=500), lambda r: (r.downloads or -1) >= 500),
        (ModelFilter(created_after=cutoff), lambda r: r.created_at >= cutoff),
        (
            ModelFilter(updated_after=cutoff),
            lambda r: r.last_modified and r.last_modified >= cutoff,
        ),
    ]
    for flt, pred in cases:
        expected = sum(1 for r in records if pred(r))
        assert 0 < expected < len(records)
        assert run(db_session, backend, filter=flt).total() == expected


def test_removed_models_are_hidden_unless_asked(db_session, catalog, backend) -> None:
    records, _ = catalog
    remove(db_session, f"{records[0].platform}:{records[0].external_id}")
    assert run(db_session, backend).total() == len(records) - 1
    assert run(db_session, backend, filter=ModelFilter(include_removed=True)).total() == len(
        records
    )


def test_filters_combine_and_across_fields_or_within(db_session, catalog, backend) -> None:
    records, _ = catalog
    include = {"format": ("onnx", "gguf"), "platform": ("huggingface", "kaggle", "tfhub")}
    exclude = {"license": ("mit",)}
    flt = _filter(include, exclude={"licenses": ("mit",)})
    expected = sum(keep(r, include, exclude) for r in records)
    assert expected > 0
    assert run(db_session, backend, filter=flt).total() == expected


CASES = [
    ({}, {}, None),
    ({"format": ("onnx",)}, {}, None),  # the disjunctive case: other formats still count
    ({"format": ("onnx", "gguf"), "task": ("text-generation", "object-detection")}, {}, None),
    ({"platform": ("huggingface",), "license": ("apache-2.0", "mit")}, {"tag": ("edge",)}, 1e7),
    ({"author": ("org1", "org2"), "language": ("en",)}, {"format": ("pytorch",)}, None),
    # many values of one single-valued field (a lookup table, not a comparison each)
    ({"author": ("org0", "org1", "org2", "org3", "org5")}, {"platform": ("kaggle",)}, None),
]


@pytest.mark.parametrize(("include", "exclude", "min_params"), CASES)
def test_facet_counts_match_python(
    db_session, catalog, backend, include, exclude, min_params
) -> None:
    records, _ = catalog
    flt = _filter(
        include,
        exclude={KEY_OF_FIELD[f]: v for f, v in exclude.items()},
        min_parameters=min_params,
    )
    result = run(db_session, backend, filter=flt)
    for counts in result.facets(list(FACET_FIELDS), limit=100):
        got = [(b.value, b.count) for b in counts.buckets]
        assert got == facet(records, counts.field, include, exclude, min_params), counts.field


def test_selected_format_still_shows_other_formats(db_session, catalog, backend) -> None:
    records, _ = catalog
    result = run(db_session, backend, filter=_filter({"format": ("onnx",)}))
    (formats,) = result.facets(["format"], limit=20)
    by_value = {b.value: b.count for b in formats.buckets}
    assert by_value["gguf"] == sum("gguf" in [f.slug for f in r.formats] for r in records)
    assert result.total() == by_value["onnx"]


def test_facet_limit_and_labels(db_session, catalog, backend) -> None:
    (tasks,) = run(db_session, backend).facets(["task"], limit=2)
    assert len(tasks.buckets) == 2
    assert tasks.buckets[0].count >= tasks.buckets[1].count
    assert tasks.buckets[0].label  # task names come from the vocabulary


def test_unknown_facet_field_and_closed_values_list_the_valid_ones(db_session, catalog) -> None:
    with pytest.raises(QueryError, match="allowed: .*huggingface"):
        search_models(
            db_session, ModelQuery(filter=ModelFilter(values={"platforms": ("hugginface",)}))
        )
    with pytest.raises(QueryError, match="allowed: .*parameter_range"):
        search_models(db_session, ModelQuery()).facets(["colour"])
    unknown_tag = ModelFilter(values={"tags": ("no-such-tag",)})
    assert search_models(db_session, ModelQuery(filter=unknown_tag)).total() == 0


def test_filter_values_resolve_from_the_index_snapshot(db_session, catalog, query_recorder) -> None:
    records, _ = catalog
    cache = FacetIndexCache()
    run(db_session, cache).total()  # builds the index
    include = {"format": ("onnx",), "license": ("mit", "apache-2.0")}
    query_recorder.active = True
    total = run(db_session, cache, filter=_filter(include)).total()
    query_recorder.active = False
    assert total == sum(keep(r, include, {}) for r in records)
    vocabulary_reads = [s for s in query_recorder.statements if "FROM formats" in s]
    assert vocabulary_reads == [], "the snapshot's vocabulary answers, not a query"
    # A value the snapshot does not know goes to the database, which refuses it.
    with pytest.raises(QueryError, match="allowed: .*huggingface"):
        run(db_session, cache, filter=ModelFilter(values={"platforms": ("hugginface",)}))


def test_first_is_capped() -> None:
    with pytest.raises(QueryError, match="first must be between 0 and 100, got 101"):
        ModelQuery(first=101)


def _expected_order(records, ids, field: str, descending: bool) -> list[int]:
    def value(r: NormalizedModel) -> object:
        return {
            "downloads": r.downloads,
            "likes": r.likes,
            "created": r.created_at,
            "last_modified": r.last_modified,
            "parameters": r.parameters,
            "name": r.name.lower(),
        }[field]

    rows = [(value(r), ids[f"{r.platform}:{r.external_id}"]) for r in records]
    present = sorted((v, i) for v, i in rows if v is not None)
    if descending:
        present.sort(key=lambda vi: vi[1])
        present.sort(key=lambda vi: vi[0], reverse=True)
    return [i for _, i in present] + sorted(i for v, i in rows if v is None)


def _walk(session, cache, sort: tuple[SortKey, ...], first: int, **kw: object) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        result = run(session, cache, sort=sort, first=first, after=after, **kw)
        seen += result.page().ids
        if not result.page().has_next:
            return seen
        after = result.cursors()[-1]


@pytest.mark.parametrize(
    ("field", "descending"),
    [
        ("downloads", True),
        ("likes", False),
        ("created", True),
        ("last_modified", True),
        ("parameters", False),
        ("name", False),
    ],
)
def test_pages_follow_the_sort_with_nulls_last(
    db_session, catalog, backend, field, descending
) -> None:
    records, ids = catalog
    got = _walk(db_session, backend, (SortKey(field, descending),), first=7)
    assert got == _expected_order(records, ids, field, descending)


def test_multi_key_sort(db_session, catalog, backend) -> None:
    records, ids = catalog
    keys = (SortKey("likes", True), SortKey("downloads", False))
    got = _walk(db_session, backend, keys, first=9)
    assert sorted(got) == sorted(ids.values())
    assert got == _walk(db_session, None, keys, first=60)


def test_paging_while_models_are_inserted(db_session, catalog, backend) -> None:
    records, ids = catalog
    seen: list[int] = []
    after = None
    round_ = 0
    while True:
        result = run(db_session, backend, first=6, after=after)
        seen += result.page().ids
        if not result.page().has_next:
            break
        after = result.cursors()[-1]
        round_ += 1
        # New models land before and after the cursor while the client pages.
        load(
            db_session,
            [
                record(f"late/top-{round_}", downloads=10**9 + round_),
                record(f"late/low-{round_}", downloads=1),
            ],
        )
    assert len(seen) == len(set(seen)), "a model came twice"
    assert set(ids.values()) <= set(seen), "a model was skipped"


def test_cursor_of_another_sort_is_rejected(db_session, catalog) -> None:
    result = search_models(db_session, ModelQuery(first=2))
    with pytest.raises(QueryError, match="another sort"):
        search_models(
            db_session,
            ModelQuery(first=2, after=result.cursors()[-1], sort=(SortKey("likes", True),)),
        )
    with pytest.raises(QueryError, match="not a cursor"):
        search_models(db_session, ModelQuery(after="garbage!"))


@pytest.fixture
def labelled(db_session: Session) -> dict[str, int]:
    return load(
        db_session,
        [
            record("meta-llama/Llama-3.1-8B", summary="A large language model.", downloads=900),
            record("meta-llama/Llama-2-7b", summary="An older model.", downloads=5000),
            record(
                "google-bert/bert-base-uncased", summary="Masked language model.", downloads=100
            ),
            record(
                "FacebookAI/roberta-large",
                summary="Robustly optimized BERT approach.",
                downloads=50,
            ),
            record("openai/whisper-large-v3", summary="Speech recognition.", downloads=10),
            record("someone/asr-tool", summary="Wraps whisper for transcription.", downloads=10000),
            record("other/tagged", summary="Unrelated.", tags=["whisper"], downloads=20000),
            record("helsinki/opus-mt", summary="Translation between languages.", downloads=7),
        ],
    )


@pytest.mark.parametrize(
    ("text", "expected_first"),
    [
        ("llama-3", ["huggingface:meta-llama/Llama-3.1-8B"]),
        ("bert-base", ["huggingface:google-bert/bert-base-uncased"]),
        (
            "whisper",
            [
                "huggingface:openai/whisper-large-v3",
                "huggingface:someone/asr-tool",
                "huggingface:other/tagged",
            ],
        ),
        ("translate", ["huggingface:helsinki/opus-mt"]),  # stemmed summary match
        (
            "meta-llama",
            ["huggingface:meta-llama/Llama-2-7b", "huggingface:meta-llama/Llama-3.1-8B"],
        ),
    ],
)
def test_search_ranks_name_matches_first(
    db_session, labelled, backend, text, expected_first
) -> None:
    result = run(db_session, backend, search=text)
    by_id = {v: k for k, v in labelled.items()}
    got = [by_id[i] for i in result.page().ids]
    assert got[: len(expected_first)] == expected_first
    assert result.total() == len(got)


def test_search_text_without_tokens_is_refused(db_session, labelled, backend) -> None:
    with pytest.raises(QueryError, match="'--- ::' has no letter or digit to search for"):
        run(db_session, backend, search="--- ::").total()


def test_search_pages_by_relevance(db_session, labelled, backend) -> None:
    everything = run(db_session, backend, search="model", first=100).page().ids
    assert len(everything) >= 3
    assert _walk(db_session, backend, (), first=1, search="model") == everything
