"""TF Hub normalization: golden records, alias tables value by value, deployments, licenses."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog import vocab
from catalog.records import InvalidRecordError, NormalizedModel
from harvesters import terms
from harvesters.sources import read_files
from harvesters.tfhub import aliases
from harvesters.tfhub.docs import group_docs, parse_doc
from harvesters.tfhub.harvester import parse_docs
from harvesters.tfhub.parse import map_tasks, normalize_model, quantization_of

from .conftest import REPO

GOLDEN = Path(__file__).parent / "golden" / "records.json"


def as_json(record: NormalizedModel) -> dict[str, Any]:
    """A record as plain JSON (tuples become lists), for golden comparison."""
    result: dict[str, Any] = json.loads(
        json.dumps(dataclasses.asdict(record), default=str, sort_keys=True)
    )
    return result


def fixture_records() -> dict[str, NormalizedModel]:
    found = read_files(REPO, what="fixture", setting="-", suffixes=(".md",))
    docs, problems = parse_docs(found.files)
    payloads, group_problems = group_docs(docs)
    assert problems == group_problems == []
    return {p["handle"]: normalize_model(p) for p in payloads}


def test_fixture_docs_normalize_to_the_golden_records() -> None:
    actual = {handle: as_json(r) for handle, r in fixture_records().items()}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
    assert actual == json.loads(GOLDEN.read_text())


def test_versions_and_deployments_fold_into_one_model() -> None:
    record = fixture_records()["google/imagenet/mobilenet_v2_100_224/classification"]
    assert record.name == "imagenet/mobilenet_v2_100_224/classification"
    assert [v.version for v in record.versions] == ["1", "5"]
    assert record.url == "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/5"
    formats = {f.slug: f for f in record.formats}
    assert list(formats) == ["tensorflow", "tflite", "tfjs"]
    assert [v["format"] for v in formats["tensorflow"].variants] == ["hub", "saved_model_2"]
    lite = {v["variant"]: v for v in formats["tflite"].variants}
    assert lite["fp16"]["quantization"] == "float16"
    assert "quantization" not in lite["metadata"]
    assert formats["tfjs"].variants[0]["parent_version"] == "3"
    assert record.extra["fine_tunable"] is True
    assert record.author_name == "Google"
    assert "collection:google/image-classifiers" in record.tags


def test_placeholder_with_lite_and_coral_deployments() -> None:
    record = fixture_records()["tensorflow/mobilenet_v1_0.25_224"]
    assert record.extra["placeholder"] is True
    assert record.tasks == ("image-classification",)
    (tflite,) = record.formats
    assert tflite.slug == "tflite"
    by_type = {v["type"]: v for v in tflite.variants}
    assert by_type["Coral"]["accelerator"] == "edgetpu"
    assert "accelerator" not in by_type["Lite"]
    assert record.author_name == "TensorFlow"


def test_deployments_without_parent_doc_still_make_a_model() -> None:
    record = fixture_records()["tensorflow/deeplab/pascal"]
    assert record.extra["deployments_only"] is True
    assert record.versions == ()
    (tfjs,) = record.formats
    assert tfjs.variants[0]["quantization"] == "2-byte"
    assert record.library == "tensorflowjs"


def test_older_module_type_is_read_like_task() -> None:
    docs = [
        parse_doc("1.md", "# Module google/elmo/1\nOld.\n<!-- module-type: text-embedding -->\n")
    ]
    record = normalize_model(group_docs(docs)[0][0])
    assert record.tasks == ("sentence-similarity",)


@pytest.mark.parametrize(
    ("values", "slug", "assumed", "unmapped"),
    [
        ([], "apache-2.0", True, ()),
        (["mit"], "mit", False, ()),
        (["apache-2.0"], "apache-2.0", False, ()),
        (["custom"], "other", False, ()),
        (["cc-by-nc-4.0"], "cc-by-nc-4.0", False, ()),
        (["Fixture Licence 1"], "fixture licence 1", False, ("license:Fixture Licence 1",)),
    ],
)
def test_license_values(
    values: list[str], slug: str, assumed: bool, unmapped: tuple[str, ...]
) -> None:
    meta = "".join(f"<!-- license: {v} -->\n" for v in values)
    docs = [parse_doc("1.md", f"# Module a/b/1\nS.\n<!-- format: saved_model_2 -->\n{meta}")]
    record = normalize_model(group_docs(docs)[0][0])
    assert record.license is not None
    assert record.license.slug == slug
    assert record.extra.get("license_assumed", False) is assumed
    assert record.unmapped == unmapped


# (task id, canonical tasks, extra modalities) written out literally: a changed table fails here.
TASKS = [
    ("audio-command-detection", ("audio-classification",), ()),
    ("audio-event-classification", ("audio-classification",), ()),
    ("audio-paralinguistics", ("audio-classification",), ()),
    ("audio-speech-synthesis", ("text-to-speech",), ()),
    ("audio-stt", ("automatic-speech-recognition",), ()),
    ("image-augmentation", ("image-to-image",), ()),
    ("image-classification", ("image-classification",), ()),
    ("image-classification-logits", ("image-classification",), ()),
    ("image-classifier", ("image-classification",), ()),
    ("image-deblurring", ("image-to-image",), ()),
    ("image-dehazing", ("image-to-image",), ()),
    ("image-denoising", ("image-to-image",), ()),
    ("image-depth-estimation", ("depth-estimation",), ()),
    ("image-deraining", ("image-to-image",), ()),
    ("image-enhancement", ("image-to-image",), ()),
    ("image-extrapolation", ("image-to-image",), ()),
    ("image-feature-vector", ("image-feature-extraction",), ()),
    ("image-generator", ("unconditional-image-generation",), ()),
    ("image-object-detection", ("object-detection",), ()),
    ("image-pose-detection", ("keypoint-detection",), ()),
    ("image-rnn-agent", ("reinforcement-learning",), ("vision",)),
    ("image-segmentation", ("image-segmentation",), ()),
    ("image-style-transfer", ("image-to-image",), ()),
    ("image-super-resolution", ("image-to-image",), ()),
    ("image-text-detection", ("object-detection",), ()),
    ("image-text-recognition", ("image-to-text",), ()),
    ("text-classification", ("text-classification",), ()),
    ("text-embedding", ("sentence-similarity",), ()),
    ("text-generation", ("text-generation",), ()),
    ("text-language-model", ("text-generation",), ()),
    ("text-question-answering", ("question-answering",), ()),
    ("text-retrieval-question-answering", ("text-retrieval",), ()),
    ("text-segmentation", ("token-classification",), ()),
    ("text-to-mel", ("text-to-speech",), ("language",)),
    ("video-classification", ("video-classification",), ()),
]
UNMAPPED_TASKS = [
    ("audio-embedding", ("audio",)),
    ("audio-pitch-extraction", ("audio",)),
    ("image-aesthetic-quality", ("vision",)),
    ("image-others", ("vision",)),
    ("text-preprocessing", ("language",)),
    ("text-sequence-alignment", ("language",)),
    ("video-generation", ("vision",)),
    ("video-text", ("multimodal",)),
    ("video-audio-text", ("multimodal",)),
    ("brand-new-thing", ()),
]


@pytest.mark.parametrize(("value", "tasks", "modalities"), TASKS)
def test_task_table(value: str, tasks: tuple[str, ...], modalities: tuple[str, ...]) -> None:
    assert map_tasks([value]) == (tasks, modalities, ())


@pytest.mark.parametrize(("value", "modalities"), UNMAPPED_TASKS)
def test_unmapped_tasks_keep_their_domain_and_are_reported(
    value: str, modalities: tuple[str, ...]
) -> None:
    assert map_tasks([value]) == ((), modalities, (f"task:{value}",))


def test_every_task_entry_is_tested_and_canonical() -> None:
    assert {t for t, _, _ in TASKS} == set(aliases.TFHUB_TASKS)
    for tasks in aliases.TFHUB_TASKS.values():
        assert set(tasks) <= set(vocab.TASK_MODALITY)


@pytest.mark.parametrize(
    ("value", "formats"),
    [
        ("saved_model_2", ("tensorflow",)),
        ("saved_model", ("tensorflow",)),
        ("hub", ("tensorflow",)),
        ("tf1", ("tensorflow",)),
        ("tflite", ("tflite",)),
        ("lite", ("tflite",)),
        ("tfjs", ("tfjs",)),
        ("keras", ("keras",)),
    ],
)
def test_format_table(value: str, formats: tuple[str, ...]) -> None:
    assert terms.map_terms([value], aliases.TFHUB_FORMATS).targets == formats
    docs = [parse_doc("1.md", f"# Module a/b/1\nS.\n<!-- format: {value} -->\n")]
    assert tuple(f.slug for f in normalize_model(group_docs(docs)[0][0]).formats) == formats


def test_unknown_format_is_reported() -> None:
    docs = [parse_doc("1.md", "# Module a/b/1\nS.\n<!-- format: mystery_format -->\n")]
    record = normalize_model(group_docs(docs)[0][0])
    assert record.formats == ()
    assert record.unmapped == ("format:mystery_format",)


@pytest.mark.parametrize(
    ("doc_type", "slug", "detail"),
    [("Lite", "tflite", {}), ("Tfjs", "tfjs", {}), ("Coral", "tflite", {"accelerator": "edgetpu"})],
)
def test_deployment_table(doc_type: str, slug: str, detail: dict[str, str]) -> None:
    assert aliases.TFHUB_DEPLOYMENTS[doc_type] == (slug, detail)


@pytest.mark.parametrize(
    ("variant", "handle", "expected"),
    [
        ("fp16", "a/b/1/fp16/1", "float16"),
        ("float16", "a/b/1/float16/1", "float16"),
        ("int8", "a/b/1/int8/1", "int8"),
        ("uint8", "a/b/1/uint8/1", "uint8"),
        ("dr", "a/b/1/dr/1", "dynamic-range"),
        ("quantized/1", "a/b/1/quantized/1/1", "1-byte"),
        ("quantized/2", "a/b/1/quantized/2/1", "2-byte"),
        ("default", "t/mobilenet_v1_0.25_224_quantized/1/default/1", "quantized"),
        ("metadata", "t/mobilenet_v1_0.25_224/1/metadata/1", None),
        ("", "t/model/1", None),
    ],
)
def test_quantization_from_handles(variant: str, handle: str, expected: str | None) -> None:
    assert quantization_of(variant, handle) == expected


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"handle": "nohandle", "docs": []},
        {"handle": "a/b", "docs": []},
        {"handle": "a/b", "docs": [{"type": "Collection", "handle": "a/c/1"}]},
    ],
)
def test_payloads_without_model_docs_are_invalid(payload: dict[str, Any]) -> None:
    with pytest.raises(InvalidRecordError, match="TF Hub"):
        normalize_model(payload)


doc_strategy = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Module", "Placeholder", "Lite", "Tfjs", "Coral", "Other"]),
        "handle": st.text(max_size=20),
    },
    optional={
        "metadata": st.dictionaries(
            st.sampled_from(["task", "format", "license", "parent-model", "language", "x"]),
            st.lists(st.text(max_size=12) | st.integers(), max_size=3) | st.none(),
        )
        | st.integers(),
        "summary": st.text(max_size=10) | st.none(),
        "body": st.text(max_size=10) | st.integers(),
    },
)


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {"handle": st.text(max_size=20) | st.none(), "docs": st.lists(doc_strategy, max_size=4)},
        optional={"publisher": st.none() | st.dictionaries(st.just("name"), st.text(max_size=5))},
    )
)
def test_any_payload_gives_a_record_or_a_clear_error(payload: dict[str, Any]) -> None:
    try:
        record = normalize_model(payload)
    except InvalidRecordError as exc:
        reason = str(exc)
        assert reason, "a quarantine reason must say something"
        return
    assert record.external_id == payload["handle"]
    json.dumps(dataclasses.asdict(record))
