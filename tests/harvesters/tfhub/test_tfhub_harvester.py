"""TF Hub fetch: tarball, directory, URL, bad docs reported, broken or hostile archives."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest

from catalog.settings import Settings
from harvesters.base import FatalHarvestError, FetchContext, Page
from harvesters.registry import harvester_class
from harvesters.tfhub.harvester import TfHubHarvester

from .conftest import DOCS, REPO, build_tarball

MODELS = 14


def harvester(location: str | Path, **config: object) -> TfHubHarvester:
    built = TfHubHarvester.from_settings(
        Settings(), {"url": str(location), "http_attempts": 1, **config}
    )
    assert isinstance(built, TfHubHarvester)
    return built


def fetch_all(h: TfHubHarvester, ctx: FetchContext | None = None) -> list[Page]:
    return list(h.fetch(ctx or FetchContext()))


def ids_of(pages: list[Page]) -> list[str | None]:
    return [r.external_id for page in pages for r in page.records]


def test_registry_names_this_harvester() -> None:
    assert harvester_class("tfhub") is TfHubHarvester
    assert TfHubHarvester.supports_incremental is False


def test_tarball_yields_one_record_per_model_handle(tfhub_source: Path) -> None:
    h = harvester(tfhub_source)
    pages = fetch_all(h)
    ids = ids_of(pages)
    assert len(ids) == len(set(ids)) == MODELS
    assert "google/elmo" in ids
    assert pages[0].problems == []
    assert all(h.normalize(r) for page in pages for r in page.records)


@pytest.mark.parametrize("root", [REPO, DOCS], ids=["repository", "assets-docs"])
def test_directory_of_the_repository_or_its_docs_is_accepted(root: Path) -> None:
    assert len(ids_of(fetch_all(harvester(root)))) == MODELS


def test_archive_is_downloaded_from_a_url(
    static_server: tuple[str, Path], tfhub_source: Path
) -> None:
    base, www = static_server
    shutil.copy(tfhub_source, www / "master.tar.gz")
    assert len(ids_of(fetch_all(harvester(f"{base}/master.tar.gz")))) == MODELS


def test_paging_and_resume(tfhub_source: Path) -> None:
    h = harvester(tfhub_source, page_size=4)
    pages = fetch_all(h)
    assert [len(p.records) for p in pages] == [4, 4, 4, 2]
    resumed = fetch_all(h, FetchContext(resume=pages[2].checkpoint))
    assert ids_of(resumed) == ids_of(pages)[12:]


def test_bad_docs_are_reported_while_the_rest_loads(tmp_path: Path) -> None:
    archive = build_tarball(
        tmp_path / "archive.tar.gz",
        {
            "assets/docs/broken/models/thing/1.md": "Just some notes, no heading.\n",
            "assets/docs/broken/models/noversion/x.md": "# Module broken/noversion\n",
            "assets/docs/broken/models/orphan/lite/1.md": "# Lite broken/orphan/1\nS.\n",
        },
    )
    pages = fetch_all(harvester(archive))
    assert len(ids_of(pages)) == MODELS
    problems = dict(pages[0].problems)
    assert "is not '# <Type> <handle>'" in problems["assets/docs/broken/models/thing/1.md"]
    assert "does not end in /<version>" in problems["assets/docs/broken/models/noversion/x.md"]
    assert "has no parent-model" in problems["assets/docs/broken/models/orphan/lite/1.md"]


def test_truncated_tarball_is_fatal_with_what_to_fix(tfhub_source: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(tfhub_source.read_bytes()[:700])
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester(broken))
    message = str(caught.value)
    assert "is not a readable .tar.gz archive" in message
    assert (
        "download it again, or set CATALOG_HARVESTERS__TFHUB__URL "
        "(or CATALOG_TFHUB_ARCHIVE_URL) to a directory" in message
    )


def test_file_that_is_not_an_archive_is_fatal(tmp_path: Path) -> None:
    fake = tmp_path / "master.tar.gz"
    fake.write_text("<html>not a tarball</html>")
    with pytest.raises(FatalHarvestError, match="not a readable .tar.gz archive"):
        fetch_all(harvester(fake))


def test_archive_without_docs_is_fatal(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("# Not a doc\n")
    with pytest.raises(FatalHarvestError, match="holds no TF Hub model docs"):
        fetch_all(harvester(empty))


def add_member(archive: tarfile.TarFile, info: tarfile.TarInfo, data: bytes = b"") -> None:
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data) if data else None)


def test_unsafe_members_are_skipped_and_reported(tmp_path: Path) -> None:
    doc = b"# Module evil/escape/1\nS.\n<!-- format: saved_model_2 -->\n"
    path = tmp_path / "hostile.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        add_member(
            archive,
            tarfile.TarInfo("repo/assets/docs/ok/models/fine/1.md"),
            doc.replace(b"evil/escape", b"ok/fine"),
        )
        add_member(archive, tarfile.TarInfo("repo/../../etc/evil/1.md"), doc)
        add_member(archive, tarfile.TarInfo("/abs/assets/docs/evil/1.md"), doc)
        link = tarfile.TarInfo("repo/assets/docs/evil/link.md")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        add_member(archive, link)
    pages = fetch_all(harvester(path))
    assert ids_of(pages) == ["ok/fine"]
    reasons = dict(pages[0].problems)
    assert reasons["repo/../../etc/evil/1.md"] == "skipped: unsafe path in archive"
    assert reasons["/abs/assets/docs/evil/1.md"] == "skipped: unsafe path in archive"
    assert reasons["repo/assets/docs/evil/link.md"].startswith("skipped: not a regular file")
    assert not (tmp_path.parent / "etc").exists()


def test_unreachable_hub_fails_with_the_setting_to_check(dead_url: str) -> None:
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester(dead_url))
    message = str(caught.value)
    assert "TF Hub archive could not be downloaded" in message
    assert "CATALOG_TFHUB_ARCHIVE_URL" in message


def test_missing_local_archive_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(
        FatalHarvestError,
        match=r"does not exist: set CATALOG_HARVESTERS__TFHUB__URL \(or "
        r"CATALOG_TFHUB_ARCHIVE_URL\)",
    ):
        fetch_all(harvester(tmp_path / "nope.tar.gz"))
