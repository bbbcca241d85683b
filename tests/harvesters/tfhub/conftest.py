"""Fixtures of the TF Hub tests: a tfhub.dev-like tarball built from fixture docs."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harvesters.onnx_zoo.local_http import dead_base_url, serve_directory

FIXTURES = Path(__file__).parent / "fixtures"
REPO = FIXTURES / "tfhub.dev-master"
DOCS = REPO / "assets" / "docs"


def build_tarball(target: Path, extra: dict[str, str] | None = None) -> Path:
    """A GitHub-style tarball (`tfhub.dev-master/...`) of the fixture repo plus `extra` files."""
    with tarfile.open(target, "w:gz") as archive:
        archive.add(REPO, arcname="tfhub.dev-master")
        for name, text in (extra or {}).items():
            source = target.parent / "extra.tmp"
            source.write_text(text)
            archive.add(source, arcname=f"tfhub.dev-master/{name}")
            source.unlink()
    return target


@pytest.fixture
def tfhub_source(tmp_path: Path) -> Path:
    """A local .tar.gz shaped like GitHub's archive of tensorflow/tfhub.dev (14 models)."""
    return build_tarball(tmp_path / "tfhub.dev-master.tar.gz")


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server over a fresh directory: yields (base URL, directory)."""
    root = tmp_path / "www"
    root.mkdir()
    with serve_directory(root) as base:
        yield base, root


@pytest.fixture
def dead_url() -> str:
    """An archive URL on a local port where nothing listens."""
    return f"{dead_base_url()}/master.tar.gz"
