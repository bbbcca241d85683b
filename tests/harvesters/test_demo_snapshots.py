"""The bundled demo snapshots: every hub ships one, it holds facts and no prose, and
the stripping that built it keeps every fact its normalizer reads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.settings import Settings
from harvesters.base import FetchContext, Harvester, RawRecord
from harvesters.demo import build, strip
from harvesters.demo.snapshot import find_snapshot, read_payloads
from harvesters.registry import harvester_class, slugs

TESTS = Path(__file__).parent
HUBS = ("huggingface", "kaggle", "onnx-model-zoo", "pytorch-hub", "tfhub")
PROSE_WORDS = 25  # a string with more words than this is prose, not a fact
_LOAD_CALL = re.compile(r"^torch\.hub\.load\('[^']+', '[^']+'\)$")


def _harvester(platform: str, url: str | None = None) -> Harvester:
    options = {"url": url} if url else {}
    return harvester_class(platform).from_settings(Settings(harvesters={platform: options}))


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, f"{path}[]")
    elif isinstance(value, str):
        yield path, value


def test_every_hub_of_this_repository_ships_a_dated_snapshot() -> None:
    assert set(HUBS) <= set(slugs())
    for platform in HUBS:
        snapshot = find_snapshot(harvester_class(platform))
        assert snapshot is not None, f"{platform} ships no demo snapshot"
        assert snapshot.source, f"{platform}: about.json does not say where the data came from"
        about = json.loads(Path(str(snapshot.payloads)).with_name("about.json").read_text("utf-8"))
        assert about["models"] == len(read_payloads(snapshot)) > 0
    dated = {p for p in HUBS if find_snapshot(harvester_class(p)).as_of}  # type: ignore[union-attr]
    assert dated == {"huggingface", "pytorch-hub", "tfhub"}


@pytest.mark.parametrize("platform", HUBS)
def test_snapshot_payloads_hold_no_prose(platform: str) -> None:
    snapshot = find_snapshot(harvester_class(platform))
    assert snapshot is not None
    for payload in read_payloads(snapshot):
        for path, text in _strings(payload):
            if path == ".text":  # a PyTorch Hub page: front matter, then only load calls
                body = text.split("\n---\n", 1)[1]
                lines = [ln for ln in body.splitlines() if ln and not ln.startswith("```")]
                assert all(_LOAD_CALL.match(ln) for ln in lines), body
            else:
                assert len(text.split()) <= PROSE_WORDS, f"{platform} {path}: {text[:80]!r}"
        for path, text in _strings(payload):
            if path.endswith(("summary", "subtitle")):
                assert "\n" not in text
                assert len(text) <= strip.SUMMARY_LIMIT


@pytest.mark.parametrize("platform", HUBS)
def test_snapshot_models_show_no_description_but_code_and_links(platform: str) -> None:
    snapshot = find_snapshot(harvester_class(platform))
    assert snapshot is not None
    harvester = _harvester(platform)
    for payload in read_payloads(snapshot):
        record = harvester.normalize(RawRecord(None, payload))
        for line in (record.description or "").splitlines():
            assert line.startswith(("http://", "https://", "```", "torch.hub.load(")), line


def _fetched(platform: str, source: Path) -> list[Any]:
    harvester = _harvester(platform, str(source))
    try:
        return [r.payload for page in harvester.fetch(FetchContext()) for r in page.records]
    finally:
        harvester.close()


def _fixture_payloads(platform: str) -> list[Any]:
    if platform == "huggingface":
        files = sorted((TESTS / "huggingface" / "fixtures").glob("*.json"))
        return [json.loads(f.read_text("utf-8")) for f in files]
    if platform == "kaggle":
        return list(json.loads(build.KAGGLE_FIXTURES.read_text("utf-8")))
    folder = {
        "onnx-model-zoo": TESTS / "onnx_zoo" / "fixtures" / "ONNX_HUB_MANIFEST.json",
        "pytorch-hub": TESTS / "pytorch_hub" / "fixtures" / "hub-master",
        "tfhub": TESTS / "tfhub" / "fixtures" / "tfhub.dev-master",
    }[platform]
    return _fetched(platform, folder)


@pytest.mark.parametrize("platform", HUBS)
def test_stripping_the_test_fixtures_keeps_every_fact(platform: str) -> None:
    stripper = {
        "huggingface": strip.huggingface,
        "kaggle": strip.kaggle,
        "onnx-model-zoo": strip.onnx_zoo,
        "pytorch-hub": strip.pytorch_hub,
        "tfhub": strip.tfhub,
    }[platform]
    payloads = _fixture_payloads(platform)
    source = build.Source(platform, payloads, None, "test fixtures", stripper)
    harvester = _harvester(platform)
    assert build.stripped_payloads(harvester, source)  # raises when a fact changed


def test_stripping_notices_a_lost_fact() -> None:
    payloads = _fixture_payloads("huggingface")

    def losing_tags(payload: Any) -> dict[str, Any]:
        return {k: v for k, v in strip.huggingface(payload).items() if k != "tags"}

    source = build.Source("huggingface", payloads, None, "test fixtures", losing_tags)
    with pytest.raises(ValueError, match="stripping changed facts"):
        build.stripped_payloads(_harvester("huggingface"), source)


def test_one_line_keeps_a_short_first_sentence_only() -> None:
    assert strip.one_line("Mobile insect classification model.  Trained on X.") == (
        "Mobile insect classification model."
    )
    assert strip.one_line("word " * 100) == ""
    assert strip.one_line(None) == ""
    assert strip.links_only("See https://tfhub.dev/google/x/1. And more text.") == (
        "https://tfhub.dev/google/x/1"
    )
