"""`models` and `model` through GraphQL: filters, facets, pages, detail and lineage."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.queries.index_cache import FacetIndexCache
from catalog.records import FormatRecord
from tests.factories import NOW, catalog_records, facet, load, record, with_lineage

SEARCH = """
query($filter: ModelFilter, $search: String, $first: Int!, $after: String, $sort: [ModelSort!]) {
  models(filter: $filter, search: $search, first: $first, after: $after, sort: $sort) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ref downloads } }
    facets(fields: [FORMAT, PLATFORM, PARAMETER_RANGE], limit: 10) {
      field buckets { value label count }
    }
  }
}
"""


@pytest.mark.parametrize("use_index", [False, True])
def test_search_with_facets_and_pages(db_session, gql, use_index) -> None:
    records = catalog_records(40)
    load(db_session, records)
    cache = FacetIndexCache() if use_index else None
    variables = {"filter": {"formats": ["onnx"], "exclude": {"licenses": ["mit"]}}, "first": 5}
    data = gql(SEARCH, variables, index_cache=cache)["models"]
    include, exclude = {"format": ("onnx",)}, {"license": ("mit",)}
    by_field = {f["field"]: f["buckets"] for f in data["facets"]}
    expected = facet(records, "format", include, exclude)
    assert [(b["value"], b["count"]) for b in by_field["FORMAT"]] == expected[:10]
    assert by_field["PLATFORM"] == [
        {"value": v, "label": by_field["PLATFORM"][i]["label"], "count": n}
        for i, (v, n) in enumerate(facet(records, "platform", include, exclude))
    ]
    assert data["totalCount"] == dict(expected)["onnx"]
    assert data["pageInfo"]["hasPreviousPage"] is False
    seen = [e["node"]["ref"] for e in data["edges"]]
    while data["pageInfo"]["hasNextPage"]:
        variables["after"] = data["pageInfo"]["endCursor"]
        data = gql(SEARCH, variables, index_cache=cache)["models"]
        assert data["pageInfo"]["hasPreviousPage"] is True
        seen += [e["node"]["ref"] for e in data["edges"]]
    assert len(seen) == len(set(seen)) == dict(expected)["onnx"]


def test_sort_and_search_arguments(db_session, gql) -> None:
    load(
        db_session,
        [
            record("a/llama-small", downloads=5, likes=9),
            record("b/llama-big", downloads=50, likes=1),
            record("c/other", downloads=500),
        ],
    )
    data = gql(SEARCH, {"search": "llama", "first": 10, "sort": ["LIKES"]})["models"]
    assert [e["node"]["ref"] for e in data["edges"]] == [
        "huggingface:a/llama-small",
        "huggingface:b/llama-big",
    ]
    data = gql(SEARCH, {"search": "llama", "first": 10})["models"]  # relevance, then downloads
    assert data["edges"][0]["node"]["ref"] == "huggingface:b/llama-big"


DETAIL = """
query($ref: String!) {
  model(ref: $ref) {
    id ref name author license library parameters downloads likes createdAt removedAt
    platform { slug name }
    tasks { slug name modality }
    modalities { slug }
    formats { slug name variants fileCount totalBytes }
    languages datasets tags
    baseModels { relation parentRef parent { ref } }
    derivatives(first: 1) { totalCount edges { node { ref } } pageInfo { hasNextPage } }
    metrics { observedAt downloads likes }
  }
}
"""


def test_model_by_ref_with_relations(db_session, gql) -> None:
    gguf = FormatRecord(
        "gguf", ({"quantization": "Q4_K_M", "file": "m.Q4_K_M.gguf"},), 1, 4_000_000_000
    )
    records = [
        record(
            "meta-llama/Llama-3.1-8B",
            tasks=["text-generation"],
            license="llama3",
            library="transformers",
            parameters=8_000_000_000,
            downloads=10,
            likes=2,
            languages=["en"],
            datasets=["c4"],
            tags=["chat"],
            formats=["safetensors"],
            created_at=NOW,
        ),
        record("someone/Llama-3.1-8B-GGUF", formats=[gguf], downloads=5, lineage=[]),
        record("other/Llama-3.1-8B-ft", downloads=7),
    ]
    records = with_lineage(records, [(1, 0, "quantized"), (2, 0, "finetune")])
    load(db_session, records)
    load(db_session, [records[0]], observed_at=NOW + dt.timedelta(days=1))
    model = gql(DETAIL, {"ref": "huggingface:meta-llama/Llama-3.1-8B"})["model"]
    assert model["platform"] == {"slug": "huggingface", "name": "Hugging Face Hub"}
    assert model["tasks"] == [
        {"slug": "text-generation", "name": "Text Generation", "modality": "language"}
    ]
    assert model["modalities"] == [{"slug": "language"}]
    assert model["author"] == "meta-llama"
    assert (model["license"], model["library"], model["parameters"]) == (
        "llama3",
        "transformers",
        8e9,
    )
    assert (model["languages"], model["datasets"], model["tags"]) == (["en"], ["c4"], ["chat"])
    assert model["derivatives"]["totalCount"] == 2
    assert model["derivatives"]["edges"] == [{"node": {"ref": "huggingface:other/Llama-3.1-8B-ft"}}]
    assert model["derivatives"]["pageInfo"]["hasNextPage"] is True
    assert [p["downloads"] for p in model["metrics"]] == [10, 10]
    child = gql(DETAIL, {"ref": "huggingface:someone/Llama-3.1-8B-GGUF"})["model"]
    assert child["formats"] == [
        {
            "slug": "gguf",
            "name": child["formats"][0]["name"],
            "variants": [{"quantization": "Q4_K_M", "file": "m.Q4_K_M.gguf"}],
            "fileCount": 1,
            "totalBytes": 4e9,
        }
    ]
    assert child["baseModels"] == [
        {
            "relation": "quantized",
            "parentRef": "huggingface:meta-llama/Llama-3.1-8B",
            "parent": {"ref": "huggingface:meta-llama/Llama-3.1-8B"},
        }
    ]


def test_model_by_id_unknown_ref_and_bad_arguments(db_session, gql, gql_errors) -> None:
    ids = load(db_session, [record("x/y")])
    query = "query($id: ID, $ref: String) { model(id: $id, ref: $ref) { ref } }"
    assert gql(query, {"id": str(ids["huggingface:x/y"])})["model"] == {"ref": "huggingface:x/y"}
    assert gql(query, {"ref": "huggingface:nope/nope"})["model"] is None
    assert gql_errors(query, {}) == ["model needs exactly one of id or ref"]
    assert "is not '<platform>:<externalId>'" in gql_errors(query, {"ref": "nocolon"})[0]
    assert "is not a model id" in gql_errors(query, {"id": "abc"})[0]


LINEAGE = """
query($ref: String!) {
  model(ref: $ref) {
    ancestors { depth relation model { ref } }
    descendants(maxDepth: 2) { depth relation model { ref } }
  }
}
"""


def test_lineage_at_depth_three_with_a_cycle(db_session, gql) -> None:
    # d -> c -> b -> a (finetune, adapter, quantized), and a -> d closes a cycle.
    records = [record(f"org/{n}") for n in "abcd"]
    records = with_lineage(
        records, [(3, 2, "finetune"), (2, 1, "adapter"), (1, 0, "quantized"), (0, 3, "merge")]
    )
    load(db_session, records)
    data = gql(LINEAGE, {"ref": "huggingface:org/d"})["model"]
    assert data["ancestors"] == [
        {"depth": 1, "relation": "finetune", "model": {"ref": "huggingface:org/c"}},
        {"depth": 2, "relation": "adapter", "model": {"ref": "huggingface:org/b"}},
        {"depth": 3, "relation": "quantized", "model": {"ref": "huggingface:org/a"}},
    ]
    assert data["descendants"] == [
        {"depth": 1, "relation": "merge", "model": {"ref": "huggingface:org/a"}},
        {"depth": 2, "relation": "quantized", "model": {"ref": "huggingface:org/b"}},
    ]


def test_derived_from_filter_covers_every_depth(db_session, gql) -> None:
    records = [record(f"org/{n}") for n in "abcde"]
    records = with_lineage(
        records, [(1, 0, "finetune"), (2, 1, "adapter"), (3, 2, "merge"), (0, 3, "merge")]
    )
    ids = load(db_session, records)
    query = """query($f: ModelFilter) {
      models(filter: $f, first: 50) { totalCount edges { node { ref } } } }"""
    data = gql(query, {"f": {"derivedFrom": str(ids["huggingface:org/a"])}})["models"]
    assert sorted(e["node"]["ref"] for e in data["edges"]) == [
        "huggingface:org/b",
        "huggingface:org/c",
        "huggingface:org/d",
    ]
