"""ONNX Model Zoo normalization: golden records, the tag tables value by value, bad input."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from catalog import vocab
from catalog.records import InvalidRecordError, LineageRef, NormalizedModel
from harvesters import terms
from harvesters.onnx_zoo import aliases
from harvesters.onnx_zoo.parse import (
    full_precision_name,
    group_manifest,
    map_tags,
    normalize_model,
    quantization_of,
)

from .conftest import MANIFEST

GOLDEN = Path(__file__).parent / "golden" / "records.json"


def as_json(record: NormalizedModel) -> dict[str, Any]:
    """A record as plain JSON (tuples become lists), for golden comparison."""
    result: dict[str, Any] = json.loads(
        json.dumps(dataclasses.asdict(record), default=str, sort_keys=True)
    )
    return result


def normalize_fixture() -> dict[str, dict[str, Any]]:
    entries = json.loads(MANIFEST.read_text())
    return {
        payload["model"]: as_json(normalize_model(payload)) for payload in group_manifest(entries)
    }


def test_fixture_manifest_normalizes_to_the_golden_records() -> None:
    actual = normalize_fixture()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
    assert actual == json.loads(GOLDEN.read_text())


def test_entries_of_one_name_become_one_model_with_a_variant_per_opset() -> None:
    entries = json.loads(MANIFEST.read_text())
    payload = next(p for p in group_manifest(entries) if p["model"] == "Emotion FERPlus")
    record = normalize_model(payload)
    (fmt,) = record.formats
    assert fmt.slug == "onnx"
    assert [v["opset"] for v in fmt.variants] == [2, 8]
    assert fmt.file_count == 2
    assert fmt.total_bytes == sum(v["bytes"] for v in fmt.variants)
    assert all(len(v["sha256"]) == 64 for v in fmt.variants)
    assert fmt.variants[0]["io_ports"] is None  # the opset-2 file lists no ports
    assert fmt.variants[1]["io_ports"]["inputs"][0]["name"] == "Input3"


def test_quantized_model_links_to_its_full_precision_model() -> None:
    entries = json.loads(MANIFEST.read_text())
    by_name = {p["model"]: normalize_model(p) for p in group_manifest(entries)}
    assert by_name["AlexNet-qdq"].lineage == (LineageRef("onnx-model-zoo", "AlexNet", "quantized"),)
    assert by_name["Emotion FERPlus int8"].lineage == (
        LineageRef("onnx-model-zoo", "Emotion FERPlus", "quantized"),
    )
    # No full-precision model in the manifest: a model of its own, without a dangling link.
    assert by_name["SqueezeNet 1.0-int8"].lineage == ()
    assert by_name["SqueezeNet 1.0-int8"].extra["quantization"] == "int8"
    assert by_name["AlexNet"].lineage == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AlexNet-qdq", "qdq"),
        ("Emotion FERPlus int8", "int8"),
        ("ResNet50-int8-qdq", "int8-qdq"),
        ("MobileNet v2-1.0-int8", "int8"),
        ("version-RFB-320_fp16", "fp16"),
        ("AlexNet", None),
        ("T5-encoder", None),
        ("DenseNet-121-12", None),
    ],
)
def test_quantization_suffixes(name: str, expected: str | None) -> None:
    assert quantization_of(name) == expected


@pytest.mark.parametrize(
    ("name", "names", "expected"),
    [
        ("AlexNet-qdq", ["AlexNet", "AlexNet-qdq"], "AlexNet"),
        ("ResNet50-int8-qdq", ["ResNet50"], "ResNet50"),
        ("SqueezeNet 1.0-int8", ["SqueezeNet 1.0"], "SqueezeNet 1.0"),
        ("ResNet50_int8", ["resnet-50"], "resnet-50"),
        ("SqueezeNet 1.0-int8", ["SqueezeNet 1.1"], None),
        ("AlexNet", ["AlexNet"], None),
        ("-int8", ["AlexNet"], None),
    ],
)
def test_full_precision_name(name: str, names: list[str], expected: str | None) -> None:
    assert full_precision_name(name, names) == expected


# Expected mappings written out literally, so a changed table entry fails here.
DOMAINS = [
    ("vision", ("vision",)),
    ("text", ("language",)),
    ("audio", ("audio",)),
    ("speech", ("audio",)),
    ("graph", ("graph",)),
]
CATEGORIES = [
    ("classification", ("image-classification",)),
    ("object detection segmentation", ("object-detection",)),
    ("style transfer", ("image-to-image",)),
    ("super resolution", ("image-to-image",)),
    ("image manipulation", ("image-to-image",)),
    ("machine translation", ("translation",)),
    ("body analysis", ()),
    ("machine comprehension", ()),
]
FAMILIES = [
    ("fcn", ("image-segmentation",)),
    ("duc", ("image-segmentation",)),
    ("mask-rcnn", ("object-detection", "image-segmentation")),
    ("arcface", ("image-feature-extraction",)),
    ("emotion ferplus", ("image-classification",)),
    ("ultraface", ("object-detection",)),
    ("age_gender", ("image-classification",)),
    ("bert-squad", ("question-answering",)),
    ("bidaf", ("question-answering",)),
    ("gpt-2", ("text-generation",)),
    ("gpt2-bs", ("text-generation",)),
    ("t5", ("text2text-generation",)),
    ("preprocessing", ()),
]


@pytest.mark.parametrize(("domain", "modalities"), DOMAINS)
def test_domain_tag_gives_the_modality(domain: str, modalities: tuple[str, ...]) -> None:
    _, got, unmapped = map_tags([domain, "classification"])
    assert got == modalities
    assert unmapped == ()


@pytest.mark.parametrize(("category", "tasks"), CATEGORIES)
def test_category_tag_gives_the_task(category: str, tasks: tuple[str, ...]) -> None:
    got, _, unmapped = map_tags(["vision", category, "some-family"])
    assert got == tasks
    # A mixed category with no family that names the task is reported as unmapped.
    assert unmapped == (() if tasks else (f"task:{category}",))


@pytest.mark.parametrize(("family", "tasks"), FAMILIES)
def test_family_tag_overrides_the_category(family: str, tasks: tuple[str, ...]) -> None:
    got, _, unmapped = map_tags(["vision", "classification", family])
    assert got == tasks
    assert unmapped == ()


def test_every_table_entry_is_tested_and_canonical() -> None:
    tested = {
        "domains": {terms.term_key(k) for k, _ in DOMAINS},
        "categories": {terms.term_key(k) for k, _ in CATEGORIES},
        "families": {terms.term_key(k) for k, _ in FAMILIES},
    }
    assert tested["domains"] == set(aliases.ONNX_DOMAINS)
    assert tested["categories"] == set(aliases.ONNX_CATEGORIES)
    assert tested["families"] == set(aliases.ONNX_FAMILIES)
    for tasks in [*aliases.ONNX_CATEGORIES.values(), *aliases.ONNX_FAMILIES.values()]:
        assert set(tasks) <= set(vocab.TASK_MODALITY)
    for modalities in aliases.ONNX_DOMAINS.values():
        assert set(modalities) <= set(vocab.MODALITIES)


def test_unknown_domain_and_category_are_kept_as_tags_and_reported() -> None:
    payload = group_manifest(
        [
            {
                "model": "Hologram",
                "model_path": "validated/holography/reconstruction/holo/model/holo-12.onnx",
                "opset_version": 12,
                "metadata": {"tags": ["holography", "reconstruction", "holo"]},
            }
        ]
    )[0]
    record = normalize_model(payload)
    assert record.tasks == ()
    assert record.modalities == ()
    assert record.unmapped == ("modality:holography", "task:reconstruction")
    assert {"holography", "reconstruction", "holo"} <= set(record.tags)


def test_entry_without_a_name_is_quarantined_while_the_rest_normalizes() -> None:
    entries = json.loads(MANIFEST.read_text())
    broken = dict(entries[0])
    del broken["model"]
    payloads = group_manifest([*entries, broken, {"model": "  "}, "not an entry"])
    good = [p for p in payloads if p["model"]]
    bad = [p for p in payloads if not p["model"]]
    assert len(good) == 16
    assert len(bad) == 3
    for payload in good:
        normalize_model(payload)
    with pytest.raises(InvalidRecordError, match=r"manifest entry has no model name \(model_path"):
        normalize_model(bad[0])
    for payload in bad[1:]:
        with pytest.raises(InvalidRecordError, match="no model name"):
            normalize_model(payload)


def test_entries_with_odd_shapes_still_normalize() -> None:
    payload = group_manifest(
        [
            {"model": "Odd", "metadata": "not a mapping", "opset_version": "12"},
            {"model": "Odd", "metadata": {"tags": "vision", "model_bytes": -5}},
        ]
    )[0]
    record = normalize_model(payload)
    (fmt,) = record.formats
    assert fmt.file_count == 2
    assert fmt.total_bytes is None
    assert all(v["opset"] is None and v["bytes"] is None for v in fmt.variants)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
entry_like = st.fixed_dictionaries(
    {},
    optional={
        "model": st.text(max_size=10) | json_values,
        "model_path": st.text(max_size=20) | json_values,
        "opset_version": st.integers() | json_values,
        "onnx_version": json_values,
        "metadata": st.fixed_dictionaries(
            {},
            optional={
                "tags": st.lists(st.text(max_size=10), max_size=4) | json_values,
                "model_bytes": json_values,
                "model_sha": json_values,
                "io_ports": json_values,
            },
        )
        | json_values,
    },
)


@settings(max_examples=150, deadline=None)
@given(st.lists(entry_like | json_values, max_size=5))
# Found by this test: tags that are not a list used to raise TypeError.
@example([{"model": "0", "model_path": "", "metadata": {"tags": True}}])
def test_any_manifest_gives_records_or_clear_errors(entries: list[Any]) -> None:
    for payload in group_manifest(entries):
        try:
            record = normalize_model(payload)
        except InvalidRecordError as exc:
            reason = str(exc)
            assert reason, "a quarantine reason must say something"
            continue
        assert record.external_id == payload["model"]
        json.dumps(dataclasses.asdict(record))
