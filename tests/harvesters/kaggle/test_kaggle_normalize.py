"""Kaggle normalization: golden records, framework/task/license tables value by value, lineage."""

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
from catalog.records import InvalidRecordError, LineageRef, NormalizedModel
from harvesters import terms
from harvesters.kaggle import aliases
from harvesters.kaggle.parse import huggingface_model_id, normalize_model, tfhub_handles

from .conftest import fixture_models

GOLDEN = Path(__file__).parent / "golden" / "records.json"


def as_json(record: NormalizedModel) -> dict[str, Any]:
    """A record as plain JSON (tuples become lists), for golden comparison."""
    result: dict[str, Any] = json.loads(
        json.dumps(dataclasses.asdict(record), default=str, sort_keys=True)
    )
    return result


def by_ref() -> dict[str, NormalizedModel]:
    return {m["ref"]: normalize_model(m) for m in fixture_models()}


def one(**instance: Any) -> dict[str, Any]:
    """A minimal model with one instance."""
    return {"ref": "owner/model", "title": "Model", "instances": [instance]}


def test_fixture_models_normalize_to_the_golden_records() -> None:
    actual = {ref: as_json(r) for ref, r in by_ref().items()}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
    assert actual == json.loads(GOLDEN.read_text())


def test_instances_become_formats_with_license_and_fine_tunable_kept() -> None:
    record = by_ref()["google/mobilenet-v2"]
    formats = {f.slug: f for f in record.formats}
    assert list(formats) == ["tensorflow", "tflite", "tfjs"]
    coral = next(v for v in formats["tflite"].variants if v["framework"].endswith("CORAL"))
    assert coral["accelerator"] == "edgetpu"
    assert {v["license"] for f in record.formats for v in f.variants} == {"Apache 2.0"}
    assert all(v["fine_tunable"] is False for f in record.formats for v in f.variants)
    assert record.extra["fine_tunable"] is False
    assert record.license is not None
    assert record.license.slug == "apache-2.0"
    assert record.url == "https://www.kaggle.com/models/google/mobilenet-v2"
    assert record.author == "google"
    assert record.author_name == "Google"
    assert [v.version for v in record.versions][:1] == ["tensorflow2/100-224-classification/2"]


def test_models_from_tf_hub_keep_their_tfhub_handles() -> None:
    records = by_ref()
    assert records["google/mobilenet-v2"].extra["tfhub_handles"] == [
        "google/imagenet/mobilenet_v2_100_224/classification"
    ]
    assert records["tensorflow/efficientnet"].extra["tfhub_handles"] == [
        "tensorflow/efficientnet/b0/classification",
        "tensorflow/efficientnet/b0/feature-vector",
    ]
    assert "tfhub_handles" not in records["google/gemma"].extra


def test_base_model_links_become_lineage() -> None:
    records = by_ref()
    assert records["fixture-user/gemma-2b-sql"].lineage == (
        LineageRef("kaggle", "google/gemma", "finetune"),
        LineageRef("huggingface", "google/gemma-2b", "finetune"),
    )
    assert records["fixture-user/llama-3-8b-gguf"].lineage == (
        LineageRef("huggingface", "meta-llama/Meta-Llama-3-8B", "quantized"),
    )
    bird = records["google/bird-vocalization-classifier"]
    assert bird.lineage == ()
    assert bird.extra["external_base_models"] == ["https://github.com/google-research/perch"]


@pytest.mark.parametrize(
    ("instance", "relation"),
    [
        ({"framework": "MODEL_FRAMEWORK_GGUF", "slug": "q8"}, "quantized"),
        ({"framework": "MODEL_FRAMEWORK_PY_TORCH", "slug": "2b-int8"}, "quantized"),
        ({"framework": "MODEL_FRAMEWORK_TRANSFORMERS", "slug": "7b-awq"}, "quantized"),
        ({"framework": "MODEL_FRAMEWORK_PY_TORCH", "slug": "2b-it"}, "finetune"),
        ({"framework": "MODEL_FRAMEWORK_KERAS", "slug": "point-2"}, "finetune"),
    ],
)
def test_lineage_relation(instance: dict[str, Any], relation: str) -> None:
    base = {"owner": {"slug": "google"}, "modelSlug": "gemma", "instanceSlug": "2b"}
    record = normalize_model(one(**instance, baseModelInstanceInformation=base))
    assert record.lineage == (LineageRef("kaggle", "google/gemma", relation),)


