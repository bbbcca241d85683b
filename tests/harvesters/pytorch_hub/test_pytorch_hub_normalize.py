"""PyTorch Hub normalization: golden records, tag table and task rules, tolerant front matter."""

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
from harvesters.pytorch_hub import aliases
from harvesters.pytorch_hub.harvester import model_pages
from harvesters.pytorch_hub.parse import (
    entrypoints,
    normalize_page,
    parse_front_matter,
    tags_of,
    tasks_of,
)
from harvesters.sources import read_files

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
    records, problems = model_pages(found.files)
    assert problems == []
    return {r.external_id or "": normalize_page(r.payload) for r in records}


def page(front: str, body: str = "") -> dict[str, str]:
    return {"page": "some_page", "path": "some_page.md", "text": f"---\n{front}\n---\n{body}"}


def test_fixture_pages_normalize_to_the_golden_records() -> None:
    actual = {key: as_json(r) for key, r in fixture_records().items()}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
    assert actual == json.loads(GOLDEN.read_text())


def test_entrypoints_are_the_pytorch_variants() -> None:
    record = fixture_records()["pytorch_vision_resnet"]
    (fmt,) = record.formats
    assert fmt.slug == "pytorch"
    assert [v["entrypoint"] for v in fmt.variants] == [
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet101",
        "resnet152",
    ]
    assert {(v["repo"], v["ref"]) for v in fmt.variants} == {("pytorch/vision", "v0.10.0")}
    assert record.extra["source_repo"] == "pytorch/vision"
    assert record.author == "pytorch"
    assert record.author_name == "Pytorch Team"
    assert record.url == "https://pytorch.org/hub/pytorch_vision_resnet/"


def test_curly_quotes_and_colons_in_values_are_tolerated() -> None:
    records = fixture_records()
    assert records["facebookresearch_pytorchvideo_slowfast"].extra["accelerator"] == "cuda-optional"
    unmix = records["sigsep_open-unmix-pytorch_umx"]
    assert unmix.summary == "Open-Unmix: a reference model for music source separation"
    assert unmix.tags == ("audio", "scriptable")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("torch.hub.load('a/b', 'm')", [("a/b", None, "m")]),
        ('torch.hub.load("a/b:v1.2", "m", pretrained=True)', [("a/b", "v1.2", "m")]),
        ("torch.hub.load(\n  'a/b',\n  'm',\n  x=1)", [("a/b", None, "m")]),
        ("torch.hub.load(repo_or_dir='a/b', model='m')", [("a/b", None, "m")]),
        ("torch.hub.load('a/b', 'm')\ntorch.hub.load('a/b', 'm')", [("a/b", None, "m")]),
        ("torch.hub.load('a/b', model_type)", []),
        ("torch.hub.load('./local', 'm', source='local')", []),
        ("hub.load('a/b', 'm')", []),
    ],
)
def test_entrypoint_calls(body: str, expected: list[tuple[str, str | None, str]]) -> None:
    assert [(v["repo"], v["ref"], v["entrypoint"]) for v in entrypoints(body)] == expected


# (tag, modalities) written out literally: a changed table entry fails here.
TAGS = [
    ("vision", ("vision",)),
    ("nlp", ("language",)),
    ("audio", ("audio",)),
    ("generative", ()),
    ("scriptable", ()),
]


@pytest.mark.parametrize(("tag", "modalities"), TAGS)
def test_tag_table(tag: str, modalities: tuple[str, ...]) -> None:
    record = normalize_page(page(f"title: T\ntags: [{tag}]"))
    assert record.modalities == modalities
    assert record.unmapped == ()
    assert record.tags == (tag,)


def test_every_tag_entry_is_tested_and_canonical() -> None:
    assert {t for t, _ in TAGS} == set(aliases.PYTORCH_HUB_TAGS)
    for modalities in aliases.PYTORCH_HUB_TAGS.values():
        assert set(modalities) <= set(vocab.MODALITIES)


def test_unknown_tag_is_kept_and_reported() -> None:
    record = normalize_page(page("title: T\ntags: [vision, robotics]"))
    assert record.tags == ("vision", "robotics")
    assert record.unmapped == ("modality:robotics",)


