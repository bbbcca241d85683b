"""Usage, memory, effective license and provenance through GraphQL."""

from __future__ import annotations

from catalog.derive.memory import GIB
from catalog.records import FieldSource, FormatRecord, LineageRef
from tests.factories import load, record

MODEL = """
query ($ref: String!) {
  model(ref: $ref) {
    licenseClass licenseConflict
    featureExtraction { value decidedBy evidence { rule value strength detail } }
    fineTuning { value decidedBy evidence { rule value } }
    zeroShot { value decidedBy }
    memory { bytes label variants { format variant bytes method bitsPerWeight } }
    effectiveLicense {
      licenses licenseClass commercialUse conflict conflicts
      terms { license licenseClass sourceRef depth inCatalog }
    }
    provenance { field source path rule }
  }
}
"""

LLAMA = record(
    "meta-llama/Llama-3.1-8B-Instruct",
    license="llama3.1",
    tasks=["text-generation"],
    tags=["conversational"],
    formats=["safetensors"],
    library="transformers",
    parameters=8_030_261_248,
    extra={"parameters_by_dtype": {"BF16": 8_030_261_248}},
    provenance=(
        FieldSource("license", "declared", "cardData.license"),
        FieldSource("tasks", "declared", "pipeline_tag"),
    ),
)
GGUF = record(
    "someone/Llama-3.1-8B-Instruct-GGUF",
    license="apache-2.0",
    tasks=["text-generation"],
    parameters=8_030_261_248,
    formats=[
        FormatRecord(
            "gguf", ({"quantization": "Q4_K_M"}, {"quantization": "Q8_0", "bytes": 8_540_000_000})
        )
    ],
    lineage=[LineageRef("huggingface", "meta-llama/Llama-3.1-8B-Instruct", "quantized")],
)


def test_a_quantization_shows_its_usage_memory_and_inherited_license(db_session, gql) -> None:
    load(db_session, [LLAMA, GGUF])
    model = gql(MODEL, {"ref": "huggingface:someone/Llama-3.1-8B-Instruct-GGUF"})["model"]
    assert model["fineTuning"] == {
        "value": False,
        "decidedBy": "inference-only-formats",
        "evidence": [{"rule": "inference-only-formats", "value": False}],
    }
    assert model["zeroShot"] == {"value": True, "decidedBy": "instruction-tuned"}
    assert model["featureExtraction"] == {"value": None, "decidedBy": None, "evidence": []}
    q4 = round(8_030_261_248 * 4.85 / 8)
    assert model["memory"] == {
        "bytes": q4,
        "label": "weights only",
        "variants": [
            {"format": "gguf", "variant": "Q4_K_M", "bytes": q4, "method": "parameters-x-bits",
             "bitsPerWeight": 4.85},
            {"format": "gguf", "variant": "Q8_0", "bytes": 8_540_000_000, "method": "file-sizes",
             "bitsPerWeight": None},
        ],
    }  # fmt: skip
    assert model["licenseClass"] == "permissive"
    assert model["licenseConflict"] is True
    effective = model["effectiveLicense"]
    assert effective["licenses"] == ["apache-2.0", "llama3.1"]
    assert (effective["licenseClass"], effective["commercialUse"]) == ("restricted-custom", True)
    assert effective["terms"][1] == {
        "license": "llama3.1",
        "licenseClass": "restricted-custom",
        "sourceRef": "huggingface:meta-llama/Llama-3.1-8B-Instruct",
        "depth": 1,
        "inCatalog": True,
    }
    assert {(s["field"], s["source"], s["rule"]) for s in model["provenance"]} >= {
        ("fineTuning", "derived", "inference-only-formats"),
        ("zeroShot", "derived", "instruction-tuned"),
        ("memory", "derived", "memory:parameters-x-bits"),
        ("effectiveLicense", "derived", "inherit-along-lineage"),
    }