def test_variation_of_the_same_model_is_not_its_own_parent() -> None:
    base = {"owner": {"slug": "owner"}, "modelSlug": "model", "instanceSlug": "base"}
    record = normalize_model(
        one(framework="MODEL_FRAMEWORK_KERAS", baseModelInstanceInformation=base)
    )
    assert record.lineage == ()


@pytest.mark.parametrize(
    ("url", "model_id"),
    [
        ("https://huggingface.co/google/gemma-2b", "google/gemma-2b"),
        (
            "https://huggingface.co/meta-llama/Meta-Llama-3-8B/tree/main",
            "meta-llama/Meta-Llama-3-8B",
        ),
        ("https://hf.co/openai-community/gpt2/blob/main/config.json", "openai-community/gpt2"),
        ("http://huggingface.co/gpt2", "gpt2"),
        ("https://huggingface.co/gpt2/tree/main", "gpt2"),
        ("https://huggingface.co/datasets/squad", None),
        ("https://huggingface.co/spaces/org/demo", None),
        ("https://huggingface.co/", None),
        ("https://github.com/google-research/perch", None),
        ("huggingface.co/google/gemma-2b", None),
        ("", None),
        (None, None),
    ],
)
def test_huggingface_urls(url: object, model_id: str | None) -> None:
    assert huggingface_model_id(url) == model_id


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("see https://tfhub.dev/google/elmo/3", ["google/elmo"]),
        (
            "(https://tfhub.dev/google/imagenet/resnet_v2_50/feature_vector/5).",
            ["google/imagenet/resnet_v2_50/feature_vector"],
        ),
        (
            "https://tfhub.dev/google/lite-model/yamnet/classification/tflite/1",
            ["google/yamnet/classification/tflite"],
        ),
        (
            "https://tfhub.dev/tensorflow/efficientnet/b0/classification/1.",
            ["tensorflow/efficientnet/b0/classification"],
        ),
        ("https://tfhub.dev/google/collections/bert/1", []),
        ("https://www.kaggle.com/models/google/elmo", []),
    ],
)
def test_tfhub_links(text: str, handles: list[str]) -> None:
    assert tfhub_handles({"description": text}, []) == handles


# (framework as sent, formats, variant detail) written out literally; a changed entry fails here.
FRAMEWORKS = [
    ("MODEL_FRAMEWORK_TENSOR_FLOW_1", ("tensorflow",), {}),
    ("MODEL_FRAMEWORK_TENSOR_FLOW_2", ("tensorflow",), {}),
    ("MODEL_FRAMEWORK_TF_LITE", ("tflite",), {}),
    ("MODEL_FRAMEWORK_TF_JS", ("tfjs",), {}),
    ("MODEL_FRAMEWORK_PY_TORCH", ("pytorch",), {}),
    ("MODEL_FRAMEWORK_JAX", ("flax",), {}),
    ("MODEL_FRAMEWORK_FLAX", ("flax",), {}),
    ("MODEL_FRAMEWORK_KERAS", ("keras",), {}),
    ("MODEL_FRAMEWORK_GGUF", ("gguf",), {}),
    ("MODEL_FRAMEWORK_ONNX", ("onnx",), {}),
    ("MODEL_FRAMEWORK_CORAL", ("tflite",), {"accelerator": "edgetpu"}),
]
NO_FORMAT = [
    "MODEL_FRAMEWORK_UNSPECIFIED",
    "MODEL_FRAMEWORK_PAX",
    "MODEL_FRAMEWORK_MAX_TEXT",
    "MODEL_FRAMEWORK_GEMMA_CPP",
    "MODEL_FRAMEWORK_GGML",
    "MODEL_FRAMEWORK_SCIKIT_LEARN",
    "MODEL_FRAMEWORK_MXNET",
    "MODEL_FRAMEWORK_API",
    "MODEL_FRAMEWORK_OTHER",
    "MODEL_FRAMEWORK_TENSOR_RT_LLM",
    "MODEL_FRAMEWORK_TRITON",
    "MODEL_FRAMEWORK_VLLM",
    "MODEL_FRAMEWORK_SOMETHING_NEW",
    "",
]


@pytest.mark.parametrize(("framework", "formats", "detail"), FRAMEWORKS)
def test_framework_table(framework: str, formats: tuple[str, ...], detail: dict[str, str]) -> None:
    record = normalize_model(one(framework=framework, slug="v"))
    assert tuple(f.slug for f in record.formats) == formats
    assert record.unmapped == ()
    variant = record.formats[0].variants[0]
    assert {k: variant[k] for k in detail} == detail


