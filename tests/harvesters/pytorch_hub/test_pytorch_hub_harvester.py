"""PyTorch Hub fetch: tarball, directory, URL, skipped files, bad pages, broken archives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog.records import InvalidRecordError
from catalog.settings import Settings
from harvesters.base import FatalHarvestError, FetchContext, Page
from harvesters.pytorch_hub.harvester import PyTorchHubHarvester
from harvesters.registry import harvester_class

from .conftest import REPO, build_tarball

PAGES = 12


def harvester(location: str | Path, **config: object) -> PyTorchHubHarvester:
    built = PyTorchHubHarvester.from_settings(
        Settings(), {"url": str(location), "http_attempts": 1, **config}
    )
    assert isinstance(built, PyTorchHubHarvester)
    return built


def fetch_all(h: PyTorchHubHarvester, ctx: FetchContext | None = None) -> list[Page]:
    return list(h.fetch(ctx or FetchContext()))


def ids_of(pages: list[Page]) -> list[str | None]:
    return [r.external_id for page in pages for r in page.records]


def test_registry_names_this_harvester() -> None:
    assert harvester_class("pytorch-hub") is PyTorchHubHarvester
    assert PyTorchHubHarvester.supports_incremental is False


def test_tarball_yields_one_record_per_page_without_template_or_readme(
    pytorch_hub_source: Path,
) -> None:
    pages = fetch_all(harvester(pytorch_hub_source))
    ids = ids_of(pages)
    assert len(ids) == len(set(ids)) == PAGES
    assert "pytorch_vision_resnet" in ids
    assert "template" not in ids
    assert "README" not in ids
    assert pages[0].problems == []


def test_directory_is_accepted() -> None:
    assert len(ids_of(fetch_all(harvester(REPO)))) == PAGES


def test_single_page_file_is_accepted() -> None:
    pages = fetch_all(harvester(REPO / "ultralytics_yolov5.md"))
    assert ids_of(pages) == ["ultralytics_yolov5"]


def test_archive_is_downloaded_from_a_url(
    static_server: tuple[str, Path], pytorch_hub_source: Path
) -> None:
    base, www = static_server
    shutil.copy(pytorch_hub_source, www / "master.tar.gz")
    assert len(ids_of(fetch_all(harvester(f"{base}/master.tar.gz")))) == PAGES


def test_paging_and_resume(pytorch_hub_source: Path) -> None:
    h = harvester(pytorch_hub_source, page_size=5)
    pages = fetch_all(h)
    assert [len(p.records) for p in pages] == [5, 5, 2]
    assert pages[-1].checkpoint is None
    assert ids_of(fetch_all(h, FetchContext(resume=pages[0].checkpoint))) == ids_of(pages)[5:]


def test_bad_page_is_quarantined_and_page_without_front_matter_reported(tmp_path: Path) -> None:
    archive = build_tarball(
        tmp_path / "hub.tar.gz",
        {
            "broken_front_matter.md": "---\ntitle: Broken\ntags: [vision]\nnever closed\n",
            "notes.md": "# Just notes\n",
            "CONTRIBUTING.md": "# How to contribute\n",
        },
    )
    h = harvester(archive)
    pages = fetch_all(h)
    records = {r.external_id: r for page in pages for r in page.records}
    assert len(records) == PAGES + 1
    with pytest.raises(InvalidRecordError, match="front matter is not closed"):
        h.normalize(records["broken_front_matter"])
    normalized = [h.normalize(r) for key, r in records.items() if key != "broken_front_matter"]
    assert len(normalized) == PAGES
    assert pages[0].problems == [("notes.md", "skipped: no YAML front matter (not a model page)")]


def test_broken_tarball_is_fatal_with_what_to_fix(pytorch_hub_source: Path, tmp_path: Path) -> None:
    broken = tmp_path / "hub.tar.gz"
    broken.write_bytes(pytorch_hub_source.read_bytes()[:500])
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester(broken))
    message = str(caught.value)
    assert "PyTorch Hub archive at hub.tar.gz is not a readable .tar.gz archive" in message
    assert (
        "set CATALOG_HARVESTERS__PYTORCH_HUB__URL "
        "(or CATALOG_PYTORCH_HUB_ARCHIVE_URL) to a directory" in message
    )


def test_archive_without_pages_is_fatal(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Only a readme\n")
    with pytest.raises(FatalHarvestError, match="holds no model page"):
        fetch_all(harvester(tmp_path))


def test_unreachable_hub_fails_with_the_setting_to_check(dead_url: str) -> None:
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester(dead_url))
    message = str(caught.value)
    assert "PyTorch Hub archive could not be downloaded" in message
    assert "CATALOG_PYTORCH_HUB_ARCHIVE_URL" in message
