"""ONNX Model Zoo fetch: local file, directory, URL, pages, resume and failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from catalog.records import InvalidRecordError
from catalog.settings import Settings
from harvesters.base import FatalHarvestError, FetchContext, Page
from harvesters.onnx_zoo.harvester import OnnxZooHarvester
from harvesters.registry import harvester_class

from .conftest import MANIFEST


def harvester(location: str | Path, **config: object) -> OnnxZooHarvester:
    built = OnnxZooHarvester.from_settings(
        Settings(), {"url": str(location), "http_attempts": 1, **config}
    )
    assert isinstance(built, OnnxZooHarvester)
    return built


def fetch_all(h: OnnxZooHarvester, ctx: FetchContext | None = None) -> list[Page]:
    return list(h.fetch(ctx or FetchContext()))


def test_registry_names_this_harvester() -> None:
    assert harvester_class("onnx-model-zoo") is OnnxZooHarvester
    assert OnnxZooHarvester.supports_incremental is False


def test_local_file_yields_one_record_per_model_name(onnx_zoo_source: Path) -> None:
    pages = fetch_all(harvester(onnx_zoo_source))
    ids = [r.external_id for page in pages for r in page.records]
    assert len(ids) == 16
    assert len(set(ids)) == 16
    assert "Emotion FERPlus" in ids
    assert pages[-1].checkpoint is None


def test_directory_holding_the_manifest_is_accepted(onnx_zoo_source: Path) -> None:
    pages = fetch_all(harvester(onnx_zoo_source.parent))
    assert sum(len(p.records) for p in pages) == 16


def test_manifest_is_downloaded_from_a_url(static_server: tuple[str, Path]) -> None:
    base, root = static_server
    shutil.copy(MANIFEST, root / "ONNX_HUB_MANIFEST.json")
    h = harvester(f"{base}/ONNX_HUB_MANIFEST.json")
    records = [r for page in fetch_all(h) for r in page.records]
    assert len(records) == 16
    assert {h.normalize(r).formats[0].slug for r in records} == {"onnx"}


def test_pages_carry_offset_checkpoints_and_resume_continues(onnx_zoo_source: Path) -> None:
    h = harvester(onnx_zoo_source, page_size=5)
    pages = fetch_all(h)
    assert [len(p.records) for p in pages] == [5, 5, 5, 1]
    assert [p.checkpoint["offset"] if p.checkpoint else None for p in pages] == [5, 10, 15, None]
    resumed = fetch_all(h, FetchContext(resume=pages[1].checkpoint))
    all_ids = [r.external_id for p in pages for r in p.records]
    assert [r.external_id for p in resumed for r in p.records] == all_ids[10:]


def test_checkpoint_of_another_manifest_restarts_from_the_beginning(
    onnx_zoo_source: Path,
) -> None:
    h = harvester(onnx_zoo_source, page_size=5)
    pages = fetch_all(h, FetchContext(resume={"offset": 10, "digest": "other-archive"}))
    assert sum(len(p.records) for p in pages) == 16


def test_limit_stops_early_without_claiming_the_end(onnx_zoo_source: Path) -> None:
    pages = fetch_all(harvester(onnx_zoo_source, page_size=5), FetchContext(limit=7))
    assert sum(len(p.records) for p in pages) == 7
    assert pages[-1].checkpoint is not None


def test_entry_without_name_is_quarantined_and_the_rest_loads(tmp_path: Path) -> None:
    entries = json.loads(MANIFEST.read_text())
    nameless = dict(entries[0])
    del nameless["model"]
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps([*entries, nameless]))
    h = harvester(path)
    records = [r for page in fetch_all(h) for r in page.records]
    assert len(records) == 17
    broken = [r for r in records if r.external_id is None]
    assert len(broken) == 1
    with pytest.raises(InvalidRecordError, match="no model name"):
        h.normalize(broken[0])
    assert len([h.normalize(r) for r in records if r.external_id is not None]) == 16


def test_unreachable_hub_fails_with_the_setting_to_check(dead_url: str) -> None:
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester(dead_url))
    message = str(caught.value)
    assert "could not be downloaded" in message
    assert "CATALOG_ONNX_MANIFEST_URL" in message


def test_missing_url_path_says_not_found(static_server: tuple[str, Path]) -> None:
    base, _ = static_server
    with pytest.raises(
        FatalHarvestError, match=r"404: not found.*CATALOG_ONNX_MANIFEST_URL"
    ) as caught:
        fetch_all(harvester(f"{base}/nothing.json"))
    assert caught.value.status == 404


def test_missing_local_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(
        FatalHarvestError,
        match=r"does not exist: set CATALOG_HARVESTERS__ONNX_MODEL_ZOO__URL "
        r"\(or CATALOG_ONNX_MANIFEST_URL\)",
    ):
        fetch_all(harvester(tmp_path / "absent.json"))


def test_directory_without_manifest_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(FatalHarvestError, match="directory without ONNX_HUB_MANIFEST.json"):
        fetch_all(harvester(tmp_path))


@pytest.mark.parametrize(
    ("content", "reason"),
    [('[{"model": ', "is not valid JSON"), ('{"model": "x"}', "is not a JSON list")],
)
def test_broken_manifest_is_fatal_with_a_reason(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "ONNX_HUB_MANIFEST.json"
    path.write_text(content)
    with pytest.raises(FatalHarvestError, match=reason):
        fetch_all(harvester(path))


def test_config_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="extra"):
        OnnxZooHarvester.from_settings(Settings(), {"colour": "blue"})