def test_every_framework_entry_is_tested_and_canonical() -> None:
    tested = {aliases.kaggle_framework_key(f) for f, _, _ in FRAMEWORKS}
    assert tested == set(aliases.KAGGLE_FRAMEWORKS)
    for formats in aliases.KAGGLE_FRAMEWORKS.values():
        assert set(formats) <= vocab.FORMAT_SLUGS


@pytest.mark.parametrize("framework", NO_FORMAT)
def test_frameworks_without_format_are_tags_and_unmapped(framework: str) -> None:
    record = normalize_model(one(framework=framework, slug="v"))
    assert record.formats == ()
    assert record.unmapped == (f"framework:{framework or 'unspecified'}",)
    assert any(t.startswith("framework:") for t in record.tags)


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("MODEL_FRAMEWORK_TENSOR_FLOW_2", "tensorflow2"),
        ("tensorFlow2", "tensorflow2"),
        ("TensorFlow 2", "tensorflow2"),
        ("tfLite", "tflite"),
        ("PyTorch", "pytorch"),
        ("Jax", "jax"),
        (2, "tensorflow2"),
        (21, "gguf"),
        (99, "unknown-99"),
        (None, ""),
        (True, ""),
    ],
)
def test_framework_spellings(spelling: object, key: str) -> None:
    assert aliases.kaggle_framework_key(spelling) == key


@pytest.mark.parametrize(
    ("files", "formats"),
    [
        ([{"name": "model-00001-of-00002.safetensors"}, {"name": "config.json"}], ("safetensors",)),
        ([{"name": "pytorch_model.bin"}], ("pytorch",)),
        (["model.safetensors", "pytorch_model.bin"], ("safetensors", "pytorch")),
        ([{"name": "tokenizer.json"}], ()),
        (None, ()),
    ],
)
def test_transformers_format_comes_from_files(files: object, formats: tuple[str, ...]) -> None:
    record = normalize_model(one(framework="MODEL_FRAMEWORK_TRANSFORMERS", slug="v", files=files))
    assert tuple(f.slug for f in record.formats) == formats
    assert record.unmapped == ()
    assert record.library == "transformers"
    assert ("framework:transformers" in record.tags) is (not formats)


def test_unknown_framework_never_stops_the_other_instances() -> None:
    record = by_ref()["fixture-org/forest-classifier"]
    assert record.formats == ()
    assert "framework:MODEL_FRAMEWORK_QUANTUM_ANNEALER" in record.unmapped
    gemma = by_ref()["google/gemma"]
    assert [f.slug for f in gemma.formats] == ["safetensors", "pytorch", "keras", "flax"]
    assert gemma.unmapped == ("framework:MODEL_FRAMEWORK_GEMMA_CPP",)


