"""Fixtures of the PyTorch Hub tests: a pytorch/hub-like tarball built from fixture pages."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harvesters.onnx_zoo.local_http import dead_base_url, serve_directory

FIXTURES = Path(__file__).parent / "fixtures"
REPO = FIXTURES / "hub-master"


def build_tarball(target: Path, extra: dict[str, str] | None = None) -> Path:
    """A GitHub-style tarball (`hub-master/...`) of the fixture pages plus `extra` files."""
    with tarfile.open(target, "w:gz") as archive:
        archive.add(REPO, arcname="hub-master")
        for name, text in (extra or {}).items():
            source = target.parent / "extra.tmp"
            source.write_text(text)
            archive.add(source, arcname=f"hub-master/{name}")
            source.unlink()
    return target


@pytest.fixture
def pytorch_hub_source(tmp_path: Path) -> Path:
    """A local .tar.gz shaped like GitHub's archive of pytorch/hub (12 model pages)."""
    return build_tarball(tmp_path / "hub-master.tar.gz")


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
