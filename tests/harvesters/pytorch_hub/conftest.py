"""Fixtures of the PyTorch Hub tests: a pytorch/hub-like tarball built from fixture pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harvesters.archives import github_tarball
from tests.harvesters.onnx_zoo.local_http import dead_base_url

FIXTURES = Path(__file__).parent / "fixtures"
REPO = FIXTURES / "hub-master"


def build_tarball(target: Path, extra: dict[str, str] | None = None) -> Path:
    """A GitHub-style tarball (`hub-master/...`) of the fixture repo plus `extra` files."""
    return github_tarball(target, REPO, extra)


@pytest.fixture
def pytorch_hub_source(tmp_path: Path) -> Path:
    """A local .tar.gz shaped like GitHub's archive of pytorch/hub (12 model pages)."""
    return build_tarball(tmp_path / "hub-master.tar.gz")


@pytest.fixture
def dead_url() -> str:
    """An archive URL on a local port where nothing listens."""
    return f"{dead_base_url()}/master.tar.gz"