# Kaggle task tag names (as the site shows them) -> canonical tasks.
TASKS = [
    ("Text Generation", ("text-generation",)),
    ("Text Classification", ("text-classification",)),
    ("Sentiment Analysis", ("text-classification",)),
    ("Question Answering", ("question-answering",)),
    ("Text Question Answering", ("question-answering",)),
    ("Summarization", ("summarization",)),
    ("Text Summarization", ("summarization",)),
    ("Translation", ("translation",)),
    ("Machine Translation", ("translation",)),
    ("Fill-Mask", ("fill-mask",)),
    ("Token Classification", ("token-classification",)),
    ("Named Entity Recognition", ("token-classification",)),
    ("Text Embedding", ("sentence-similarity",)),
    ("Sentence Similarity", ("sentence-similarity",)),
    ("Feature Extraction", ("feature-extraction",)),
    ("Image Feature Vector", ("image-feature-extraction",)),
    ("Image Feature Extraction", ("image-feature-extraction",)),
    ("Image Classification", ("image-classification",)),
    ("Object Detection", ("object-detection",)),
    ("Image Object Detection", ("object-detection",)),
    ("Image Segmentation", ("image-segmentation",)),
    ("Semantic Segmentation", ("image-segmentation",)),
    ("Instance Segmentation", ("image-segmentation",)),
    ("Text-to-Image", ("text-to-image",)),
    ("Image-to-Text", ("image-to-text",)),
    ("Image Captioning", ("image-to-text",)),
    ("Depth Estimation", ("depth-estimation",)),
    ("Image Depth Estimation", ("depth-estimation",)),
    ("Pose Estimation", ("keypoint-detection",)),
    ("Image Pose Detection", ("keypoint-detection",)),
    ("Keypoint Detection", ("keypoint-detection",)),
    ("Image Style Transfer", ("image-to-image",)),
    ("Style Transfer", ("image-to-image",)),
    ("Image Super Resolution", ("image-to-image",)),
    ("Super Resolution", ("image-to-image",)),
    ("Image-to-Image", ("image-to-image",)),
    ("Video Classification", ("video-classification",)),
    ("Action Recognition", ("video-classification",)),
    ("Automatic Speech Recognition", ("automatic-speech-recognition",)),
    ("Speech Recognition", ("automatic-speech-recognition",)),
    ("Speech-to-Text", ("automatic-speech-recognition",)),
    ("Audio Classification", ("audio-classification",)),
    ("Audio Event Classification", ("audio-classification",)),
    ("Text-to-Speech", ("text-to-speech",)),
    ("Speech Synthesis", ("text-to-speech",)),
    ("Visual Question Answering", ("visual-question-answering",)),
    ("Zero-Shot Classification", ("zero-shot-classification",)),
    ("Zero-Shot Image Classification", ("zero-shot-image-classification",)),
    ("Reinforcement Learning", ("reinforcement-learning",)),
    ("Time Series Forecasting", ("time-series-forecasting",)),
    ("Tabular Classification", ("tabular-classification",)),
    ("Tabular Regression", ("tabular-regression",)),
]
MODALITY_TAGS = [
    ("Computer Vision", ("vision",)),
    ("Image", ("vision",)),
    ("Vision", ("vision",)),
    ("Video", ("vision",)),
    ("NLP", ("language",)),
    ("Text", ("language",)),
    ("Natural Language Processing", ("language",)),
    ("Audio", ("audio",)),
    ("Speech", ("audio",)),
    ("Multimodal", ("multimodal",)),
    ("Tabular", ("tabular",)),
]


@pytest.mark.parametrize(("name", "tasks"), TASKS)
def test_task_tag_table(name: str, tasks: tuple[str, ...]) -> None:
    record = normalize_model({"ref": "o/m", "tags": [{"ref": "x", "name": name}]})
    assert record.tasks == tasks
    assert record.unmapped == ()
    assert record.tags == (name,)


@pytest.mark.parametrize(("name", "modalities"), MODALITY_TAGS)
def test_modality_tag_table(name: str, modalities: tuple[str, ...]) -> None:
    record = normalize_model({"ref": "o/m", "tags": [name]})
    assert record.modalities == modalities
    assert record.unmapped == ()


def test_every_tag_entry_is_tested_and_canonical() -> None:
    assert {terms.term_key(n) for n, _ in TASKS} == set(aliases.KAGGLE_TASKS)
    assert {terms.term_key(n) for n, _ in MODALITY_TAGS} == set(aliases.KAGGLE_MODALITY_TAGS)
    for tasks in aliases.KAGGLE_TASKS.values():
        assert set(tasks) <= set(vocab.TASK_MODALITY)


def test_other_tags_are_kept_and_reported() -> None:
    record = normalize_model({"ref": "o/m", "tags": [{"name": "Beginner"}, {"ref": "gemma"}]})
    assert record.tags == ("Beginner", "gemma")
    assert record.unmapped == ("task:Beginner", "task:gemma")


