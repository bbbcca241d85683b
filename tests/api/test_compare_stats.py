"""`compare`, `stats`, `downloadSeries`, vocabularies with counts and `harvestRuns`."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from catalog.models import HarvestRun, Platform
from catalog.queries.index_cache import FacetIndexCache
from tests.derived import derived_by_key
from tests.factories import NOW, catalog_records, load, record, values_of, with_lineage

COMPARE = """
query($ids: [ID!], $refs: [String!]) {
  compare(ids: $ids, refs: $refs) {
    models { ref }
    rows { attribute label values differs }
  }
}
"""


def test_compare_rows_and_differs(db_session, gql) -> None:
    records = with_lineage(
        [
            record(
                "a/one",
                tasks=["text-generation"],
                formats=["gguf", "onnx"],
                license="mit",
                downloads=5,
            ),
            record(
                "b/two",
                platform="kaggle",
                tasks=["text-generation"],
                formats=["onnx"],
                license="mit",
            ),
        ],
        [(0, 1, "finetune")],
    )
    ids = load(db_session, records)
    data = gql(COMPARE, {"ids": [str(ids["kaggle:b/two"])], "refs": ["huggingface:a/one"]})[
        "compare"
    ]
    assert data["models"] == [{"ref": "kaggle:b/two"}, {"ref": "huggingface:a/one"}]
    rows = {r["attribute"]: r for r in data["rows"]}
    assert rows["platform"] == {
        "attribute": "platform",
        "label": "Platform",
        "values": ["kaggle", "huggingface"],
        "differs": True,
    }
    assert rows["tasks"]["values"] == ["text-generation", "text-generation"]
    assert rows["tasks"]["differs"] is False
    assert rows["formats"]["values"] == ["onnx", "gguf, onnx"]
    assert rows["downloads"]["values"] == [None, "5"]
    assert rows["baseModels"]["values"] == [None, "kaggle:b/two (finetune)"]
    assert set(rows) >= {
        "modalities",
        "parameters",
        "license",
        "library",
        "likes",
        "created",
        "lastModified",
        "languages",
        "datasets",
    }


def test_compare_unknown_refs_are_listed_in_one_error(db_session, gql_errors) -> None:
    load(db_session, [record("a/one")])
    messages = gql_errors(
        COMPARE, {"ids": ["999999999"], "refs": ["huggingface:a/one", "kaggle:nope/x"]}
    )
    assert messages == ["unknown models: 999999999, kaggle:nope/x"]


STATS = """
query($rows: FacetField!, $columns: FacetField, $filter: ModelFilter) {
  stats(rows: $rows, columns: $columns, filter: $filter) {
    rowField columnField
    rows { value count } columns { value count }
    cells { row column count }
    matrix
  }
}
"""


@pytest.mark.parametrize("use_index", [False, True])
def test_stats_counts_matrix_matches_python(db_session, gql, use_index) -> None:
    records = catalog_records(50)
    load(db_session, records)
    cache = FacetIndexCache() if use_index else None
    data = gql(STATS, {"rows": "FORMAT", "columns": "PLATFORM"}, index_cache=cache)["stats"]
    expected = Counter(
        (f, p) for r in records for f in values_of(r, "format") for p in values_of(r, "platform")
    )
    assert {(c["row"], c["column"]): c["count"] for c in data["cells"]} == dict(expected)
    rows = [r["value"] for r in data["rows"]]
    cols = [c["value"] for c in data["columns"]]
    assert data["matrix"] == [[expected.get((r, c), 0) for c in cols] for r in rows]

    one = gql(STATS, {"rows": "TASK", "filter": {"platforms": ["kaggle"]}}, index_cache=cache)
    one = one["stats"]
    by_task = Counter(t for r in records if r.platform == "kaggle" for t in r.tasks)
    assert {r["value"]: r["count"] for r in one["rows"]} == dict(by_task)
    assert one["columnField"] is None
    assert one["matrix"] == [[r["count"]] for r in one["rows"]]


@pytest.mark.parametrize("use_index", [False, True])
def test_task_by_modality_matrix(db_session, gql, use_index) -> None:
    load(
        db_session,
        [
            record("a/x", tasks=["text-generation", "image-classification"]),
            record("a/y", tasks=["image-classification"], parameters=5_000_000),
            record("a/z", tasks=["image-classification"], parameters=50_000_000, platform="kaggle"),
        ],
    )
    cache = FacetIndexCache() if use_index else None
    data = gql(STATS, {"rows": "TASK", "columns": "MODALITY"}, index_cache=cache)["stats"]
    assert sorted((c["row"], c["column"], c["count"]) for c in data["cells"]) == [
        ("image-classification", "language", 1),
        ("image-classification", "vision", 3),
        ("text-generation", "language", 1),
        ("text-generation", "vision", 1),
    ]
    params = gql(STATS, {"rows": "PARAMETER_RANGE", "columns": "PLATFORM"}, index_cache=cache)
    assert sorted((c["row"], c["column"], c["count"]) for c in params["stats"]["cells"]) == [
        ("10m-100m", "kaggle", 1),
        ("lt-10m", "huggingface", 1),
    ]


def test_download_series_sums_last_point_per_bucket(db_session, gql) -> None:
    day1, day2 = NOW, NOW + dt.timedelta(days=1)
    load(
        db_session,
        [record("a/x", downloads=10), record("a/y", downloads=5, platform="kaggle")],
        observed_at=day1,
    )
    load(db_session, [record("a/x", downloads=30)], observed_at=day1 + dt.timedelta(hours=2))
    load(db_session, [record("a/x", downloads=40)], observed_at=day2)
    query = """query($f: ModelFilter) {
      downloadSeries(filter: $f, interval: DAY) { start downloads models } }"""
    points = gql(query, {"f": None})["downloadSeries"]
    assert [(p["downloads"], p["models"]) for p in points] == [(35, 2), (40, 1)]
    only_hf = gql(query, {"f": {"platforms": ["huggingface"]}})["downloadSeries"]
    assert [p["downloads"] for p in only_hf] == [30, 40]


def test_vocabularies_with_model_counts_and_harvest_runs(db_session, gql) -> None:
    load(
        db_session,
        [
            record("a/x", tasks=["text-generation"], formats=["gguf"]),
            record("a/y", platform="kaggle", tasks=["text-generation"], formats=["gguf", "onnx"]),
        ],
    )
    kaggle = db_session.execute(select(Platform).where(Platform.slug == "kaggle")).scalar_one()
    db_session.add(
        HarvestRun(
            platform_id=kaggle.id,
            kind="full",
            status="succeeded",
            started_at=NOW,
            counts={"seen": 1},
        )
    )
    db_session.flush()
    data = gql("""{
      platforms { slug modelCount lastHarvest { status counts } }
      modalities { slug modelCount }
      tasks(modality: "language") { slug modality modelCount }
      formats { slug modelCount }
      harvestRuns(platform: "kaggle") { platform kind status counts }
    }""")
    platforms = {p["slug"]: p for p in data["platforms"]}
    assert platforms["kaggle"] == {
        "slug": "kaggle",
        "modelCount": 1,
        "lastHarvest": {"status": "succeeded", "counts": {"seen": 1}},
    }
    assert platforms["huggingface"]["lastHarvest"] is None
    assert {m["slug"]: m["modelCount"] for m in data["modalities"]}["language"] == 2
    tasks = {t["slug"]: t for t in data["tasks"]}
    assert tasks["text-generation"] == {
        "slug": "text-generation",
        "modality": "language",
        "modelCount": 2,
    }
    assert all(t["modality"] == "language" for t in data["tasks"])
    assert {f["slug"]: f["modelCount"] for f in data["formats"]}["gguf"] == 2
    assert data["harvestRuns"] == [
        {"platform": "kaggle", "kind": "full", "status": "succeeded", "counts": {"seen": 1}}
    ]


def test_dashboard_arguments_are_validated(db_session, gql_errors) -> None:
    assert (
        "allowed: audio, graph, language" in gql_errors('{ tasks(modality: "words") { slug } }')[0]
    )
    assert "allowed: huggingface" in gql_errors('{ harvestRuns(platform: "hf") { id } }')[0]
    assert gql_errors("{ harvestRuns(last: 0) { id } }") == [
        "last must be between 1 and 500, got 0"
    ]


@pytest.mark.parametrize("use_index", [False, True])
def test_derived_facets_cross_in_a_counts_matrix(db_session, gql, use_index) -> None:
    records = catalog_records(50)
    load(db_session, records)
    cache = FacetIndexCache() if use_index else None
    derived = derived_by_key(records)
    for rows, columns in (("MEMORY", "LICENSE_CLASS"), ("USAGE", "PLATFORM")):
        variables = {"rows": rows, "columns": columns}
        data = gql(STATS, variables, index_cache=cache)["stats"]
        expected = Counter(
            (a, b)
            for r in records
            for a in values_of(r, rows.lower(), derived)
            for b in values_of(r, columns.lower(), derived)
        )
        assert expected
        assert {(c["row"], c["column"]): c["count"] for c in data["cells"]} == dict(expected)
