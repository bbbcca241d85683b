"""Normalization of Hub payloads: golden files, the rules that matter, and any-JSON safety.

Golden files: `fixtures/<name>.json` (payloads shaped like the Hub's, facts taken from
real answers) -> `golden/<name>.json` (the expected record). Regenerate after an
intended change with `UPDATE_GOLDEN=1 pytest tests/harvesters/huggingface/test_parse.py`
and review the diff.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.records import InvalidRecordError, NormalizedModel, validate_record
from harvesters.huggingface.files import file_formats, gguf_quantization
from harvesters.huggingface.parse import normalize_model
from tests.harvesters.huggingface.payloads import generate_models

HERE = Path(__file__).parent
FIXTURES = sorted((HERE / "fixtures").glob("*.json"))


def as_json(record: NormalizedModel) -> Any:
    """The record as plain JSON (datetimes in ISO form) for golden comparison."""

    def default(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    return json.loads(json.dumps(dataclasses.asdict(record), default=default))


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / "fixtures" / f"{name}.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    record = normalize_model(json.loads(fixture.read_text("utf-8")))
    validate_record(record)
    golden = HERE / "golden" / fixture.name
    actual = as_json(record)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", "utf-8")
    assert golden.exists(), f"no golden file; run with UPDATE_GOLDEN=1 to create {golden.name}"
    assert actual == json.loads(golden.read_text("utf-8"))


def test_identity_url_and_author_from_id() -> None:
    record = normalize_model({"id": "google-bert/bert-base-uncased"})
    assert (record.external_id, record.name, record.author) == (
        "google-bert/bert-base-uncased",
        "bert-base-uncased",
        "google-bert",
    )
    assert record.url == "https://huggingface.co/google-bert/bert-base-uncased"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({}, "no id"),
        ({"id": None, "modelId": None}, "no id"),
        ({"id": "   "}, "blank"),
        ({"id": 42}, "not a string"),
        ({"id": ["a/b"]}, "not a string"),
        ({"id": "a/b\x00c"}, "NUL"),
        ({"id": "x" * 600}, "not a Hub id"),
    ],
)
def test_unusable_ids_are_refused_with_a_reason(payload: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidRecordError, match=reason):
        normalize_model(payload)


def test_non_object_payload_is_refused() -> None:
    with pytest.raises(InvalidRecordError, match="not an object"):
        normalize_model(["Qwen/QwQ-32B-Preview"])


def test_placeholder_created_at_means_unknown() -> None:
    bert = normalize_model(load("bert_base_placeholder_created"))
    assert bert.created_at is None
    assert bert.last_modified == dt.datetime(2024, 2, 19, 11, 6, 12, tzinfo=dt.UTC)
    real = normalize_model({"id": "a/b", "createdAt": "2024-11-27T15:50:55.000Z"})
    assert real.created_at == dt.datetime(2024, 11, 27, 15, 50, 55, tzinfo=dt.UTC)


def test_lineage_from_card_list_and_relation_tags() -> None:
    record = normalize_model(load("qwen2vl_flux_adapter_list_base"))
    assert {(p.external_id, p.relation) for p in record.lineage} == {
        ("black-forest-labs/FLUX.1-dev", "adapter"),
        ("Qwen/Qwen2-VL-7B-Instruct", "adapter"),
    }
    assert not any(t.startswith("base_model:") for t in record.tags)


def test_plain_base_model_defaults_to_finetune_unless_the_card_says_otherwise() -> None:
    plain = normalize_model({"id": "a/b", "tags": ["base_model:org/parent"]})
    assert [(p.external_id, p.relation) for p in plain.lineage] == [("org/parent", "finetune")]
    merged = normalize_model(
        {"id": "a/b", "cardData": {"base_model": "org/parent", "base_model_relation": "merge"}}
    )
    assert [(p.external_id, p.relation) for p in merged.lineage] == [("org/parent", "merge")]


def test_gguf_quantizations_are_format_variants() -> None:
    record = normalize_model(load("qwen2_audio_gguf"))
    (gguf,) = record.formats
    quants = [v["quantization"] for v in gguf.variants]
    assert {"Q4_K_M", "Q8_0", "F16", "Q2_K"} <= set(quants)
    assert len(gguf.variants) == 15
    assert gguf.file_count == 16  # 15 quantized files plus the projector
    assert record.parameters == 7754878976  # from gguf.total


def test_file_sizes_add_up_per_format_and_variant() -> None:
    record = normalize_model(load("detail_with_blobs"))
    (gguf,) = record.formats
    by_quant = {v["quantization"]: v for v in gguf.variants}
    assert by_quant["F16"]["file_count"] == 2
    assert by_quant["F16"]["bytes"] == 16_060_000_000
    assert by_quant["Q4_K_M"]["bytes"] == 4_920_000_000  # from lfs.size
    assert by_quant["Q8_0"]["bytes"] is None  # no size given
    assert gguf.total_bytes is None  # one file without a size: no misleading partial sum
    assert record.extra["redirected_from"] == "quant-lab/Meta-Llama-3.1-8B-GGUF"


def test_format_tags_and_files_both_count() -> None:
    record = normalize_model(load("gpt2_legacy_id_tflite"))
    slugs = [f.slug for f in record.formats]
    assert slugs == ["safetensors", "pytorch", "onnx", "tensorflow", "tflite", "flax"]
    assert "rust" in record.tags  # no canonical format: stays a tag
    assert not {"tf", "jax", "onnx", "tflite", "safetensors"} & set(record.tags)


def test_custom_license_keeps_name_and_link() -> None:
    record = normalize_model(load("flux_dev_gated_custom_license"))
    assert record.license is not None
    assert record.license.slug == "flux-1-dev-non-commercial-license"
    assert record.license.spdx_id is None
    assert record.license.url == (
        "https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md"
    )
    assert record.gated == "auto"


def test_provenance_names_the_hub_field_each_value_came_from() -> None:
    record = normalize_model(
        {
            "id": "org/m",
            "tags": ["license:mit", "text-classification", "en", "dataset:imdb"],
            "cardData": {"base_model": "org/base", "datasets": ["glue"]},
            "gguf": {"total": 100},
        }
    )
    paths = {(s.field, s.source, s.path or s.rule) for s in record.provenance}
    assert paths == {
        ("name", "declared", "id"),
        ("author", "declared", "id"),
        ("url", "curated", "huggingface-model-page"),
        ("license", "declared", "tags[license:mit]"),
        ("tasks", "declared", "tags[text-classification]"),
        ("languages", "declared", "tags[en]"),
        ("datasets", "declared", "cardData.datasets"),
        ("datasets", "declared", "tags[dataset:*]"),
        ("lineage", "declared", "cardData.base_model"),
        ("parameters", "declared", "gguf.total"),
    }  # no downloads, tags or library: the payload has none left


def test_spdx_license_and_languages_from_a_string() -> None:
    record = normalize_model(load("roberta_squad_language_str"))
    assert record.license is not None
    assert (record.license.slug, record.license.spdx_id) == ("cc-by-4.0", "CC-BY-4.0")
    assert record.languages == ("en",)
    assert record.datasets == ("squad_v2",)


def test_unknown_values_stay_as_tags_and_are_listed_as_unmapped() -> None:
    record = normalize_model(load("quirks_unknown_values"))
    assert record.tasks == ()
    assert set(record.unmapped) == {
        "task:text-to-hologram",
        "license:holo-license-1.0",
        "relation:distillation",
    }
    assert {"text-to-hologram", "license:holo-license-1.0", "holo"} <= set(record.tags)
    assert record.license is not None
    assert record.license.url == "https://huggingface.co/lab/hologram-net/blob/main/LICENSE.txt"
    assert [(p.external_id, p.relation) for p in record.lineage] == [("lab/teacher", "finetune")]
    assert "region:eu" not in record.tags
    assert record.languages == ("ml",)  # no card languages: ISO 639-1 tags count
    assert "zz" in record.tags  # not a language code


def test_wrong_types_are_left_out_and_named() -> None:
    record = normalize_model(load("quirks_strings_for_lists"))
    assert record.tasks == ()  # pipeline_tag: ["text-generation"] is not one string
    assert record.library == "transformers"
    assert record.downloads == 12
    assert record.likes is None
    assert record.gated == "auto"
    assert record.created_at is None
    assert record.languages == ("en",)
    assert record.license is not None
    assert record.license.slug == "mit"
    assert {p.external_id for p in record.lineage} == {
        "mistralai/Mistral-7B-v0.1",
        "Qwen/Qwen2.5-7B-Instruct",
    }
    assert {p.relation for p in record.lineage} == {"merge"}
    assert "likes" in record.extra["invalid_fields"]
    assert "cardData.base_model" in record.extra["invalid_fields"]
    assert "pipeline_tag" in record.extra["invalid_fields"]


@pytest.mark.parametrize("value", [["image-classification"], 7, {"task": "image-classification"}])
def test_a_pipeline_tag_that_is_not_a_string_is_dropped_and_named(value: object) -> None:
    record = normalize_model({"id": "org/model", "pipeline_tag": value})
    assert record.tasks == ()
    assert record.modalities == ()
    assert record.extra["invalid_fields"] == ["pipeline_tag"]
    assert "image-classification" not in record.tags
    card = normalize_model(
        {"id": "org/model", "pipeline_tag": value, "cardData": {"pipeline_tag": "fill-mask"}}
    )
    assert card.tasks == ("fill-mask",)  # the card's string still counts
    assert card.extra["invalid_fields"] == ["pipeline_tag"]
    listed_in_card = normalize_model({"id": "org/model", "cardData": {"pipeline_tag": value}})
    assert listed_in_card.tasks == ()
    assert listed_in_card.extra["invalid_fields"] == ["cardData.pipeline_tag"]


def test_text_is_made_safe_for_postgres() -> None:
    record = normalize_model(load("quirks_unknown_values"))
    validate_record(record)
    assert "nultag" in record.tags
    assert all("\x00" not in t for t in record.tags)


def test_summary_is_short_and_description_kept() -> None:
    record = normalize_model(load("detail_with_blobs"))
    assert record.summary is not None
    assert record.summary.startswith("Quantized builds")
    assert "Second paragraph" not in record.summary
    assert record.description is not None
    assert "Second paragraph" in record.description
    huge = normalize_model({"id": "a/b", "cardData": {"description": "word " * 300_000}})
    validate_record(huge)
    assert huge.summary is not None
    assert len(huge.summary) <= 300


@pytest.mark.parametrize(
    ("name", "quant"),
    [
        ("Qwen2-7B-LLM-Q4_K_M.gguf", "Q4_K_M"),
        ("qwq-32b-preview-q8_0.gguf", "Q8_0"),
        ("model.IQ2_XS.gguf", "IQ2_XS"),
        ("Llama-3-8B-f16-00001-of-00002.gguf", "F16"),
        ("gemma-2-9b-it-bf16.gguf", "BF16"),
        ("phi-3-Q4_0_4_4.gguf", "Q4_0_4_4"),
        ("DeepSeek-UD-IQ1_S.gguf", "IQ1_S"),
        ("model-fp16.gguf", "F16"),
        ("mmproj-model.gguf", None),
        ("qwen2-audio-projector.gguf", None),
    ],
)
def test_gguf_quantization_names(name: str, quant: str | None) -> None:
    assert gguf_quantization(name) == quant


@pytest.mark.parametrize(
    ("path", "formats"),
    [
        ("model-00001-of-00017.safetensors", ("safetensors",)),
        ("unet/diffusion_pytorch_model.bin", ("pytorch",)),
        ("adapter_model.bin", ("pytorch",)),
        ("training_args.bin", ()),
        ("openvino/openvino_model.bin", ("openvino",)),
        ("tf_model.h5", ("tensorflow",)),
        ("coreml/model.mlpackage/Data/weights/weight.bin", ("coreml",)),
        ("config.json", ()),
        ("onnx/decoder_model_merged.onnx_data", ()),
    ],
)
def test_file_formats(path: str, formats: tuple[str, ...]) -> None:
    assert file_formats(path) == formats


def test_every_generated_payload_normalizes() -> None:
    for payload in generate_models(300, seed=7):
        record = normalize_model(payload)
        validate_record(record)  # raises InvalidRecordError on a bad record
        assert record.external_id == payload["id"]


# -- any JSON object: a valid record or InvalidRecordError, never another exception ------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
_KEYS = [
    "id",
    "modelId",
    "author",
    "tags",
    "pipeline_tag",
    "library_name",
    "cardData",
    "siblings",
    "safetensors",
    "gguf",
    "gated",
    "downloads",
    "downloadsAllTime",
    "likes",
    "trendingScore",
    "createdAt",
    "lastModified",
    "config",
    "transformersInfo",
    "spaces",
    "usedStorage",
    "description",
    "private",
]
_CARD_KEYS = ["license", "license_name", "license_link", "language", "datasets", "base_model"]
_card = st.fixed_dictionaries({}, optional={k: _json | st.text() for k in _CARD_KEYS})
_payload = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(_KEYS, _json),
        "id": st.text() | _json,
        "cardData": _card | _json,
        "tags": st.lists(st.text(max_size=30), max_size=8) | _json,
        "siblings": st.lists(
            st.fixed_dictionaries({"rfilename": st.text()}, optional={"size": _json}),
            max_size=5,
        )
        | _json,
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_payload | _json)
def test_any_json_yields_a_valid_record_or_invalid_record_error(payload: Any) -> None:
    try:
        record = normalize_model(payload)
    except InvalidRecordError:
        return
    validate_record(record)  # raises InvalidRecordError on a bad record
    assert record.platform == "huggingface"
    assert record.external_id.strip()
    json.dumps(dict(record.extra))  # extra stays JSON-serializable