# Every licenseName the Kaggle SDK documents, plus the model licenses seen on model pages.
LICENSES = [
    ("Apache 2.0", "apache-2.0"),
    ("Attribution 3.0 Unported (CC BY 3.0)", "cc-by-3.0"),
    ("Attribution 4.0 International (CC BY 4.0)", "cc-by-4.0"),
    ("Attribution-NoDerivatives 4.0 International (CC BY-ND 4.0)", "cc-by-nd-4.0"),
    ("Attribution-NonCommercial 4.0 International (CC BY-NC 4.0)", "cc-by-nc-4.0"),
    (
        "Attribution-NonCommercial-NoDerivatives 4.0 International (CC BY-NC-ND 4.0)",
        "cc-by-nc-nd-4.0",
    ),
    ("BSD-3-Clause", "bsd-3-clause"),
    ("CC BY-NC-SA 4.0", "cc-by-nc-sa-4.0"),
    ("CC BY-SA 3.0", "cc-by-sa-3.0"),
    ("CC BY-SA 4.0", "cc-by-sa-4.0"),
    ("CC0: Public Domain", "cc0-1.0"),
    ("Community Data License Agreement - Permissive - Version 1.0", "cdla-permissive-1.0"),
    ("Community Data License Agreement - Sharing - Version 1.0", "cdla-sharing-1.0"),
    ("GNU Affero General Public License 3.0", "agpl-3.0"),
    ("GNU Free Documentation License 1.3", "gfdl"),
    ("GNU Lesser General Public License 3.0", "lgpl-3.0"),
    ("GPL 2", "gpl-2.0"),
    ("GPL 3", "gpl-3.0"),
    ("MIT", "mit"),
    ("ODC Attribution License (ODC-By)", "odc-by"),
    ("ODC Public Domain Dedication and Licence (PDDL)", "pddl"),
    ("Gemma", "gemma"),
    ("Gemma Terms of Use", "gemma"),
    ("Llama 2", "llama2"),
    ("Llama 3", "llama3"),
    ("Llama 3.1", "llama3.1"),
    ("Llama 3.2", "llama3.2"),
]


@pytest.mark.parametrize(("name", "slug"), LICENSES)
def test_license_table(name: str, slug: str) -> None:
    record = normalize_model(one(framework="MODEL_FRAMEWORK_KERAS", licenseName=name))
    assert record.license is not None
    assert record.license.slug == slug
    assert record.unmapped == ()


def test_every_license_entry_is_tested_and_canonical() -> None:
    assert {terms.license_key(n) for n, _ in LICENSES} == set(aliases.KAGGLE_LICENSES)
    assert set(aliases.KAGGLE_LICENSES.values()) <= set(vocab.LICENSE_BY_SLUG)


@pytest.mark.parametrize(
    ("names", "slug"),
    [
        (["MIT", "Apache 2.0", "Apache 2.0"], "apache-2.0"),
        (["MIT", "Apache 2.0"], "mit"),
        (["Attribution 3.0 IGO (CC BY 3.0 IGO)"], "attribution 3.0 igo (cc by 3.0 igo)"),
    ],
)
def test_model_license_is_the_most_common_instance_license(names: list[str], slug: str) -> None:
    model = {"ref": "o/m", "instances": [{"framework": "KERAS", "licenseName": n} for n in names]}
    record = normalize_model(model)
    assert record.license is not None
    assert record.license.slug == slug


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ({}, "no ref"),
        ({"ref": "", "title": "x"}, "no ref"),
        ({"ref": "no-slash"}, "no ref"),
        ({"ref": "a/b", "voteCount": 2**70}, "likes out of range"),
    ],
)
def test_payloads_that_cannot_be_models_are_refused(model: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidRecordError, match=reason):
        normalize_model(model)


def test_author_and_slug_stand_in_for_a_missing_ref() -> None:
    assert normalize_model({"author": "keras", "slug": "bert"}).external_id == "keras/bert"


json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
json_any = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
instance_like = st.fixed_dictionaries(
    {},
    optional={
        "framework": st.sampled_from([f for f, _, _ in FRAMEWORKS] + NO_FORMAT) | json_any,
        "slug": json_any,
        "licenseName": st.sampled_from([n for n, _ in LICENSES]) | json_any,
        "fineTunable": json_any,
        "versionNumber": json_any,
        "totalUncompressedBytes": json_any,
        "externalBaseModelUrl": st.just("https://huggingface.co/a/b") | json_any,
        "baseModelInstanceInformation": json_any,
        "files": json_any,
        "overview": json_any,
    },
)
model_like = st.fixed_dictionaries(
    {},
    optional={
        "ref": st.just("owner/name") | json_any,
        "author": json_any,
        "slug": json_any,
        "title": json_any,
        "description": json_any,
        "instances": st.lists(instance_like | json_any, max_size=3) | json_any,
        "tags": st.lists(json_any, max_size=3) | json_any,
        "publishTime": st.just("2024-01-01T00:00:00Z") | json_any,
        "voteCount": json_any,
        "url": json_any,
    },
)


@settings(max_examples=120, deadline=None)
@given(model_like)
def test_any_payload_gives_a_record_or_a_clear_error(model: dict[str, Any]) -> None:
    try:
        record = normalize_model(model)
    except InvalidRecordError as exc:
        reason = str(exc)
        assert reason, "a quarantine reason must say something"
        return
    assert "/" in record.external_id
    json.dumps(dataclasses.asdict(record), default=str)
