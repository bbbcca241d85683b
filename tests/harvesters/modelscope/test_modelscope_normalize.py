"""ModelScope normalization: golden records, alias tables, names, lineage, schema variants."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import vocab
from catalog.records import FormatRecord, InvalidRecordError, LineageRef, NormalizedModel
from harvesters import terms
from harvesters.modelscope import aliases
from harvesters.modelscope.parse import model_id, normalize_model

from .conftest import NAMELESS, fixture_models
from .fake_modelscope import listing_item

GOLDEN = Path(__file__).parent / "golden" / "records.json"


def as_json(record: NormalizedModel) -> dict[str, Any]:
    """A record as plain JSON (tuples become lists), for golden comparison."""
    result: dict[str, Any] = json.loads(
        json.dumps(dataclasses.asdict(record), default=str, sort_keys=True, ensure_ascii=False)
    )
    return result


def payload(model: dict[str, Any], *, detail: bool = True) -> dict[str, Any]:
    """What the harvester lands for a model: the listing item and (usually) its detail."""
    return {"listing": listing_item(model), "detail": model if detail else None}


def records() -> dict[str, NormalizedModel]:
    found = {}
    for model in fixture_models():
        if model is not NAMELESS:
            record = normalize_model(payload(model))
            found[record.external_id] = record
    return found


def test_fixture_models_normalize_to_the_golden_records() -> None:
    actual = {ref: as_json(r) for ref, r in records().items()}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    assert actual == json.loads(GOLDEN.read_text())


def test_english_name_is_the_name_and_the_chinese_name_leads_the_summary() -> None:
    record = records()["merjic/majicbeauty-qwen1"]
    assert record.name == "majicbeauty-qwen1"
    assert record.summary is not None
    assert record.summary.startswith("麦橘千问美人: ")
    assert record.extra["chinese_name"] == "麦橘千问美人"
    f2p = records()["DiffSynth-Studio/Qwen-Image-Edit-F2P"]
    assert f2p.summary == "Qwen-Image-Edit-F2P 人脸生成图像"  # no description: the name alone


def test_a_chinese_name_equal_to_the_name_is_not_repeated() -> None:
    model = {"Path": "o", "Name": "Same", "ChineseName": "same", "Description": "Words."}
    record = normalize_model({"detail": model})
    assert record.summary == "Words."
    assert "chinese_name" not in record.extra


def test_listing_and_detail_fields_land_where_they_belong() -> None:
    record = records()["Qwen/Qwen2.5-7B-Instruct"]
    assert record.author == "Qwen"
    assert record.author_name == "通义千问"
    assert record.url == "https://modelscope.cn/models/Qwen/Qwen2.5-7B-Instruct"
    assert record.tasks == ("text-generation",)
    assert record.modalities == ("language",)
    assert record.library == "transformers"
    assert record.languages == ("en", "zh")
    assert record.parameters == 7615616512
    assert record.formats == (
        FormatRecord("safetensors", ({"tensor_types": ["BF16"]},), 4, 15229000000),
    )
    # The hub's download counter is cumulative, not a 30-day figure.
    assert (record.downloads, record.downloads_all_time, record.likes) == (None, 1250000, 820)
    assert record.created_at is not None
    assert record.created_at.isoformat() == "2024-09-18T10:00:00+00:00"
    assert record.last_modified is not None
    assert record.last_modified.isoformat() == "2025-01-12T00:30:00+00:00"
    assert record.extra["architectures"] == ["Qwen2ForCausalLM"]
    assert record.extra["model_type"] == "qwen2"


def test_unix_seconds_and_zero_time_sentinels() -> None:
    f2p = records()["DiffSynth-Studio/Qwen-Image-Edit-F2P"]
    assert f2p.created_at is not None
    assert f2p.created_at.isoformat() == "2025-10-16T02:50:23+00:00"
    sentinel = records()["fixture-user/custom-license-model"]
    assert (sentinel.created_at, sentinel.last_modified) == (None, None)


def test_base_models_become_lineage_with_their_relation() -> None:
    found = records()
    assert found["DiffSynth-Studio/Qwen-Image-Edit-F2P"].lineage == (
        LineageRef("modelscope", "Qwen/Qwen-Image-Edit", "adapter"),
    )
    assert found["merjic/majicbeauty-qwen1"].lineage == (  # `@v1`: a revision, not the id
        LineageRef("modelscope", "MusePublic/Qwen-image", "adapter"),
    )
    assert found["Qwen/Qwen2.5-7B-Instruct-GGUF"].lineage == (
        LineageRef("modelscope", "Qwen/Qwen2.5-7B-Instruct", "quantized"),
    )
    assert found["fixture-user/custom-license-model"].lineage == (
        LineageRef("huggingface", "Qwen/Qwen-7B-Chat", "finetune"),  # "fine-tune", an HF URL
    )


def test_a_stated_hugging_face_original_becomes_cross_hub_lineage() -> None:
    found = records()
    bert = found["AI-ModelScope/bert-base-uncased"]
    assert bert.lineage == (LineageRef("huggingface", "google-bert/bert-base-uncased", "finetune"),)
    assert bert.extra["mirror_of"] == "huggingface:google-bert/bert-base-uncased"
    qwen = found["Qwen/Qwen2.5-7B-Instruct"]
    assert qwen.lineage == (LineageRef("huggingface", "Qwen/Qwen2.5-7B-Instruct", "finetune"),)
    lora = found["AI-ModelScope/next-scene-qwen-image-lora-2509"]
    assert LineageRef("huggingface", "lovis93/next-scene-qwen-image-lora-2509", "finetune") in (
        lora.lineage
    )


def test_a_link_to_another_hugging_face_model_is_not_a_mirror() -> None:
    model = {
        "Path": "me",
        "Name": "my-model",
        "Description": "Compare with https://huggingface.co/google-bert/bert-base-uncased.",
    }
    record = normalize_model({"detail": model})
    assert record.lineage == ()
    assert "mirror_of" not in record.extra


def test_unmapped_tasks_libraries_and_licenses_stay_tags_and_are_counted() -> None:
    found = records()
    damo = found["damo/nlp_structbert_word-segmentation_chinese-base"]
    assert damo.tasks == ("token-classification",)
    assert "sudoku" in damo.tags
    assert damo.unmapped == ("task:sudoku",)
    custom = found["fixture-user/custom-license-model"]
    assert custom.license is not None
    assert (custom.license.slug, custom.license.name) == (
        "tongyi qianwen license agreement",
        "Tongyi Qianwen LICENSE AGREEMENT",
    )
    assert custom.unmapped == ("license:Tongyi Qianwen LICENSE AGREEMENT",)
    odd = normalize_model({"detail": {"Path": "o", "Name": "n", "Libraries": ["fancylib"]}})
    assert odd.tags == ("library:fancylib",)
    assert odd.unmapped == ("library:fancylib",)


def test_pytorch_is_a_format_only_when_nothing_else_says_what_the_weights_are() -> None:
    asr = records()["iic/speech_paraformer-large_asr_nat-zh-cn-16k-common-vocab8404-pytorch"]
    assert [f.slug for f in asr.formats] == ["pytorch"]
    assert any(p.rule == "pytorch-framework-without-weight-format" for p in asr.provenance)
    bert = records()["AI-ModelScope/bert-base-uncased"]
    assert [f.slug for f in bert.formats] == ["safetensors", "onnx", "tensorflow"]


def test_listing_only_payloads_still_make_a_record() -> None:
    model = next(m for m in fixture_models() if m.get("Name") == "Qwen2.5-7B-Instruct")
    record = normalize_model(payload(model, detail=False))
    assert record.name == "Qwen2.5-7B-Instruct"
    assert record.summary is not None
    assert record.summary.startswith("通义千问2.5-7B-Instruct: ")  # display_name
    assert record.tasks == ("text-generation",)
    assert record.downloads_all_time == 1250000
    assert record.license is not None
    assert record.license.slug == "apache-2.0"
    assert record.formats == ()  # frameworks are in the detail only


def test_every_field_with_a_value_says_where_it_came_from() -> None:
    skipped = {"platform", "external_id", "unmapped", "extra", "provenance"}
    for record in records().values():
        described = {p.field for p in record.provenance}
        for field in dataclasses.fields(record):
            value = getattr(record, field.name)
            if field.name not in skipped and value not in (None, (), ""):
                assert field.name in described, (record.external_id, field.name)


@pytest.mark.parametrize(("value", "slugs"), sorted(aliases.MODELSCOPE_TASKS.items()))
def test_task_table_maps_onto_canonical_tasks(value: str, slugs: tuple[str, ...]) -> None:
    assert value == terms.term_key(value)
    assert all(s in vocab.TASK_MODALITY for s in slugs)


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ("text-to-image-synthesis", ("text-to-image",)),
        ("auto-speech-recognition", ("automatic-speech-recognition",)),
        ("chat", ("text-generation",)),
        ("word-segmentation", ("token-classification",)),
        ("sentence-embedding", ("sentence-similarity",)),
        ("image-to-video", ("image-to-video",)),
        ("image-super-resolution", ("image-to-image",)),
        ("backbone", ()),
    ],
)
def test_modelscope_task_names(task: str, expected: tuple[str, ...]) -> None:
    assert aliases.MODELSCOPE_TASKS[task] == expected


@pytest.mark.parametrize(("value", "entry"), sorted(aliases.MODELSCOPE_LIBRARIES.items()))
def test_library_table_maps_onto_canonical_formats_and_libraries(
    value: str, entry: tuple[tuple[str, ...], str | None]
) -> None:
    formats, library = entry
    assert value == terms.term_key(value)
    assert all(f in vocab.FORMAT_SLUGS for f in formats)
    assert library is None or library in vocab.LIBRARIES


def test_license_relation_and_language_tables_are_canonical() -> None:
    assert all(s in vocab.LICENSE_BY_SLUG for s in aliases.MODELSCOPE_LICENSES.values())
    assert set(aliases.MODELSCOPE_RELATIONS.values()) <= {
        "finetune",
        "adapter",
        "quantized",
        "merge",
    }
    assert all(s in vocab.MODALITIES for v in aliases.MODELSCOPE_DOMAINS.values() for s in v)
    assert set(aliases.LIBRARY_PRIORITY) <= set(vocab.LIBRARIES)


@pytest.mark.parametrize(
    "broken",
    [[], "text", None, {}, {"listing": None, "detail": None}, {"detail": {"Path": "o"}}, NAMELESS],
)
def test_payloads_without_a_model_id_are_a_clear_record_error(broken: object) -> None:
    with pytest.raises(InvalidRecordError, match="ModelScope"):
        normalize_model(broken if broken is not NAMELESS else {"detail": NAMELESS})


def test_model_id_prefers_the_listing_id() -> None:
    assert model_id({"listing": {"id": "a/b"}, "detail": {"Path": "c", "Name": "d"}}) == "a/b"
    assert model_id({"detail": {"Path": "c", "Name": "d"}}) == "c/d"
    assert model_id({"listing": {"id": "no-slash"}}) is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["Path", "Name", "ChineseName", "Description", "ReadMeContent", "License", "Downloads",
     "Stars", "CreatedTime", "LastUpdatedTime", "Tasks", "Frameworks", "Libraries", "Tags",
     "OfficialTags", "Language", "BaseModel", "BaseModelRelation", "Organization", "ModelInfos",
     "ModelType", "Architectures", "AigcType", "Visibility", "id", "display_name", "tasks",
     "tags", "likes", "downloads", "created_at", "last_modified", "license"]
)  # fmt: skip
DTO = st.dictionaries(KEYS, JSON, max_size=12)


@given(st.fixed_dictionaries({}, optional={"listing": DTO | JSON, "detail": DTO | JSON}) | JSON)
def test_any_json_is_a_record_or_a_clear_record_error(value: object) -> None:
    try:
        record = normalize_model(value)
    except InvalidRecordError as exc:
        reason = str(exc)
        assert reason, "a quarantine reason must say something"
        return
    assert record.platform == "modelscope"
    assert record.external_id.count("/") == 1
    json.dumps(dataclasses.asdict(record), default=str)
