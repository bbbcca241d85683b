"""Fixtures of the TF Hub tests: a tfhub.dev-like tarball built from fixture docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harvesters.archives import github_tarball
from tests.harvesters.onnx_zoo.local_http import dead_base_url

FIXTURES = Path(__file__).parent / "fixtures"
REPO = FIXTURES / "tfhub.dev-master"
DOCS = REPO / "assets" / "docs"


def build_tarball(target: Path, extra: dict[str, str] | None = None) -> Path:
    """A GitHub-style tarball (`tfhub.dev-master/...`) of the fixture repo plus `extra` files."""
    return github_tarball(target, REPO, extra)


@pytest.fixture
def tfhub_source(tmp_path: Path) -> Path:
    """A local .tar.gz shaped like GitHub's archive of tensorflow/tfhub.dev (14 models)."""
    return build_tarball(tmp_path / "tfhub.dev-master.tar.gz")


@pytest.fixture
def dead_url() -> str:
    """An archive URL on a local port where nothing listens."""
    return f"{dead_base_url()}/master.tar.gz"