# (title, summary, tags, tasks): one row per rule, and pages that state no task.
TASK_RULES = [
    ("YOLO", "for object detection", [], ("object-detection",)),
    ("U-Net", "biomedical image segmentation", ["vision"], ("image-segmentation",)),
    ("Classifier", "Image classification on photos", [], ("image-classification",)),
    ("Net", "a network that classifies images", [], ("image-classification",)),
    ("MiDaS", "relative depth from one image", [], ("depth-estimation",)),
    ("DPT", "monocular depth estimation", [], ("depth-estimation",)),
    ("NMT", "English-French translation", ["nlp"], ("translation",)),
    ("Silero Speech-To-Text", "", [], ("automatic-speech-recognition",)),
    ("ASR", "speech recognition for English", [], ("automatic-speech-recognition",)),
    ("Tacotron", "mel spectrograms from text", [], ("text-to-speech",)),
    ("TTS", "text-to-speech voices", [], ("text-to-speech",)),
    ("Unmix", "music source separation", [], ("audio-to-audio",)),
    ("Denoiser", "speech enhancement", [], ("audio-to-audio",)),
    ("DCGAN", "a generative image model", [], ("unconditional-image-generation",)),
    ("BERT QA", "extractive question answering", [], ("question-answering",)),
    ("Sentiment", "sentiment of reviews", [], ("text-classification",)),
    ("ESRGAN", "image super-resolution", [], ("image-to-image",)),
    ("Fast style", "neural style transfer", [], ("image-to-image",)),
    ("HRNet", "human pose estimation", [], ("keypoint-detection",)),
    ("X3D", "video classification on Kinetics", [], ("video-classification",)),
    ("Captioner", "image captioning", [], ("image-to-text",)),
    ("Silero VAD", "voice activity detection", [], ("voice-activity-detection",)),
    ("GPT", "text generation", [], ("text-generation",)),
    ("PANNs", "audio classification", [], ("audio-classification",)),
    ("ResNet", "Residual networks pre-trained on ImageNet", ["vision"], ()),
    ("SlowFast", "pretrained on the Kinetics 400 dataset", ["vision"], ()),
    ("Seg", "text segmentation into sentences", ["nlp"], ()),
    ("Pix", "translation of images into images", ["vision"], ()),
]


@pytest.mark.parametrize(("title", "summary", "tags", "tasks"), TASK_RULES)
def test_task_rules(title: str, summary: str, tags: list[str], tasks: tuple[str, ...]) -> None:
    assert tasks_of(title, summary, tags) == tasks


def test_every_task_rule_is_tested_and_canonical() -> None:
    covered = {t for *_, tasks in TASK_RULES for t in tasks}
    assert covered == {task for _, task, _ in aliases.PYTORCH_HUB_TASK_RULES}
    assert covered <= set(vocab.TASK_MODALITY)


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: A\ntags: [vision]", {"title": "A", "tags": ["vision"]}),
        ("title: A: B\ntags: [vision]", {"title": "A: B", "tags": "[vision]"}),
        ("accelerator: \u201ccuda\u201d", {"accelerator": "\u201ccuda\u201d"}),
        ("title: \u201cA: B\u201d\ntags: [audio]", {"title": "A: B", "tags": ["audio"]}),
    ],
)
def test_front_matter_fallbacks(front: str, expected: dict[str, Any]) -> None:
    assert parse_front_matter(front) == expected


@pytest.mark.parametrize(
    ("value", "tags"),
    [(["Vision", "nlp"], ["vision", "nlp"]), ("[vision, nlp]", ["vision", "nlp"]), (None, [])],
)
def test_tags_from_lists_or_strings(value: object, tags: list[str]) -> None:
    assert tags_of(value) == tags


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: T\nno closing line\n", "front matter is not closed"),
        ("---\n- a\n- b\n---\nbody", "neither YAML nor 'key: value'"),
        ("---\nsummary: S\n---\nbody", "front matter has no title"),
        ("---\ntitle: ''\n---\nbody", "front matter has no title"),
    ],
)
def test_bad_front_matter_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidRecordError, match=reason):
        normalize_page({"page": "p", "path": "p.md", "text": text})


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=200).map(lambda s: f"---\n{s}\n---\n{s}") | st.text(max_size=200),
    st.text(max_size=20),
)
def test_any_page_gives_a_record_or_a_clear_error(text: str, page_id: str) -> None:
    try:
        record = normalize_page({"page": page_id, "path": "x.md", "text": text})
    except InvalidRecordError as exc:
        reason = str(exc)
        assert reason, "a quarantine reason must say something"
        return
    assert record.external_id == page_id
    json.dumps(dataclasses.asdict(record))
