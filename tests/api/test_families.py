"""The family part of the GraphQL contract, and no N+1 on it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from catalog.families.recompute import rebuild_families
from catalog.families.vocabulary import load_vocabulary
from catalog.queries.index_cache import FacetIndexCache
from catalog.records import FormatRecord, LineageRef
from tests.api.conftest import execute
from tests.factories import load, record

RECORDS = [
    record("microsoft/resnet-50", extra={"model_type": "resnet"}, downloads=900,
           formats=["safetensors"], license="apache-2.0"),
    record("timm/resnet50.a1_in1k", library="timm", downloads=800, formats=["safetensors"]),
    record("ResNet50-caffe2", platform="onnx-model-zoo", tags=["vision", "resnet"],
           formats=["onnx"], downloads=None),
    record("tensorflow/resnet-50", platform="kaggle", name="ResNet-50",
           formats=["tensorflow", "tflite"], downloads=300),
    record("google/imagenet/resnet_v2_101/classification", platform="tfhub", downloads=50),
    record("pytorch_vision_resnet", platform="pytorch-hub", name="ResNet",
           formats=[FormatRecord("pytorch", ({"entrypoint": "resnet50"},
                                             {"entrypoint": "resnet101"}))]),
    record("lab/resnet-50-cats", downloads=5,
           lineage=[LineageRef("huggingface", "microsoft/resnet-50", "finetune")]),
    record("facebook/detr-resnet-50", extra={"model_type": "detr"}, downloads=700),
    record("openai/whisper-small", extra={"model_type": "whisper"}, downloads=600),
]  # fmt: skip


@pytest.fixture
def catalog(db_session: Session) -> dict[str, int]:
    ids = load(db_session, RECORDS)
    rebuild_families(db_session, load_vocabulary())
    return ids


def gql(session: Session, query: str, variables=None, cache=None):  # noqa: ANN001, ANN201
    result = execute(session, query, variables, index_cache=cache)
    assert result.errors is None, result.errors
    return result.data


FAMILY = """
query($slug: String!) {
  family(slug: $slug) {
    slug name path kind depth modelCount
    parent { slug }
    children { slug name kind }
    platforms { slug name }
    models(first: 10, sort: [DOWNLOADS]) { totalCount edges { node { ref } } }
  }
}
"""


@pytest.mark.parametrize("cache", [None, "index"])
def test_a_family_with_its_tree_hubs_and_models(db_session, catalog, cache) -> None:
    index = FacetIndexCache() if cache else None
    data = gql(db_session, FAMILY, {"slug": "resnet"}, index)["family"]
    assert (data["slug"], data["name"], data["path"], data["kind"]) == (
        "resnet",
        "ResNet",
        ["resnet"],
        "architecture",
    )
    assert data["parent"] is None
    assert data["modelCount"] == 7
    assert {c["slug"] for c in data["children"]} >= {"resnet-50", "resnet-101", "resnet-152"}
    assert {p["slug"] for p in data["platforms"]} == {
        "huggingface", "onnx-model-zoo", "kaggle", "tfhub", "pytorch-hub",
    }  # fmt: skip
    assert data["models"]["totalCount"] == 7
    refs = [e["node"]["ref"] for e in data["models"]["edges"]]
    assert refs[:2] == ["huggingface:microsoft/resnet-50", "huggingface:timm/resnet50.a1_in1k"]
    release = gql(db_session, FAMILY, {"slug": "resnet-50"}, index)["family"]
    assert (release["path"], release["kind"], release["parent"]) == (
        ["resnet", "resnet-50"],
        "release",
        {"slug": "resnet"},
    )
    assert release["modelCount"] == 5
    assert gql(db_session, FAMILY, {"slug": "no-such-family"})["family"] is None


def test_models_filter_and_family_facet(db_session, catalog) -> None:
    query = """
    query($filter: ModelFilter) {
      models(filter: $filter) {
        totalCount
        facets(fields: [FAMILY, PLATFORM]) { field buckets { value label count } }
      }
    }"""
    everything = gql(db_session, query)["models"]
    family_facet = everything["facets"][0]["buckets"]
    assert {b["value"]: b["count"] for b in family_facet} == {"resnet": 7, "detr": 1, "whisper": 1}
    assert {b["label"] for b in family_facet} == {"ResNet", "DETR", "Whisper"}
    resnets = gql(db_session, query, {"filter": {"families": ["resnet"]}})["models"]
    assert resnets["totalCount"] == 7
    children = {b["value"]: b["count"] for b in resnets["facets"][0]["buckets"]}
    assert children == {"resnet-50": 5, "resnet-101": 1}
    platforms = {b["value"] for b in resnets["facets"][1]["buckets"]}
    assert len(platforms) == 5


def test_a_models_family_assignment_and_same_release_elsewhere(db_session, catalog) -> None:
    query = """
    query($ref: String!) {
      model(ref: $ref) {
        family { slug path }
        familyAssignment { method confidence evidence derivative family { slug } }
        sameAs { method confidence model { ref platform { slug } } }
      }
    }"""
    official = gql(db_session, query, {"ref": "huggingface:microsoft/resnet-50"})["model"]
    assert official["family"] == {"slug": "resnet-50", "path": ["resnet", "resnet-50"]}
    assignment = official["familyAssignment"]
    assert assignment["method"] == "architecture"
    assert "model_type resnet" in assignment["evidence"]
    assert assignment["derivative"] is False
    same = [link["model"]["ref"] for link in official["sameAs"]]
    assert same == [
        "huggingface:timm/resnet50.a1_in1k",
        "kaggle:tensorflow/resnet-50",
        "onnx-model-zoo:ResNet50-caffe2",
    ]  # most downloaded first, the fine-tune left out
    tuned = gql(db_session, query, {"ref": "huggingface:lab/resnet-50-cats"})["model"]
    assert tuned["familyAssignment"]["method"] == "lineage"
    assert tuned["familyAssignment"]["derivative"] is True
    assert tuned["sameAs"] == []
    unknown = gql(db_session, query, {"ref": "huggingface:openai/whisper-small"})["model"]
    assert unknown["family"]["slug"] == "whisper-small"


def test_families_list_by_parent_and_search_with_pages(db_session, catalog) -> None:
    query = """
    query($search: String, $parent: String, $after: String) {
      families(search: $search, parent: $parent, first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { slug }
      }
    }"""
    roots = gql(db_session, query)["families"]
    assert roots["totalCount"] > 150
    assert roots["pageInfo"]["hasNextPage"] is True
    after = gql(db_session, query, {"after": roots["pageInfo"]["endCursor"]})["families"]
    assert after["nodes"][0]["slug"] > roots["nodes"][-1]["slug"]
    lines = gql(db_session, query, {"parent": "mobilenet"})["families"]
    assert lines["totalCount"] == 4  # V1 to V4
    found = gql(db_session, query, {"search": "LLAMA 3.1", "parent": "llama"})["families"]
    assert found["totalCount"] == 7  # the line and its six releases, any depth below llama
    assert found["nodes"][0]["slug"] == "llama-3.1"
    errors = execute(db_session, '{ families(parent: "nope") { totalCount } }').errors
    assert errors is not None
    assert errors[0].message == "unknown family 'nope' for parent"


def test_compare_lines_up_a_release_across_hubs(db_session, catalog) -> None:
    query = """
    query($family: String) {
      compare(family: $family) { models { ref } rows { attribute values } }
    }"""
    table = gql(db_session, query, {"family": "resnet-50"})["compare"]
    refs = [m["ref"] for m in table["models"]]
    assert set(refs) == {
        "huggingface:microsoft/resnet-50",
        "huggingface:timm/resnet50.a1_in1k",
        "onnx-model-zoo:ResNet50-caffe2",
        "kaggle:tensorflow/resnet-50",
    }  # no fine-tune
    formats = next(r["values"] for r in table["rows"] if r["attribute"] == "formats")
    assert "tensorflow, tflite" in formats
    errors = execute(db_session, '{ compare(family: "nope") { models { ref } } }').errors
    assert errors is not None
    assert "unknown family 'nope'" in errors[0].message


def test_contract_names_are_in_the_schema() -> None:
    from api.export_schema import sdl

    text = sdl()
    for name in (
        "families(search: String = null, parent: String = null, kind: String = null, first",
        "family(slug: String!): Family",
        "compare(ids: [ID!] = null, refs: [String!] = null, family: String = null)",
        "family: Family\n",
        "familyAssignment: FamilyAssignment\n",
        "sameAs(first: Int! = 20): [SameAsLink!]!",
        "families: [String!]",
        "  FAMILY\n",
        "modelCount: Int!",
        "path: [String!]!",
        "evidence: String\n",
    ):
        assert name in text, name


EVERYTHING = """
query($first: Int!) {
  models(first: $first, sort: [NAME]) {
    edges { node {
      ref
      family { slug parent { slug } children { slug } modelCount platforms { slug } }
      familyAssignment { method family { slug } }
      sameAs(first: 3) { model { ref family { slug } } }
    } }
  }
}
"""


def test_statement_count_does_not_grow_with_page_size(db_session, catalog, query_recorder) -> None:
    counts = {}
    for first in (2, 9):
        query_recorder.statements.clear()
        query_recorder.active = True
        data = gql(db_session, EVERYTHING, {"first": first})
        query_recorder.active = False
        assert len(data["models"]["edges"]) == first
        counts[first] = query_recorder.count
    assert counts[2] == counts[9], counts
    assert counts[9] < 25