def test_declared_provenance_comes_back_under_api_names(db_session, gql) -> None:
    load(db_session, [LLAMA])
    model = gql(MODEL, {"ref": "huggingface:meta-llama/Llama-3.1-8B-Instruct"})["model"]
    declared = [s for s in model["provenance"] if s["source"] == "declared"]
    assert declared == [
        {"field": "license", "source": "declared", "path": "cardData.license", "rule": None},
        {"field": "tasks", "source": "declared", "path": "pipeline_tag", "rule": None},
    ]
    assert model["memory"]["variants"][0]["method"] == "dtype-breakdown"
    assert model["memory"]["bytes"] == 2 * 8_030_261_248


SEARCH = """
query ($filter: ModelFilter) {
  models(filter: $filter, sort: [NAME]) {
    totalCount
    edges { node { ref } }
    facets(fields: [USAGE, LICENSE_CLASS, MEMORY]) { field buckets { value label count } }
  }
}
"""


def test_filters_and_facets_of_derived_fields(db_session, gql) -> None:
    load(db_session, [LLAMA, GGUF])
    data = gql(SEARCH, {"filter": {"usages": ["zero-shot"], "maxMemoryBytes": 8 * GIB}})
    assert [e["node"]["ref"] for e in data["models"]["edges"]] == [
        "huggingface:someone/Llama-3.1-8B-Instruct-GGUF"
    ]
    facets = {f["field"]: f["buckets"] for f in data["models"]["facets"]}
    assert facets["MEMORY"] == [
        {"value": "le-16gib", "label": "weights 8-16 GiB", "count": 1},
        {"value": "le-8gib", "label": "weights 4-8 GiB", "count": 1},
    ]
    assert facets["LICENSE_CLASS"] == [
        {"value": "restricted-custom", "label": "Restricted (custom terms)", "count": 1}
    ]
    none = gql(SEARCH, {"filter": {"commercialUse": False}})
    assert none["models"]["totalCount"] == 0


def test_wrong_filter_values_say_what_is_allowed(db_session, gql_errors) -> None:
    (usage,) = gql_errors(SEARCH, {"filter": {"usages": ["finetune"]}})
    assert "finetune" in usage
    assert "fine-tuning" in usage
    (memory,) = gql_errors(SEARCH, {"filter": {"maxMemoryBytes": -1}})
    assert "maxMemoryBytes must not be negative" in memory


def test_the_comparison_table_shows_derived_rows(db_session, gql) -> None:
    load(db_session, [LLAMA, GGUF])
    table = gql(
        "query ($refs: [String!]) { compare(refs: $refs) { rows { attribute values } } }",
        {"refs": ["huggingface:meta-llama/Llama-3.1-8B-Instruct",
                  "huggingface:someone/Llama-3.1-8B-Instruct-GGUF"]},
    )["compare"]  # fmt: skip
    rows = {r["attribute"]: r["values"] for r in table["rows"]}
    assert rows["fineTuning"] == ["true", "false"]
    assert rows["zeroShot"] == ["true", "true"]
    assert rows["memory"] == [str(2 * 8_030_261_248), str(round(8_030_261_248 * 4.85 / 8))]
    assert rows["effectiveLicense"] == [
        "llama3.1 (restricted-custom)",
        "apache-2.0, llama3.1 (restricted-custom)",
    ]
    assert rows["licenseConflict"] == ["false", "true"]
    assert rows["provenance"][0] == "license <- cardData.license; tasks <- pipeline_tag"


def test_a_model_without_a_license_has_no_class_but_inherits(db_session, gql) -> None:
    child = record(
        "someone/unlabelled-ft",
        lineage=[LineageRef("huggingface", "meta-llama/Llama-3.1-8B-Instruct", "finetune")],
    )
    load(db_session, [LLAMA, child])
    model = gql(MODEL, {"ref": "huggingface:someone/unlabelled-ft"})["model"]
    assert model["licenseClass"] is None
    effective = model["effectiveLicense"]
    # Llama's terms bind it, and its own (unstated) terms could be anything.
    assert (effective["licenses"], effective["licenseClass"], effective["commercialUse"]) == (
        ["llama3.1"],
        "unknown",
        None,
    )
    assert model["licenseConflict"] is False
